// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/providers/request_common.h"

#include <algorithm>

#include "core/json/parse.h"
#include "router/providers/base_url.h"
#include "router/providers/request_body.h"

namespace kars::router::providers {

Result<UpstreamRequest> start_request(const ProviderConfig& config,
                                      const HeaderList& client_headers,
                                      const ClientHeaderOptions& header_options) {
    UpstreamRequest request;
    if (config.resolved_endpoint) {
        request.endpoint = *config.resolved_endpoint;
    } else {
        if (auto valid = validate_config(config); !valid) return valid.error();
        auto endpoint = parse_base_url(effective_base_url(config));
        if (!endpoint) return endpoint.error();
        request.endpoint = std::move(*endpoint);
    }
    request.headers = filter_client_headers(client_headers, header_options);
    request.headers.emplace_back("accept-encoding", "identity");
    return request;
}

void attach_body(UpstreamRequest& request, Operation operation, boost::json::object& body) {
    request.method = "POST";
    if (operation == Operation::kChatCompletions) {
        StreamSetup setup = prepare_chat_stream(body);
        request.streaming = setup.streaming;
        request.drop_usage_chunk = setup.streaming && !setup.client_requested_usage;
    } else if (operation != Operation::kEmbeddings) {
        // The Responses and Messages APIs report usage in their final stream event
        // (response.completed / message_delta) without being asked.
        const auto* stream = body.if_contains("stream");
        request.streaming = stream != nullptr && stream->is_bool() && stream->get_bool();
    }
    request.body = json::to_string(body);
    set_header(request, "content-type", "application/json");
}

Result<std::string> required_model(const boost::json::object& body) {
    const auto* model = body.if_contains("model");
    if (model == nullptr || !model->is_string() || model->get_string().empty()) {
        return make_error("invalid_request_error", "request body needs a non-empty \"model\"");
    }
    return std::string(model->get_string());
}

Error unsupported_operation(const ProviderConfig& config, Operation operation) {
    return make_error("unsupported_operation", std::string(provider_kind_name(config.kind)) +
                                                   " upstream does not serve " +
                                                   std::string(operation_name(operation)));
}

void set_header(UpstreamRequest& request, std::string_view name, std::string value) {
    auto& headers = request.headers;
    headers.erase(std::remove_if(headers.begin(), headers.end(),
                                 [name](const auto& h) { return h.first == name; }),
                  headers.end());
    headers.emplace_back(std::string(name), std::move(value));
}

std::string_view openai_operation_path(Operation operation) {
    switch (operation) {
        case Operation::kChatCompletions:
            return "/chat/completions";
        case Operation::kResponses:
            return "/responses";
        case Operation::kEmbeddings:
            return "/embeddings";
        case Operation::kModels:
            return "/models";
        case Operation::kMessages:
            return {};
    }
    return {};
}

}  // namespace kars::router::providers
