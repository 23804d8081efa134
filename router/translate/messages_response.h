// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Non-streaming OpenAI chat completion -> Anthropic Messages response.

#include <string_view>

#include <boost/json/value.hpp>

#include "core/result.h"

namespace kars::router::translate {

// Translates a chat completion (first choice only) into an Anthropic message:
// id "msg_<chat id>", model from the completion (else `requested_model`), content = a text
// block when the text (or refusal) is non-empty followed by one tool_use block per tool call
// (input via tool_input_from_arguments), stop_reason via stop_reason_for, stop_sequence null
// (OpenAI does not say which stop sequence matched), usage input/output tokens.
// An in-band {"error": {...}} body, or a body without choices, is an error whose code is the
// Anthropic error type and whose message is safe to pass to anthropic_error_body().
Result<boost::json::value> chat_to_messages_response(const boost::json::value& completion,
                                                     std::string_view requested_model = {});

}  // namespace kars::router::translate
