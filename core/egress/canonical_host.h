// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Host canonicalisation: every host the egress engine judges (request targets, allowlist
// entries, blocklist lines, approval hosts) goes through here first, so two spellings of one
// destination can never be judged differently.

#include <optional>
#include <string>
#include <string_view>

#include "core/egress/ip_literal.h"
#include "core/result.h"

namespace kars::egress {

enum class HostKind { kName, kIpv4, kIpv6 };

struct CanonicalHost {
    std::string text;  // "a.example.com", "127.0.0.1", "::ffff:127.0.0.1"
    HostKind kind = HostKind::kName;
    std::optional<IpAddress> address;  // set for kIpv4 and kIpv6

    bool is_ip() const { return kind != HostKind::kName; }
    // The text as it appears in an authority: IPv6 in brackets (RFC 3986 section 3.2.2).
    std::string authority_text() const;
};

// Limits from RFC 1035 section 2.3.4 (as presentation text without the trailing dot).
inline constexpr std::size_t kMaxHostLength = 253;
inline constexpr std::size_t kMaxLabelLength = 63;

// Canonicalises a host: non-ASCII names to punycode with libidn2 (UTS #46 non-transitional,
// RFC 5891), ASCII lower-cased, one trailing dot removed, IP literals in any notation a
// resolver accepts turned into canonical address text ("0x7f.1" -> "127.0.0.1",
// "[::FFFF:7f00:1]" -> "::ffff:127.0.0.1"). Refuses empty labels, labels over 63 octets,
// names over 253, characters other than letters, digits, '-' and '_' after IDNA, labels
// that begin or end with '-', names whose last label is numeric but which are not a valid
// IPv4 literal ("1.2.3.256", "example.0x10"), IPv6 zone identifiers and percent-encoding.
// Underscores are accepted: DNS allows them (RFC 2181 section 11) and real service names use
// them; they cannot make a name look like an address. Idempotent on its own output.
Result<CanonicalHost> canonicalize_host(std::string_view raw);

// Names that RFC 6761 section 6.3 reserves for loopback ("localhost", "*.localhost"); the
// engine treats them like the loopback range.
bool is_loopback_name(std::string_view canonical_name);

}  // namespace kars::egress
