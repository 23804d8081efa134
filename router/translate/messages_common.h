// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Mappings shared by the non-streaming and streaming chat-completions -> Anthropic Messages
// translation, so both directions of a response agree on ids, stop reasons and usage.

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace kars::router::translate {

// Anthropic stop_reason for an OpenAI finish_reason: stop -> end_turn, length -> max_tokens,
// tool_calls/function_call -> tool_use, content_filter -> refusal; anything else -> end_turn.
std::string_view stop_reason_for(std::string_view finish_reason);

// "msg_" + the chat completion id, so the same upstream call is traceable on both sides.
std::string message_id_for(std::string_view chat_id);

// The tool_use `input` object for an OpenAI `arguments` string. Empty -> {}. Arguments that
// are not a JSON object (invalid JSON, or e.g. an array) are kept verbatim as
// {"_raw": "<arguments>"}: the client still sees a tool_use it can report back as failed,
// instead of the whole response being lost to one malformed call.
boost::json::object tool_input_from_arguments(std::string_view arguments);

struct TokenUsage {
    std::optional<std::int64_t> input_tokens;  // prompt tokens not served from cache
    std::optional<std::int64_t> output_tokens;
    std::optional<std::int64_t> cache_read_input_tokens;
};

// Reads an OpenAI usage object. Cached prompt tokens (prompt_tokens_details.cached_tokens)
// are reported separately because Anthropic's input_tokens excludes cache reads.
TokenUsage usage_from_chat(const boost::json::value& usage);

// Anthropic usage object: input_tokens and output_tokens (0 when unknown) plus
// cache_read_input_tokens when known.
boost::json::object anthropic_usage(const TokenUsage& usage);

// Anthropic error type for an OpenAI error object found in-band in a response or stream.
std::string_view anthropic_error_type_for(const boost::json::value& openai_error);

// The message of an OpenAI error object, or a generic one when it has none.
std::string openai_error_message(const boost::json::value& openai_error);

}  // namespace kars::router::translate
