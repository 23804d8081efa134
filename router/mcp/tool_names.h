// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// How the gateway names a server's tool to the agent: "<server>__<tool>". Server names are
// Kubernetes names (lower-case letters, digits, '-' and '.'), so the first "__" always
// splits a name back unambiguously, and the result is a valid function name for the
// OpenAI and Anthropic tool formats an agent may copy MCP tools into.

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace kars::router::mcp {

std::string exposed_tool_name(std::string_view server, std::string_view tool);

// {server, tool}, or nothing when `name` has no "__" or an empty part.
std::optional<std::pair<std::string, std::string>> split_tool_name(std::string_view name);

// MCP tool names: 1..128 of [A-Za-z0-9_.-]. Anything else from a server is not listed,
// and anything else from a client cannot name a tool.
bool valid_tool_name(std::string_view name);

// "mcp:<server>:<tool>", the governance action of a call.
std::string tool_action(std::string_view server, std::string_view tool);

}  // namespace kars::router::mcp
