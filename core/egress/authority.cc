// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/egress/authority.h"

#include <boost/url/authority_view.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <optional>

namespace kars::egress {
namespace {

constexpr std::uint32_t kMaxPort = 65535;

Error bad_target(std::string_view target, std::string why) {
    std::string shown(target.substr(0, 256));
    for (char& c : shown) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7f) {
            c = '?';
        }
    }
    return make_error("invalid_request_target", "request target '" + shown + "': " + why);
}

// The port component is *DIGIT in RFC 3986; the range check is ours.
Result<std::uint16_t> port_value(std::string_view target, std::string_view digits) {
    if (digits.empty()) {
        return bad_target(target, "empty port");
    }
    std::uint32_t value = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') {
            return bad_target(target, "port is not a number");
        }
        value = value * 10 + static_cast<std::uint32_t>(c - '0');
        if (value > kMaxPort) {
            return bad_target(target, "port above 65535");
        }
    }
    if (value == 0) {
        return bad_target(target, "port 0");
    }
    return static_cast<std::uint16_t>(value);
}

// Shared host checks for both forms; View is authority_view or url_view.
template <typename View>
Result<std::string> host_of(std::string_view target, const View& view) {
    if (view.has_userinfo()) {
        return bad_target(target, "userinfo is not allowed in a proxy target");
    }
    switch (view.host_type()) {
        case boost::urls::host_type::none:
            return bad_target(target, "no host");
        case boost::urls::host_type::ipvfuture:
            return bad_target(target, "IPvFuture hosts are not supported");
        default:
            break;
    }
    const std::string_view host(view.encoded_host().data(), view.encoded_host().size());
    if (host.empty()) {
        return bad_target(target, "empty host");
    }
    // A percent-encoded host would be decoded differently by different clients; refuse it
    // rather than guess (this also refuses IPv6 zone identifiers "%25eth0").
    if (host.find('%') != std::string_view::npos) {
        return bad_target(target, "percent-encoded host");
    }
    return std::string(host);
}

}  // namespace

Result<Authority> parse_connect_target(std::string_view target) {
    auto parsed = boost::urls::parse_authority(target);
    if (!parsed) {
        return bad_target(target, "not host:port (" + parsed.error().message() + ")");
    }
    const auto& view = *parsed;
    auto host = host_of(target, view);
    if (!host) {
        return host.error();
    }
    if (!view.has_port()) {
        return bad_target(target, "CONNECT needs an explicit port");
    }
    auto port = port_value(target, std::string_view(view.port().data(), view.port().size()));
    if (!port) {
        return port.error();
    }
    return Authority{std::move(*host), *port, {}, {}};
}

Result<Authority> parse_absolute_target(std::string_view target) {
    auto parsed = boost::urls::parse_absolute_uri(target);
    if (!parsed) {
        return bad_target(target, "not an absolute URI (" + parsed.error().message() + ")");
    }
    const auto& view = *parsed;
    std::uint16_t default_port = 0;
    std::string scheme;
    if (view.scheme_id() == boost::urls::scheme::http) {
        default_port = 80;
        scheme = "http";
    } else if (view.scheme_id() == boost::urls::scheme::https) {
        default_port = 443;
        scheme = "https";
    } else {
        return bad_target(target, "only http and https absolute-form targets are proxied");
    }
    if (!view.has_authority()) {
        return bad_target(target, "no authority");
    }
    auto host = host_of(target, view);
    if (!host) {
        return host.error();
    }
    std::uint16_t port = default_port;
    if (view.has_port()) {
        auto value = port_value(target, std::string_view(view.port().data(), view.port().size()));
        if (!value) {
            return value.error();
        }
        port = *value;
    }
    std::string origin(view.encoded_path().data(), view.encoded_path().size());
    // With an authority the path is empty or starts with '/' (RFC 3986 section 3.3). Boost.URL
    // 1.81 reads "http://127.0.0.1.:8080/x" as host 127.0.0.1 and path ".:8080/x": the port
    // would be lost and a garbage request target sent on.
    if (!origin.empty() && origin.front() != '/') {
        return bad_target(target, "the authority is malformed (the path does not start with '/')");
    }
    if (origin.empty()) {
        origin = "/";
    }
    if (view.has_query()) {
        origin += "?";
        origin.append(view.encoded_query().data(), view.encoded_query().size());
    }
    return Authority{std::move(*host), port, std::move(scheme), std::move(origin)};
}

}  // namespace kars::egress
