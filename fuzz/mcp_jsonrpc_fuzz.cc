// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// JSON-RPC envelopes of an MCP gateway on arbitrary bytes. Beyond "no crash", it checks what
// the gateway relies on: every element holds exactly one of a message and an error response;
// every error response is a well-formed JSON-RPC error the caller can send as it is; a
// message survives re-serialisation with the same classification.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/serialize.hpp>

#include "core/json/parse.h"
#include "core/mcp/jsonrpc.h"

namespace {

namespace json = boost::json;
using kars::mcp::Element;
using kars::mcp::Envelope;
using kars::mcp::Message;
using kars::mcp::MessageKind;

void require(bool holds) {
    if (!holds) __builtin_trap();
}

bool usable_id(const json::value& id) {
    return id.is_string() || id.is_int64();
}

void check_error_response(const json::object& response) {
    const json::value* version = response.if_contains("jsonrpc");
    require(version && version->is_string() && version->get_string() == "2.0");
    const json::value* id = response.if_contains("id");
    require(id && (id->is_null() || usable_id(*id)));
    const json::value* error = response.if_contains("error");
    require(error && error->is_object());
    const json::value* code = error->get_object().if_contains("code");
    require(code && code->is_int64());
    const json::value* message = error->get_object().if_contains("message");
    require(message && message->is_string() && !message->get_string().empty());
    // What the gateway sends must parse back (valid UTF-8, within the depth limit).
    require(kars::json::parse(json::serialize(response)).ok());
}

void check_message(const Message& m) {
    switch (m.kind) {
        case MessageKind::kRequest:
            require(usable_id(m.id) && !m.method.empty());
            break;
        case MessageKind::kNotification:
            require(m.id.is_null() && !m.method.empty());
            break;
        case MessageKind::kResponse:
            require(usable_id(m.id) && m.method.empty());
            break;
    }
    require(m.params.is_null() || m.params.is_object() || m.params.is_array());

    auto again = kars::mcp::classify(json::value(m.body));
    require(again.ok());
    require(again->kind == m.kind && again->id == m.id && again->method == m.method);
    auto reparsed = kars::json::parse(json::serialize(m.body));
    require(reparsed.ok() && kars::mcp::classify(*reparsed).ok());
}

void check_envelope(const Envelope& env, std::size_t max_batch) {
    require(!env.elements.empty());
    if (env.batch) {
        require(env.elements.size() <= max_batch);
    } else {
        require(env.elements.size() == 1);
    }
    for (const Element& e : env.elements) {
        require(e.message.has_value() != !e.error_response.empty());
        if (e.message) {
            check_message(*e.message);
        } else {
            check_error_response(e.error_response);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view body(reinterpret_cast<const char*>(data), size);
    check_envelope(kars::mcp::parse_envelope(body), 64);
    check_envelope(kars::mcp::parse_envelope(body, 2), 2);

    auto v = kars::json::parse(body, kars::json::ParseLimits{kars::mcp::kMaxMessageDepth});
    if (!v.ok()) return 0;
    auto m = kars::mcp::classify(*v);
    if (m.ok()) {
        check_message(*m);
    } else {
        require(m.error().code == "invalid_jsonrpc" && !m.error().message.empty());
    }
    return 0;
}
