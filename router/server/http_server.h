// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The router's HTTP/1.1 listener: Beast parsing with hard limits and timeouts, one coroutine
// per connection, routing by method and path, and a bounded drain on shutdown.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/result.h"
#include "router/server/http_types.h"

namespace kars::router::server {

struct ServerLimits {
    std::size_t max_body_bytes = 4 * 1024 * 1024;
    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_header_count = 100;
    // A client must deliver a complete request head in this time (slowloris defence) and
    // the body within the body timeout.
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds body_timeout{30'000};
    std::chrono::milliseconds write_timeout{30'000};
    std::chrono::milliseconds idle_keepalive{60'000};
    std::size_t max_connections = 1024;
};

class HttpServer {
public:
    HttpServer(boost::asio::io_context& io, ServerLimits limits);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Registers `handler` for an exact method and path (query string excluded).
    void route(http::verb method, std::string path, Handler handler);

    // Binds "host:port" (port 0 picks a free one). Can be called more than once.
    Result<boost::asio::ip::tcp::endpoint> listen(const std::string& host, unsigned short port);

    // Serves an already-listening socket handed over by another process (the sandbox
    // supervisor passes sockets it created inside the sandbox's network namespace).
    Status adopt_listener(int fd);

    // Starts accepting on every listener.
    void start();

    // Stops accepting. Connections finish their current request; idle ones are closed.
    void stop_accepting();

    std::size_t active_connections() const { return active_connections_->load(); }

    // Replaces the limits for connections accepted from now on (config reload).
    void set_limits(ServerLimits limits);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    // Shared with every connection's coroutine: a frame still pending when the io_context
    // is destroyed (after this server) decrements it from its destructor.
    std::shared_ptr<std::atomic<std::size_t>> active_connections_ =
        std::make_shared<std::atomic<std::size_t>>(0);
};

// Accepts an inbound x-kars-trace-id if it is 1..128 chars of [A-Za-z0-9_-], else makes a
// fresh random 16-hex-char id. Caller-chosen ids are allowed for correlation only; they are
// never used for identity.
std::string choose_trace_id(std::string_view inbound);

}  // namespace kars::router::server
