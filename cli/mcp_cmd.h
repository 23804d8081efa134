// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

#include <CLI/CLI.hpp>

namespace kars::cli {

// `kars mcp pins NAME` lists the MCP tool definitions a sandbox's gateway has pinned, with
// the ones that drifted; `kars mcp approve NAME SERVER TOOL` accepts a drifted definition
// as the new pin, which unblocks the tool (core/mcp/tool_pin.h).
void register_mcp_commands(CLI::App& app);

}  // namespace kars::cli
