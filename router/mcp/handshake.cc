// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/mcp/handshake.h"

#include <algorithm>

#include "core/json/parse.h"
#include "router/mcp/upstream.h"

namespace kars::router::mcp {

bool is_supported_protocol_version(std::string_view version) {
    return std::find(std::begin(kProtocolVersions), std::end(kProtocolVersions), version) !=
           std::end(kProtocolVersions);
}

boost::json::object initialize_params() {
    return boost::json::object{
        {"protocolVersion", kProtocolVersions[0]},
        {"capabilities", boost::json::object{}},
        {"clientInfo", boost::json::object{{"name", "kars-router"}, {"version", "0.1.0"}}}};
}

std::string describe_error_reply(const boost::json::object& reply) {
    const auto* error = json::find_field(reply, "error");
    if (error == nullptr || !error->is_object()) return {};
    auto code = json::int_field(*error, "code");
    auto message = json::string_field(*error, "message");
    return "JSON-RPC error " + std::to_string(code.value_or(0)) + ": " +
           std::string(message.value_or("(no message)"));
}

Result<std::string> check_initialize_reply(const std::string& server,
                                           const boost::json::object& reply) {
    if (auto err = describe_error_reply(reply); !err.empty()) {
        return make_error("mcp_protocol", "MCP server '" + server + "' refused initialize: " + err);
    }
    const auto* result = json::find_field(reply, "result");
    if (result == nullptr || !result->is_object()) {
        return make_error("mcp_protocol",
                          "MCP server '" + server + "' answered initialize without a result");
    }
    auto version = json::string_field(*result, "protocolVersion");
    if (!version || !is_supported_protocol_version(*version)) {
        return make_error("mcp_protocol", "MCP server '" + server + "' speaks protocol version '" +
                                              std::string(version.value_or("")) +
                                              "', which the gateway does not support");
    }
    const auto* caps = json::find_field(*result, "capabilities");
    if (caps == nullptr || !caps->is_object() || json::find_field(*caps, "tools") == nullptr) {
        return make_error("mcp_protocol", "MCP server '" + server + "' offers no tools capability");
    }
    return std::string(*version);
}

}  // namespace kars::router::mcp
