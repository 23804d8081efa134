// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The byte relay behind an accepted CONNECT (RFC 9110 section 9.3.6): after the 2xx the
// proxy copies octets both ways without looking at them until either side closes.

#include <chrono>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace kars::router::server {

struct TunnelLimits {
    std::chrono::milliseconds idle_timeout{300'000};    // no byte either way: close
    std::chrono::milliseconds max_lifetime{3'600'000};  // hard cap, busy or not
};

// Sends `client_prefix` (bytes the client pipelined after the CONNECT head, typically the
// TLS ClientHello) to `upstream` first, then relays until both directions reached EOF, one
// side failed, the tunnel was idle for idle_timeout, or it lived max_lifetime. A half-close
// is passed on (shutdown of the send side), as TLS close_notify exchanges need it.
boost::asio::awaitable<void> run_tunnel(boost::asio::ip::tcp::socket client,
                                        boost::asio::ip::tcp::socket upstream,
                                        std::string client_prefix, TunnelLimits limits);

}  // namespace kars::router::server
