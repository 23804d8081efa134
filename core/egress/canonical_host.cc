// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/egress/canonical_host.h"

#include <idn2.h>

#include <cstdlib>

namespace kars::egress {
namespace {

// Anything longer is refused before IDNA runs, bounding libidn2's work on hostile input.
constexpr std::size_t kMaxRawLength = 1024;

Error invalid(std::string_view raw, std::string why) {
    std::string shown(raw.substr(0, 128));
    for (char& c : shown) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            c = '?';
        }
    }
    return make_error("invalid_host", "host '" + shown + "' is invalid: " + why);
}

Result<CanonicalHost> canonical_ipv6(std::string_view raw, std::string_view inner) {
    auto address = parse_ipv6_literal(inner);
    if (!address) {
        return invalid(raw, "not an IPv6 address (zone identifiers are not accepted)");
    }
    return CanonicalHost{format_ip(*address), HostKind::kIpv6, address};
}

// UTS #46 processing maps full-width letters, digits and dots to ASCII, so its output goes
// through the same IP-literal and LDH checks as ASCII input.
Result<std::string> to_ascii(std::string_view raw) {
    std::string input(raw);
    char* output = nullptr;
    const int rc = idn2_lookup_u8(reinterpret_cast<const uint8_t*>(input.c_str()),
                                  reinterpret_cast<uint8_t**>(&output), IDN2_NONTRANSITIONAL);
    if (rc != IDN2_OK) {
        return invalid(raw, std::string("IDNA conversion failed: ") + idn2_strerror(rc));
    }
    std::string ascii(output);
    idn2_free(output);
    return ascii;
}

bool is_label_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

Status check_name(std::string_view raw, std::string_view name) {
    if (name.size() > kMaxHostLength) {
        return invalid(raw, "longer than 253 characters");
    }
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t dot = name.find('.', start);
        if (dot == std::string_view::npos) {
            dot = name.size();
        }
        const std::string_view label = name.substr(start, dot - start);
        if (label.empty()) {
            return invalid(raw, "empty label");
        }
        if (label.size() > kMaxLabelLength) {
            return invalid(raw, "label longer than 63 characters");
        }
        for (char c : label) {
            if (!is_label_char(c)) {
                return invalid(raw, "character outside letters, digits, '-' and '_'");
            }
        }
        if (label.front() == '-' || label.back() == '-') {
            return invalid(raw, "label begins or ends with '-'");
        }
        start = dot + 1;
    }
    return ok_status();
}

}  // namespace

std::string CanonicalHost::authority_text() const {
    return kind == HostKind::kIpv6 ? "[" + text + "]" : text;
}

Result<CanonicalHost> canonicalize_host(std::string_view raw) {
    if (raw.empty()) {
        return invalid(raw, "empty");
    }
    if (raw.size() > kMaxRawLength) {
        return invalid(raw, "longer than 1024 bytes");
    }
    bool ascii = true;
    for (char c : raw) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte == 0x7f || c == '%') {
            return invalid(raw, "contains whitespace, a control character or '%'");
        }
        ascii = ascii && byte < 0x80;
    }

    if (raw.front() == '[') {
        if (raw.size() < 2 || raw.back() != ']') {
            return invalid(raw, "unterminated '['");
        }
        return canonical_ipv6(raw, raw.substr(1, raw.size() - 2));
    }
    if (raw.find(':') != std::string_view::npos) {
        if (raw.find(':') == raw.rfind(':')) {
            return invalid(raw, "':' appears only in IPv6 literals; give the port separately");
        }
        return canonical_ipv6(raw, raw);
    }

    std::string name;
    if (ascii) {
        name.assign(raw);
    } else {
        auto converted = to_ascii(raw);
        if (!converted) {
            return converted.error();
        }
        name = std::move(*converted);
    }
    for (char& c : name) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    // One trailing dot is the fully-qualified spelling of the same name (RFC 1034 section
    // 3.1); a second one is an empty label.
    if (!name.empty() && name.back() == '.') {
        name.pop_back();
    }
    if (name.empty()) {
        return invalid(raw, "empty");
    }

    if (auto v4 = parse_ipv4_literal(name)) {
        return CanonicalHost{format_ip(*v4), HostKind::kIpv4, v4};
    }
    // WHATWG URL's "ends in a number" rule: curl and browsers treat such hosts as IPv4, so a
    // failed IPv4 parse here is an invalid address, never a DNS name to look up.
    if (ends_in_number(name)) {
        return invalid(raw, "ends in a number but is not a valid IPv4 address");
    }
    if (auto status = check_name(raw, name); !status) {
        return status.error();
    }
    return CanonicalHost{std::move(name), HostKind::kName, std::nullopt};
}

bool is_loopback_name(std::string_view canonical_name) {
    constexpr std::string_view kLocalhost = "localhost";
    constexpr std::string_view kSuffix = ".localhost";
    return canonical_name == kLocalhost ||
           (canonical_name.size() > kSuffix.size() && canonical_name.ends_with(kSuffix));
}

}  // namespace kars::egress
