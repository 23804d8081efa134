// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Chooses the upstream for a request and starts the call: walks the model's target list in
// order, building each provider's request, and moves to the next target when one fails at
// the transport level or answers 429/5xx. The last answer is returned as-is if all fail.

#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include "router/providers/provider_config.h"
#include "router/server/router_state.h"

namespace kars::router::server {

struct DispatchRequest {
    providers::Operation operation;
    std::string client_path;  // "/v1/chat/completions", used to match replay cassettes
    std::string model;        // as the client asked
    bool stream = false;
    const boost::json::value* body = nullptr;  // parsed client body (null for GET)
    std::string raw_body;                      // for replay matching
    const Headers* client_headers = nullptr;
};

struct Dispatched {
    std::unique_ptr<UpstreamCall> call;
    std::string provider;        // config name of the provider that answered
    std::string upstream_model;  // model actually sent
    // Messages request served by an OpenAI-shaped upstream: the answer is chat completions
    // and must be translated back.
    bool translated = false;
    bool client_requested_usage = false;
    int attempts = 0;
};

boost::asio::awaitable<Result<Dispatched>> dispatch(RouterState& state, const Snapshot& snap,
                                                    const DispatchRequest& request);

}  // namespace kars::router::server
