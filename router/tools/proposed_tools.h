// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Enforcement point 2, for complete (non-streamed) answers: the tool calls a model
// proposes. Each call is checked before the answer reaches the agent; a refused call is
// taken out and replaced by assistant text that says which tool was blocked and why, so
// the agent framework shows a refusal instead of running the tool. When no call is left,
// the stop reason becomes the ordinary end of turn ("stop" / "end_turn"), because a
// framework that sees "tool_calls" with no calls may loop or fail.
//
//   chat       choices[].message.tool_calls[] (and the legacy message.function_call)
//   responses  output[] items of type function_call / custom_tool_call
//   messages   content[] blocks of type tool_use

#include <cstddef>

#include <boost/json/value.hpp>

#include "router/tools/offered_tools.h"
#include "router/tools/tool_check.h"

namespace kars::router::tools {

struct ProposedReport {
    std::size_t allowed = 0;
    std::size_t refused = 0;
};

// Rewrites `response` in place. Anything that is not shaped like a tool call is left alone.
ProposedReport gate_proposed_tools(boost::json::value& response, Dialect dialect,
                                   const ToolCheck& check);

// The Responses API item that stands in for a refused call.
boost::json::object refusal_message_item(std::string_view id, std::string_view text);

}  // namespace kars::router::tools
