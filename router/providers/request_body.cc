// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/providers/request_body.h"

#include "core/json/parse.h"

namespace kars::router::providers {

StreamSetup prepare_chat_stream(boost::json::object& body) {
    StreamSetup setup;
    const auto* stream = body.if_contains("stream");
    setup.streaming = stream != nullptr && stream->is_bool() && stream->get_bool();
    if (!setup.streaming) return setup;

    // OpenAI only reports usage on a stream when asked (stream_options.include_usage, see
    // the chat completions API reference); the router needs it for token budgets.
    auto& options = body["stream_options"];
    if (!options.is_object()) options = boost::json::object{};
    auto& obj = options.get_object();
    const auto* include = obj.if_contains("include_usage");
    setup.client_requested_usage = include != nullptr && include->is_bool() && include->get_bool();
    obj["include_usage"] = true;
    return setup;
}

boost::json::value with_model(boost::json::value body, std::string_view model) {
    if (auto* obj = body.if_object()) (*obj)["model"] = model;
    return body;
}

std::optional<std::string_view> model_of(const boost::json::value& body) {
    return json::string_field(body, "model");
}

Result<boost::json::object*> require_object_body(boost::json::value& body,
                                                 std::string_view operation) {
    if (auto* obj = body.if_object()) return obj;
    return make_error("invalid_request_error",
                      "request body for " + std::string(operation) + " must be a JSON object");
}

}  // namespace kars::router::providers
