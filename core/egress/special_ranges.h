// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Special-purpose address ranges the egress proxy refuses unless the sandbox allowlist names
// the address (or a CIDR range holding it) explicitly. The table follows the IANA IPv4 and
// IPv6 Special-Purpose Address Registries (RFC 6890) plus multicast (RFC 5771, RFC 4291
// section 2.7) and deprecated site-local (RFC 3879). Entries that IANA marks globally
// reachable (AS112, AMT, ...) are refused as well: no agent needs to reach them.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/egress/ip_literal.h"

namespace kars::egress {

// One registry row.
struct SpecialRange {
    std::string_view cidr;    // "169.254.0.0/16"
    std::string_view name;    // "link-local"
    std::string_view source;  // "RFC 3927"
};

// A classification: the row that matched, and, when the address was an IPv6 transition
// format, the embedding through which the IPv4 row was reached.
struct SpecialMatch {
    SpecialRange range;
    Embedding via = Embedding::kNone;
    IpAddress judged;  // the address compared with the row (the embedded IPv4 when via != kNone)
};

// Classifies an address. IPv6 forms that embed an IPv4 address (mapped, translated,
// compatible, NAT64 64:ff9b::/96, 6to4) are classified by that IPv4 address; Teredo
// (2001::/32) is refused as a whole because its client address is obfuscated and its
// server address is attacker-chosen. Returns nullopt for ordinary global unicast.
std::optional<SpecialMatch> classify_special(const IpAddress& address);

// Every registry row, most specific first (for tests and documentation tooling).
std::vector<SpecialRange> special_range_table();

// "169.254.0.0/16 link-local (RFC 3927)" plus the embedding and known services
// (cloud metadata) when they apply; used in denial messages.
std::string describe_special(const SpecialMatch& match);

}  // namespace kars::egress
