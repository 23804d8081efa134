// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/tools/tool_check.h"

namespace kars::router::tools {

std::string function_tool_action(std::string_view name) {
    std::string out = "tool:";
    out += name;
    return out;
}

std::string hosted_tool_action(std::string_view type) {
    std::string out = "tool:hosted.";
    out += type;
    return out;
}

ToolVerdict judge_proposed(std::string_view name, const ToolCheck& check) {
    auto verdict = check(function_tool_action(name), ToolPhase::kProposed);
    if (name.empty()) verdict.allowed = false;
    return verdict;
}

std::string refusal_text(std::string_view tool_name, std::string_view reason) {
    std::string out = "[kars] The tool call '";
    out += tool_name;
    out += "' was blocked by policy and did not run: ";
    out += reason;
    return out;
}

}  // namespace kars::router::tools
