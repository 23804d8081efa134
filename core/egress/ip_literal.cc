// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/egress/ip_literal.h"

#include <arpa/inet.h>

#include <cstring>
#include <vector>

namespace kars::egress {
namespace {

constexpr std::uint64_t kMaxV4 = 0xffffffffULL;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_hex_digit(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int hex_value(char c) {
    if (is_digit(c)) {
        return c - '0';
    }
    return (c | 0x20) - 'a' + 10;
}

bool has_hex_prefix(std::string_view part) {
    return part.size() >= 2 && part[0] == '0' && (part[1] == 'x' || part[1] == 'X');
}

// One inet_aton part. "0x" alone is zero, as in glibc and WHATWG URL; an octal part with an
// 8 or 9 is not a number (glibc rejects it, WHATWG fails the host), so neither do we.
std::optional<std::uint64_t> parse_part(std::string_view part) {
    if (part.empty()) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    if (has_hex_prefix(part)) {
        for (char c : part.substr(2)) {
            if (!is_hex_digit(c)) {
                return std::nullopt;
            }
            value = value * 16 + static_cast<std::uint64_t>(hex_value(c));
            if (value > kMaxV4) {
                return std::nullopt;
            }
        }
        return value;
    }
    const bool octal = part.size() > 1 && part[0] == '0';
    const std::uint64_t base = octal ? 8 : 10;
    for (char c : part) {
        if (!is_digit(c) || (octal && c > '7')) {
            return std::nullopt;
        }
        value = value * base + static_cast<std::uint64_t>(c - '0');
        if (value > kMaxV4) {
            return std::nullopt;
        }
    }
    return value;
}

std::uint32_t read_v4(const std::array<std::uint8_t, 16>& b, std::size_t at) {
    return (static_cast<std::uint32_t>(b[at]) << 24) |
           (static_cast<std::uint32_t>(b[at + 1]) << 16) |
           (static_cast<std::uint32_t>(b[at + 2]) << 8) | static_cast<std::uint32_t>(b[at + 3]);
}

bool all_zero(const std::array<std::uint8_t, 16>& b, std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
        if (b[i] != 0) {
            return false;
        }
    }
    return true;
}

}  // namespace

IpAddress IpAddress::v4(std::uint32_t value) {
    IpAddress a;
    a.family = IpFamily::kV4;
    a.bytes[0] = static_cast<std::uint8_t>(value >> 24);
    a.bytes[1] = static_cast<std::uint8_t>(value >> 16);
    a.bytes[2] = static_cast<std::uint8_t>(value >> 8);
    a.bytes[3] = static_cast<std::uint8_t>(value);
    return a;
}

IpAddress IpAddress::v6(const std::array<std::uint8_t, 16>& bytes) {
    IpAddress a;
    a.family = IpFamily::kV6;
    a.bytes = bytes;
    return a;
}

std::uint32_t IpAddress::v4_value() const {
    return read_v4(bytes, 0);
}

std::optional<IpAddress> parse_ipv4_literal(std::string_view text) {
    std::vector<std::uint64_t> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = text.find('.', start);
        const std::string_view piece = text.substr(
            start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        auto value = parse_part(piece);
        if (!value || parts.size() == 4) {
            return std::nullopt;
        }
        parts.push_back(*value);
        if (dot == std::string_view::npos) {
            break;
        }
        start = dot + 1;
    }

    // inet_aton(3): a.b.c.d, a.b.c (c fills 16 bits), a.b (b fills 24 bits), a (32 bits).
    const std::size_t n = parts.size();
    std::uint64_t value = 0;
    for (std::size_t i = 0; i + 1 < n; ++i) {
        if (parts[i] > 255) {
            return std::nullopt;
        }
        value |= parts[i] << (8 * (3 - i));
    }
    const std::uint64_t last_max = (1ULL << (8 * (5 - n))) - 1;
    if (parts.back() > last_max) {
        return std::nullopt;
    }
    value |= parts.back();
    return IpAddress::v4(static_cast<std::uint32_t>(value));
}

std::optional<IpAddress> parse_ipv6_literal(std::string_view text) {
    // INET6_ADDRSTRLEN bounds every valid textual form; longer input cannot be an address.
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) {
        return std::nullopt;
    }
    char buffer[INET6_ADDRSTRLEN] = {};
    std::memcpy(buffer, text.data(), text.size());
    std::array<std::uint8_t, 16> bytes{};
    if (inet_pton(AF_INET6, buffer, bytes.data()) != 1) {
        return std::nullopt;
    }
    return IpAddress::v6(bytes);
}

bool ends_in_number(std::string_view host) {
    if (!host.empty() && host.back() == '.') {
        host.remove_suffix(1);
    }
    const std::size_t dot = host.rfind('.');
    const std::string_view last = dot == std::string_view::npos ? host : host.substr(dot + 1);
    if (last.empty()) {
        return false;
    }
    if (has_hex_prefix(last)) {
        for (char c : last.substr(2)) {
            if (!is_hex_digit(c)) {
                return false;
            }
        }
        return true;
    }
    for (char c : last) {
        if (!is_digit(c)) {
            return false;
        }
    }
    return true;
}

EmbeddedV4 embedded_ipv4(const IpAddress& address) {
    if (address.family == IpFamily::kV4) {
        return {Embedding::kNone, address};
    }
    const auto& b = address.bytes;
    const auto tail = IpAddress::v4(read_v4(b, 12));
    if (all_zero(b, 0, 10) && b[10] == 0xff && b[11] == 0xff) {
        return {Embedding::kMapped, tail};
    }
    if (all_zero(b, 0, 8) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0) {
        return {Embedding::kTranslated, tail};
    }
    // :: and ::1 are the IPv6 unspecified and loopback addresses, not IPv4-compatible ones.
    if (all_zero(b, 0, 12) && tail.v4_value() > 1) {
        return {Embedding::kCompatible, tail};
    }
    if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && all_zero(b, 4, 12)) {
        return {Embedding::kNat64, tail};
    }
    if (b[0] == 0x20 && b[1] == 0x02) {
        return {Embedding::kSixToFour, IpAddress::v4(read_v4(b, 2))};
    }
    return {Embedding::kNone, address};
}

IpAddress effective_address(const IpAddress& address) {
    const EmbeddedV4 embedded = embedded_ipv4(address);
    return embedded.via == Embedding::kNone ? address : embedded.v4;
}

std::string format_ip(const IpAddress& address) {
    char buffer[INET6_ADDRSTRLEN] = {};
    const int af = address.family == IpFamily::kV4 ? AF_INET : AF_INET6;
    if (inet_ntop(af, address.bytes.data(), buffer, sizeof(buffer)) == nullptr) {
        return {};
    }
    return buffer;
}

Result<Cidr> parse_cidr(std::string_view text) {
    const std::size_t slash = text.find('/');
    if (slash == std::string_view::npos) {
        return make_error("invalid_cidr", "'" + std::string(text) + "' has no /prefix");
    }
    const std::string_view base_text = text.substr(0, slash);
    const std::string_view prefix_text = text.substr(slash + 1);

    std::optional<IpAddress> base;
    if (base_text.find(':') != std::string_view::npos) {
        base = parse_ipv6_literal(base_text);
    } else if (!base_text.empty() && base_text.size() < INET_ADDRSTRLEN) {
        char buffer[INET_ADDRSTRLEN] = {};
        std::memcpy(buffer, base_text.data(), base_text.size());
        std::array<std::uint8_t, 4> raw{};
        if (inet_pton(AF_INET, buffer, raw.data()) == 1) {
            base = IpAddress::v4(read_v4({raw[0], raw[1], raw[2], raw[3]}, 0));
        }
    }
    if (!base) {
        return make_error("invalid_cidr", "'" + std::string(text) +
                                              "': the base must be a dotted quad or IPv6 address");
    }

    const int max_prefix = base->family == IpFamily::kV4 ? 32 : 128;
    int prefix = 0;
    if (prefix_text.empty() || prefix_text.size() > 3) {
        return make_error("invalid_cidr", "'" + std::string(text) + "': bad prefix length");
    }
    for (char c : prefix_text) {
        if (!is_digit(c)) {
            return make_error("invalid_cidr", "'" + std::string(text) + "': bad prefix length");
        }
        prefix = prefix * 10 + (c - '0');
    }
    if (prefix > max_prefix) {
        return make_error("invalid_cidr", "'" + std::string(text) + "': prefix longer than " +
                                              std::to_string(max_prefix));
    }

    Cidr range{*base, prefix};
    Cidr masked = range;
    for (int bit = prefix; bit < max_prefix; ++bit) {
        masked.base.bytes[static_cast<std::size_t>(bit / 8)] &=
            static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
    }
    if (masked.base != range.base) {
        return make_error("invalid_cidr", "'" + std::string(text) +
                                              "' has host bits set; did you mean " +
                                              format_cidr(masked) + "?");
    }
    return range;
}

bool cidr_contains(const Cidr& range, const IpAddress& address) {
    if (range.base.family != address.family) {
        return false;
    }
    const int full = range.prefix_length / 8;
    for (int i = 0; i < full; ++i) {
        if (range.base.bytes[static_cast<std::size_t>(i)] !=
            address.bytes[static_cast<std::size_t>(i)]) {
            return false;
        }
    }
    const int rest = range.prefix_length % 8;
    if (rest == 0) {
        return true;
    }
    const auto mask = static_cast<std::uint8_t>(0xffu << (8 - rest));
    const auto at = static_cast<std::size_t>(full);
    return (range.base.bytes[at] & mask) == (address.bytes[at] & mask);
}

std::string format_cidr(const Cidr& range) {
    return format_ip(range.base) + "/" + std::to_string(range.prefix_length);
}

std::string_view embedding_name(Embedding via) {
    switch (via) {
        case Embedding::kNone:
            return "none";
        case Embedding::kMapped:
            return "IPv4-mapped";
        case Embedding::kTranslated:
            return "IPv4-translated";
        case Embedding::kCompatible:
            return "IPv4-compatible";
        case Embedding::kNat64:
            return "NAT64";
        case Embedding::kSixToFour:
            return "6to4";
    }
    return "unknown";
}

}  // namespace kars::egress
