// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kars::router::mcp {

// What an MCP server printed, made safe for a log line: control bytes shown as '?', cut to
// at most `max` bytes (at a UTF-8 character boundary) with a marker. Servers and clients are
// not trusted to keep logs readable.
std::string log_text(std::string_view text, std::size_t max);

}  // namespace kars::router::mcp
