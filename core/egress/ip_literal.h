// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// IP addresses as the egress decision engine sees them: a host string that any resolver,
// libc or HTTP client would treat as an address must be classified as that address, so the
// parser here accepts every notation those accept (inet_aton's legacy IPv4 forms, RFC 4291
// IPv6 text) and exposes the IPv4 address embedded in the IPv6 transition formats.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace kars::egress {

enum class IpFamily { kV4, kV6 };

// An IPv4 or IPv6 address in network byte order. IPv4 uses the first four bytes.
struct IpAddress {
    IpFamily family = IpFamily::kV4;
    std::array<std::uint8_t, 16> bytes{};

    // Builds an IPv4 address from its 32-bit value (host order, 127.0.0.1 = 0x7f000001).
    static IpAddress v4(std::uint32_t value);
    // Builds an IPv6 address from its sixteen bytes (network order).
    static IpAddress v6(const std::array<std::uint8_t, 16>& bytes);

    // The IPv4 value (host order); only meaningful for kV4.
    std::uint32_t v4_value() const;

    friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// Which IPv6 transition format carried an embedded IPv4 address.
enum class Embedding {
    kNone,
    kMapped,      // ::ffff:0:0/96, RFC 4291 section 2.5.5.2
    kTranslated,  // ::ffff:0:0:0/96, RFC 2765 section 2.1 (SIIT)
    kCompatible,  // ::/96 minus :: and ::1, RFC 4291 section 2.5.5.1 (deprecated)
    kNat64,       // 64:ff9b::/96, RFC 6052 section 2.1
    kSixToFour,   // 2002::/16, RFC 3056 section 2
};

// The IPv4 address an IPv6 address carries, and how.
struct EmbeddedV4 {
    Embedding via = Embedding::kNone;
    IpAddress v4;
};

// Parses an IPv4 literal the way inet_aton(3) and the WHATWG URL host parser do: one to four
// dot-separated parts, each decimal, octal (leading 0) or hex (0x prefix); the last part fills
// the remaining bytes ("127.1", "2130706433", "0x7f.0.0.1", "0177.0.0.1"). No trailing dot,
// no whitespace. Returns nullopt when the text is not such a literal.
std::optional<IpAddress> parse_ipv4_literal(std::string_view text);

// Parses IPv6 text (RFC 4291 section 2.2, including the dotted-quad tail) with inet_pton.
// Brackets and zone identifiers are not accepted here.
std::optional<IpAddress> parse_ipv6_literal(std::string_view text);

// True when the final dot-separated label is all digits or "0x" plus hex digits: WHATWG URL
// treats such a host as an IPv4 address, so a name ending this way is never a DNS name.
bool ends_in_number(std::string_view host);

// The IPv4 address embedded in an IPv6 transition format, if any. IPv4 input returns itself
// with kNone.
EmbeddedV4 embedded_ipv4(const IpAddress& address);

// The address a policy should judge: the embedded IPv4 when there is one, else the address.
IpAddress effective_address(const IpAddress& address);

// Canonical text: dotted quad for IPv4, RFC 5952 form (inet_ntop) without brackets for IPv6.
std::string format_ip(const IpAddress& address);

// An address range in CIDR notation (RFC 4632 section 3.1; RFC 4291 section 2.3).
struct Cidr {
    IpAddress base;
    int prefix_length = 0;
};

// Parses "a.b.c.d/n" (strict dotted quad) or "v6/n". Refuses host bits set below the prefix,
// so "10.0.0.1/8" is an error rather than a silent widening to 10.0.0.0/8.
Result<Cidr> parse_cidr(std::string_view text);

// True when the address lies in the range; families never mix.
bool cidr_contains(const Cidr& range, const IpAddress& address);

// "10.0.0.0/8", "fc00::/7".
std::string format_cidr(const Cidr& range);

// Human name of an embedding ("IPv4-mapped", "NAT64", ...), for decision messages.
std::string_view embedding_name(Embedding via);

}  // namespace kars::egress
