// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Relays an upstream text/event-stream to the client event by event, inspecting each one on
// the way: token usage (for budgets), content-filter annotations (for the sandbox's
// contentSafety floor), tool calls (for tool policy) and the stream's end. A stream that ends
// without its protocol's terminal event is reported to the client as an error event, never as a
// clean finish.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/policy/inference_policy.h"
#include "router/providers/secret_redactor.h"
#include "router/server/http_types.h"
#include "router/server/upstream_client.h"
#include "router/tools/offered_tools.h"
#include "router/tools/tool_check.h"

namespace kars::router::server {

enum class StreamMode {
    kChatCompletions,  // OpenAI chat chunks, relayed
    kResponses,        // OpenAI Responses events, relayed
    kMessages,         // Anthropic events from an Anthropic upstream, relayed
    kChatToMessages,   // OpenAI chat chunks translated into Anthropic events
};

struct StreamOptions {
    StreamMode mode = StreamMode::kChatCompletions;
    // The router asked the upstream for a usage chunk the client did not ask for: drop it.
    bool drop_usage_chunk = false;
    std::optional<policy::ContentSafety> safety;
    std::string requested_model;
    Headers response_headers;  // already filtered
    std::chrono::steady_clock::time_point request_start;
    // When set, tool calls in the stream are held until complete and checked with it
    // (router/tools/stream_gate.h); `tool_dialect` is the dialect of the upstream events.
    tools::ToolCheck tool_check;
    tools::Dialect tool_dialect = tools::Dialect::kChat;
    // Provider credentials an upstream might echo in an event; replaced before it is sent.
    const providers::SecretRedactor* redactor = nullptr;
};

struct StreamOutcome {
    std::optional<std::int64_t> tokens_in;
    std::optional<std::int64_t> tokens_out;
    bool completed = false;    // the protocol's terminal event was relayed
    bool blocked = false;      // content safety stopped the stream
    bool client_gone = false;  // a write to the client failed; upstream was cancelled
    std::string problem;       // why the stream did not complete, for audit and logs
};

boost::asio::awaitable<StreamOutcome> relay_stream(UpstreamCall& call, ResponseWriter& writer,
                                                   const StreamOptions& options,
                                                   class Metrics& metrics);

}  // namespace kars::router::server
