// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The gateway's side of the MCP initialize handshake with a server, shared by every
// transport: what it offers and what it accepts back.

#include <string>

#include <boost/json/object.hpp>

#include "core/result.h"

namespace kars::router::mcp {

// Client info and the newest protocol version; no client capabilities (the gateway does
// not let servers sample models, list roots or elicit input through it).
boost::json::object initialize_params();

// Checks a server's response to initialize: a result with a protocol version the gateway
// speaks and a tools capability. Returns the negotiated version.
Result<std::string> check_initialize_reply(const std::string& server,
                                           const boost::json::object& reply);

// "server 'x' answered with JSON-RPC error <code>: <message>" for a response that holds
// an error, else empty.
std::string describe_error_reply(const boost::json::object& reply);

}  // namespace kars::router::mcp
