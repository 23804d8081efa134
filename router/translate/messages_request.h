// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Anthropic Messages request -> OpenAI chat completions request, for serving POST /v1/messages
// from an OpenAI-shaped upstream (OpenAI, Azure OpenAI, GitHub Models, vLLM, Ollama, ...).

#include <boost/json/value.hpp>

#include "core/result.h"

namespace kars::router::translate {

struct MessagesRequestOptions {
    // Anthropic's required max_tokens becomes "max_tokens" by default because every
    // OpenAI-compatible server accepts it; set this for OpenAI reasoning models, which only
    // accept "max_completion_tokens".
    bool use_max_completion_tokens = false;
};

// Translates an Anthropic Messages request body. Mapping:
//   system (string | text blocks)        -> leading system message (blocks joined by "\n")
//   user text/image blocks               -> user message (string if one text block, else parts;
//                                           base64 image -> data: URL, url image -> URL)
//   user tool_result blocks              -> role "tool" messages, emitted before the rest of
//                                           that user turn (OpenAI requires them right after the
//                                           assistant's tool_calls); is_error prefixes
//                                           "[tool error] " to the content
//   assistant text / tool_use blocks     -> content string / tool_calls (arguments = JSON text)
//   tools, tool_choice, max_tokens, temperature, top_p, stop_sequences -> stop,
//   stream -> stream + stream_options.include_usage, metadata.user_id -> user,
//   tool_choice.disable_parallel_tool_use -> parallel_tool_calls: false.
// Dropped on purpose (no chat-completions equivalent): top_k, thinking, cache_control.
// Any other content block type (document, thinking, server tools, ...) is an error with code
// "invalid_request_error" whose message suits anthropic_error_body() with HTTP 400.
Result<boost::json::value> messages_to_chat_request(const boost::json::value& request,
                                                    const MessagesRequestOptions& options = {});

}  // namespace kars::router::translate
