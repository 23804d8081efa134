// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The egress forward proxy: the sandbox's only road to the network. A second listener on
// the router's io_context that accepts CONNECT tunnels (RFC 9110 section 9.3.6) and
// absolute-form plain HTTP (RFC 9112 section 3.2.2), decides each destination with the
// core/egress engine, and records every decision as an audit entry and a metric.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/audit/entry.h"
#include "core/egress/decision.h"
#include "core/result.h"
#include "router/config/router_config.h"
#include "router/server/metrics.h"

namespace kars::router::server {

struct EgressLimits {
    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_header_count = 100;
    std::size_t max_body_bytes = 4 * 1024 * 1024;       // plain-HTTP request body
    std::size_t max_response_bytes = 32 * 1024 * 1024;  // plain-HTTP response body
    std::chrono::milliseconds header_timeout{10'000};   // whole request head (slowloris)
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds idle_timeout{300'000};
    std::chrono::milliseconds max_tunnel_lifetime{3'600'000};
    std::size_t max_tunnels = 256;
};

// The reloadable part: the policy and limits in force when a connection arrives.
struct EgressView {
    std::shared_ptr<const egress::EgressPolicy> policy;
    EgressLimits limits;
};

// How the proxy reaches the rest of the router; RouterState in production, fakes in tests.
struct EgressHooks {
    std::string sandbox;
    std::function<EgressView()> current;
    // Appends an audit entry; false means the log refused it (an allow is then refused).
    std::function<bool(audit::Event)> record;
    Metrics* metrics = nullptr;  // optional
    // Called for each connection learn mode allowed, to keep the learn record (optional).
    std::function<void(const egress::Decision&)> learned;
};

// Limits from the router config (`egress:` and `limits:` sections).
EgressLimits egress_limits_from(const config::RouterConfig& cfg);

class EgressProxy {
public:
    EgressProxy(boost::asio::io_context& io, EgressHooks hooks);
    ~EgressProxy();
    EgressProxy(const EgressProxy&) = delete;
    EgressProxy& operator=(const EgressProxy&) = delete;

    // Binds "host:port" (port 0 picks one). The bound port becomes protected.
    Result<boost::asio::ip::tcp::endpoint> listen(const std::string& host, unsigned short port);
    // Serves an inherited listening socket; its port becomes protected.
    Status adopt_listener(int fd);
    // Refuses tunnels to this port on loopback/unspecified addresses (the router's other
    // listeners). Call before start().
    void protect_port(std::uint16_t port);

    void start();
    void stop_accepting();
    std::size_t active_tunnels() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The local port of a bound socket, or 0.
std::uint16_t bound_port_of(int fd);

}  // namespace kars::router::server
