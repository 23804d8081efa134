// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Steps every provider's build_request shares: endpoint, filtered client headers, and the
// JSON body with the router's stream edits. Each provider adds its target and credential.

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/result.h"
#include "router/providers/header_policy.h"
#include "router/providers/provider_config.h"
#include "router/providers/upstream_request.h"

namespace kars::router::providers {

// A request with the endpoint of `config`, the filtered client headers and
// "accept-encoding: identity" (the router reads every response body for usage accounting and
// translation, so it must not be compressed). Fails when the config is invalid.
Result<UpstreamRequest> start_request(const ProviderConfig& config,
                                      const HeaderList& client_headers,
                                      const ClientHeaderOptions& header_options);

// Serialises `body` into `request` with content-type application/json. Chat completions get
// prepare_chat_stream(); other operations only report their own "stream" flag.
void attach_body(UpstreamRequest& request, Operation operation, boost::json::object& body);

// The non-empty "model" string of `body`, or an "invalid_request_error".
Result<std::string> required_model(const boost::json::object& body);

// "unsupported_operation" error naming the provider and operation.
Error unsupported_operation(const ProviderConfig& config, Operation operation);

// Sets (replacing any existing) header `name` to `value`.
void set_header(UpstreamRequest& request, std::string_view name, std::string value);

// The OpenAI API path of an operation ("/chat/completions", ...); empty for Messages, which
// OpenAI-shaped APIs do not serve.
std::string_view openai_operation_path(Operation operation);

}  // namespace kars::router::providers
