// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The egress proxy's way to an upstream: decide the authority, resolve the name once, judge
// every resolved address, and connect to exactly the address the engine returned (never a
// second lookup, so a rebinding DNS answer cannot swap the destination after the check).

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/egress/authority.h"
#include "core/egress/decision.h"

namespace kars::router::server {

struct DialOptions {
    std::chrono::milliseconds connect_timeout{10'000};
    // The router's own listening ports: refused on loopback and unspecified addresses even
    // when allowlisted, so a sandbox can never loop its traffic back into its own router.
    std::set<std::uint16_t> protected_ports;
};

struct DialOutcome {
    egress::Decision decision;                           // the final decision, after resolution
    std::optional<boost::asio::ip::tcp::socket> socket;  // set when connected
    int status = 0;       // 0 connected, 403 denied, 502 resolve/connect failed, 504 timeout
    std::string message;  // for 502/504: what failed
};

// Decides, resolves and connects. Never throws; every outcome is in the result.
boost::asio::awaitable<DialOutcome> dial_egress(const egress::EgressPolicy& policy,
                                                const egress::Authority& target,
                                                const DialOptions& options);

// Converts between the engine's address type and Asio's.
egress::IpAddress to_engine_address(const boost::asio::ip::address& address);
boost::asio::ip::address to_asio_address(const egress::IpAddress& address);

}  // namespace kars::router::server
