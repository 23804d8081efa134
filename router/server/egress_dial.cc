// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/egress_dial.h"

#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace kars::router::server {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
constexpr auto kNoThrow = net::as_tuple(net::use_awaitable);

egress::IpAddress to_engine_address(const net::ip::address& address) {
    if (address.is_v4()) return egress::IpAddress::v4(address.to_v4().to_uint());
    auto bytes = address.to_v6().to_bytes();
    std::array<std::uint8_t, 16> raw{};
    std::copy(bytes.begin(), bytes.end(), raw.begin());
    return egress::IpAddress::v6(raw);
}

net::ip::address to_asio_address(const egress::IpAddress& address) {
    if (address.family == egress::IpFamily::kV4) return net::ip::address_v4(address.v4_value());
    net::ip::address_v6::bytes_type bytes{};
    std::copy(address.bytes.begin(), address.bytes.end(), bytes.begin());
    return net::ip::address_v6(bytes);
}

namespace {

// True when connecting to `address` could reach a listener on this host: loopback,
// unspecified, or an IPv6 form embedding either.
bool is_local_destination(const egress::IpAddress& address) {
    auto effective = to_asio_address(egress::effective_address(address));
    return effective.is_loopback() || effective.is_unspecified();
}

// Where to connect for a checked address. The IPv4 address an IPv6 literal maps or embeds
// "compatibly" is the host the policy judged and the one such a literal means on a
// dual-stack socket, so that is dialed; NAT64 and 6to4 addresses are real IPv6 destinations
// (a gateway translates them) and are dialed as they are.
net::ip::address dial_address(const egress::IpAddress& checked) {
    const auto embedded = egress::embedded_ipv4(checked);
    if (embedded.via == egress::Embedding::kMapped ||
        embedded.via == egress::Embedding::kCompatible) {
        return to_asio_address(embedded.v4);
    }
    return to_asio_address(checked);
}

egress::Decision refuse_unspecified(egress::Decision d, const egress::IpAddress& address) {
    d.verdict = egress::Verdict::kDenied;
    d.decided_by = egress::DecidedBy::kSpecialAddress;
    d.rule = "unspecified address";
    d.reason = d.host + ":" + std::to_string(d.port) +
               " is refused: " + egress::format_ip(address) +
               " is the unspecified address, which a connect turns into this host; no "
               "allowlist entry opens it";
    return d;
}

egress::Decision refuse_own_listener(egress::Decision d, const egress::IpAddress& address) {
    d.verdict = egress::Verdict::kDenied;
    d.decided_by = egress::DecidedBy::kSpecialAddress;
    d.rule = "router listener port " + std::to_string(d.port);
    d.reason = d.host + ":" + std::to_string(d.port) +
               " is refused: " + egress::format_ip(address) + ":" + std::to_string(d.port) +
               " is one of the router's own listeners";
    return d;
}

}  // namespace

net::awaitable<DialOutcome> dial_egress(const egress::EgressPolicy& policy,
                                        const egress::Authority& target,
                                        const DialOptions& options) {
    DialOutcome out;
    out.decision = egress::decide(policy, target.host, target.port, egress::Clock::now());
    if (!out.decision.allowed()) {
        out.status = 403;
        co_return out;
    }

    // Resolve once. An IP literal needs no lookup; its own address is the only candidate.
    std::vector<egress::IpAddress> addresses;
    auto executor = co_await net::this_coro::executor;
    if (out.decision.canonical && out.decision.canonical->is_ip()) {
        addresses.push_back(*out.decision.canonical->address);
    } else {
        tcp::resolver resolver(executor);
        auto [ec, results] = co_await resolver.async_resolve(out.decision.host,
                                                             std::to_string(target.port), kNoThrow);
        if (ec) {
            out.status = 502;
            out.message = "cannot resolve " + out.decision.host + ": " + ec.message();
            co_return out;
        }
        for (const auto& entry : results) {
            addresses.push_back(to_engine_address(entry.endpoint().address()));
        }
    }

    auto resolved = egress::decide_resolved(policy, out.decision, addresses, egress::Clock::now());
    out.decision = resolved.decision;
    if (!out.decision.allowed() || !resolved.connect_to) {
        out.decision.verdict = egress::Verdict::kDenied;
        out.status = 403;
        co_return out;
    }
    const auto dial = dial_address(*resolved.connect_to);
    if (dial.is_unspecified()) {
        out.decision = refuse_unspecified(out.decision, *resolved.connect_to);
        out.status = 403;
        co_return out;
    }
    if (options.protected_ports.count(target.port) != 0 &&
        is_local_destination(*resolved.connect_to)) {
        out.decision = refuse_own_listener(out.decision, *resolved.connect_to);
        out.status = 403;
        co_return out;
    }

    beast::tcp_stream stream(executor);
    stream.expires_after(options.connect_timeout);
    tcp::endpoint endpoint(dial, target.port);
    auto [cec] = co_await stream.async_connect(endpoint, kNoThrow);
    if (cec) {
        out.status = cec == beast::error::timeout ? 504 : 502;
        out.message = "cannot connect to " + endpoint.address().to_string() + ":" +
                      std::to_string(target.port) + ": " +
                      (cec == beast::error::timeout ? std::string("timed out") : cec.message());
        co_return out;
    }
    stream.expires_never();
    out.socket.emplace(stream.release_socket());
    co_return out;
}

}  // namespace kars::router::server
