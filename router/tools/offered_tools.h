// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Enforcement point 1: the tools a request offers to the model. Each entry of `tools` is
// checked; denied ones are removed before the request goes upstream, so the model never
// learns a tool it may not use. Order of the remaining entries is kept.
//
// A `tool_choice` that forces a removed tool cannot be honoured by dropping it quietly
// (the model would answer something else and the agent would not know why), so that
// request is refused. When every tool is removed, `tools`, `tool_choice` and
// `parallel_tool_calls` are removed too: providers reject an empty tool list.

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "core/result.h"
#include "router/tools/tool_check.h"

namespace kars::router::tools {

// The wire dialects whose tool shapes differ.
enum class Dialect {
    kChat,       // OpenAI chat completions: {type: function, function: {name}}, {type: custom}
    kResponses,  // OpenAI Responses: {type: function, name}, hosted {type: web_search, ...}
    kMessages,   // Anthropic Messages: {name, input_schema} and typed tools with a name
};

struct OfferedReport {
    std::vector<std::string> removed;  // actions refused, in request order
};

// Errors: "invalid_request_error" for a malformed tools list, "policy_violation" for a
// tool_choice that forces a refused tool.
Result<OfferedReport> filter_offered_tools(boost::json::object& body, Dialect dialect,
                                           const ToolCheck& check);

}  // namespace kars::router::tools
