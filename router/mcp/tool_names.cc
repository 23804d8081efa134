// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/mcp/tool_names.h"

#include <algorithm>

namespace kars::router::mcp {

namespace {
constexpr std::string_view kSeparator = "__";
}

std::string exposed_tool_name(std::string_view server, std::string_view tool) {
    std::string out(server);
    out += kSeparator;
    out += tool;
    return out;
}

std::optional<std::pair<std::string, std::string>> split_tool_name(std::string_view name) {
    auto at = name.find(kSeparator);
    if (at == std::string_view::npos || at == 0 || at + kSeparator.size() >= name.size()) {
        return std::nullopt;
    }
    return std::make_pair(std::string(name.substr(0, at)),
                          std::string(name.substr(at + kSeparator.size())));
}

bool valid_tool_name(std::string_view name) {
    if (name.empty() || name.size() > 128) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-' || c == '.';
    });
}

std::string tool_action(std::string_view server, std::string_view tool) {
    std::string out = "mcp:";
    out += server;
    out += ':';
    out += tool;
    return out;
}

}  // namespace kars::router::mcp
