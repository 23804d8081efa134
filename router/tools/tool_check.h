// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The question every tool enforcement point asks: may this sandbox use the tool called
// `name`? The answer comes from the governance engine; the caller that supplies the check
// also writes the audit entry, so a gate never decides without leaving a trace.
//
// Tool names map to governance actions (docs/governance.md):
//   a function tool the agent defines          tool:<name>
//   a tool the provider runs itself            tool:hosted.<type>   (web_search, mcp, ...)
// Function names cannot contain '.', so a hosted action never collides with one of them.

#include <functional>
#include <string>
#include <string_view>

namespace kars::router::tools {

// Where in the exchange a tool was met: offered to the model in the request, or proposed
// by the model in its answer. The audit entry records which.
enum class ToolPhase { kOffered, kProposed };

struct ToolVerdict {
    bool allowed = false;
    std::string reason;  // one line for the agent and the audit trail
};

using ToolCheck = std::function<ToolVerdict(std::string_view action, ToolPhase phase)>;

// "tool:<name>" for a function tool.
std::string function_tool_action(std::string_view name);
// "tool:hosted.<type>" for a provider-run tool.
std::string hosted_tool_action(std::string_view type);

// Decides one tool call the model proposed, by name. A call without a name cannot be
// matched against policy and is refused whatever the check says.
ToolVerdict judge_proposed(std::string_view name, const ToolCheck& check);

// The text an agent sees in place of a tool call that policy refused. It names the tool
// and the reason so the model (and the person reading the transcript) can adapt.
std::string refusal_text(std::string_view tool_name, std::string_view reason);

}  // namespace kars::router::tools
