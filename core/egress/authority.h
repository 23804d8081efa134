// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Request targets the egress proxy receives, parsed with Boost.URL (RFC 3986 grammar): the
// authority-form of CONNECT and the absolute-form of proxied plain HTTP (RFC 9112 section
// 3.2). The host is returned as written; decide() canonicalises it.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace kars::egress {

struct Authority {
    std::string host;         // as written, IPv6 in brackets: "example.com", "[::1]"
    std::uint16_t port = 0;   // 1-65535
    std::string scheme;       // "http"/"https" for absolute-form, empty for CONNECT
    std::string origin_form;  // absolute-form only: path and query to send upstream ("/" if none)
};

// Parses a CONNECT target "host:port" or "[v6]:port" (RFC 9110 section 9.3.6). Refuses
// userinfo, an empty host, a missing or empty port, port 0, ports above 65535, IPvFuture
// and percent-encoded hosts.
Result<Authority> parse_connect_target(std::string_view target);

// Parses an absolute-form target "http://host[:port]/path?query". Only http and https are
// accepted; the port defaults to 80 or 443. Same refusals as parse_connect_target, except
// that an absent port takes the scheme's default.
Result<Authority> parse_absolute_target(std::string_view target);

}  // namespace kars::egress
