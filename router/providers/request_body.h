// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Edits the router makes to a client's JSON body before it goes upstream. Everything else in
// the body is forwarded untouched.

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/result.h"

namespace kars::router::providers {

struct StreamSetup {
    bool streaming = false;               // the body has "stream": true
    bool client_requested_usage = false;  // the client set stream_options.include_usage
};

// For a chat-completions body with "stream": true, sets stream_options.include_usage = true
// (keeping any other stream_options keys) so the final chunk carries token usage for
// budgets; reports whether the client had asked for that chunk itself. Non-streaming bodies
// are left unchanged.
StreamSetup prepare_chat_stream(boost::json::object& body);

// `body` with "model" set to `model` (fallback and deployment rewrite). A body that is not a
// JSON object is returned unchanged; build_request refuses it afterwards.
boost::json::value with_model(boost::json::value body, std::string_view model);

// The body's "model" string, if it has one.
std::optional<std::string_view> model_of(const boost::json::value& body);

// The body as an object (edited in place by the caller), or an "invalid_request_error"
// naming the operation.
Result<boost::json::object*> require_object_body(boost::json::value& body,
                                                 std::string_view operation);

}  // namespace kars::router::providers
