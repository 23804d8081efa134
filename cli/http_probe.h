// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// A small synchronous HTTP/1.1 client for talking to a kars-router on loopback from the CLI
// (`kars eval`). One request per connection, bounded time, Boost.Beast for the protocol.

#include <chrono>
#include <cstdint>
#include <string>

#include "core/result.h"

namespace kars::cli {

struct ProbeResponse {
    int status = 0;
    std::string body;
    std::string trace_id;  // the router's x-kars-trace-id
};

// POST `body` (JSON) to http://127.0.0.1:`port``target`.
Result<ProbeResponse> post_json(std::uint16_t port, const std::string& target,
                                const std::string& body, const std::string& trace_id,
                                std::chrono::milliseconds timeout);

// Sends `CONNECT host:port` to the egress proxy on `proxy_port` and returns its answer
// (the tunnel, if one opens, is closed at once).
Result<ProbeResponse> connect_via_proxy(std::uint16_t proxy_port, const std::string& host,
                                        std::uint16_t port, std::chrono::milliseconds timeout);

}  // namespace kars::cli
