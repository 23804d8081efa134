// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/errors/protocol_error.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace kars::router {

std::string openai_error_body(std::string_view message, std::string_view type,
                              std::string_view code) {
    boost::json::object err;
    err["message"] = message;
    err["type"] = type;
    if (!code.empty()) err["code"] = code;
    boost::json::object root;
    root["error"] = std::move(err);
    return boost::json::serialize(root);
}

std::string anthropic_error_body(std::string_view message, std::string_view type) {
    boost::json::object err;
    err["type"] = type;
    err["message"] = message;
    boost::json::object root;
    root["type"] = "error";
    root["error"] = std::move(err);
    return boost::json::serialize(root);
}

std::string_view anthropic_error_type_for_status(int status) {
    // The mapping the Anthropic API documents for its own errors.
    switch (status) {
        case 400:
            return "invalid_request_error";
        case 401:
            return "authentication_error";
        case 403:
            return "permission_error";
        case 404:
            return "not_found_error";
        case 413:
            return "request_too_large";
        case 429:
            return "rate_limit_error";
        case 529:
            return "overloaded_error";
        default:
            return "api_error";
    }
}

std::string error_body(Protocol protocol, int status, std::string_view message,
                       std::string_view openai_type, std::string_view code) {
    if (protocol == Protocol::kAnthropic) {
        return anthropic_error_body(message, anthropic_error_type_for_status(status));
    }
    return openai_error_body(message, openai_type, code);
}

}  // namespace kars::router
