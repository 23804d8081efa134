// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// /mcp: the MCP gateway over streamable HTTP. POST carries JSON-RPC (single messages or
// batches, each element judged on its own); GET has no server stream to offer and answers
// 405; DELETE ends a session. Sessions are minted by initialize and required after it.

#include <memory>

#include "router/server/http_server.h"
#include "router/server/router_state.h"

namespace kars::router::server {

class McpService {
public:
    explicit McpService(RouterState& state);
    ~McpService();
    McpService(const McpService&) = delete;
    McpService& operator=(const McpService&) = delete;

    void register_routes(HttpServer& server);
    // Stops the servers the gateway started (stdio processes get their stdin closed).
    void shutdown();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace kars::router::server
