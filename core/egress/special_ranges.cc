// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/egress/special_ranges.h"

#include <array>
#include <vector>

namespace kars::egress {
namespace {

// Most specific rows first: the first row that holds the address names it.
constexpr std::array kV4Ranges = {
    SpecialRange{"255.255.255.255/32", "limited broadcast", "RFC 919, RFC 8190"},
    SpecialRange{"192.0.0.0/29", "IPv4 service continuity (DS-Lite)", "RFC 7335"},
    SpecialRange{"192.0.0.0/24", "IETF protocol assignments", "RFC 6890"},
    SpecialRange{"0.0.0.0/8", "this network (unspecified)", "RFC 791, RFC 1122"},
    SpecialRange{"10.0.0.0/8", "private", "RFC 1918"},
    SpecialRange{"100.64.0.0/10", "shared address space (CGNAT)", "RFC 6598"},
    SpecialRange{"127.0.0.0/8", "loopback", "RFC 1122"},
    SpecialRange{"169.254.0.0/16", "link-local", "RFC 3927"},
    SpecialRange{"172.16.0.0/12", "private", "RFC 1918"},
    SpecialRange{"192.0.2.0/24", "documentation (TEST-NET-1)", "RFC 5737"},
    SpecialRange{"192.31.196.0/24", "AS112-v4", "RFC 7535"},
    SpecialRange{"192.52.193.0/24", "AMT", "RFC 7450"},
    SpecialRange{"192.88.99.0/24", "deprecated 6to4 relay anycast", "RFC 7526"},
    SpecialRange{"192.168.0.0/16", "private", "RFC 1918"},
    SpecialRange{"192.175.48.0/24", "direct delegation AS112 service", "RFC 7534"},
    SpecialRange{"198.18.0.0/15", "benchmarking", "RFC 2544"},
    SpecialRange{"198.51.100.0/24", "documentation (TEST-NET-2)", "RFC 5737"},
    SpecialRange{"203.0.113.0/24", "documentation (TEST-NET-3)", "RFC 5737"},
    SpecialRange{"224.0.0.0/4", "multicast", "RFC 5771"},
    SpecialRange{"240.0.0.0/4", "reserved", "RFC 1112"},
};

constexpr std::array kV6Ranges = {
    SpecialRange{"::1/128", "loopback", "RFC 4291"},
    SpecialRange{"::/128", "unspecified", "RFC 4291"},
    SpecialRange{"64:ff9b:1::/48", "local-use IPv4/IPv6 translation", "RFC 8215"},
    SpecialRange{"100::/64", "discard-only", "RFC 6666"},
    SpecialRange{"100:0:0:1::/64", "dummy IPv6 prefix", "RFC 9780"},
    SpecialRange{"2001::/32", "Teredo", "RFC 4380, RFC 8190"},
    SpecialRange{"2001::/23", "IETF protocol assignments", "RFC 2928"},
    SpecialRange{"2001:db8::/32", "documentation", "RFC 3849"},
    SpecialRange{"2620:4f:8000::/48", "direct delegation AS112 service", "RFC 7534"},
    SpecialRange{"3fff::/20", "documentation", "RFC 9637"},
    SpecialRange{"5f00::/16", "segment routing (SRv6) SIDs", "RFC 9602"},
    SpecialRange{"fc00::/7", "unique-local", "RFC 4193"},
    SpecialRange{"fe80::/10", "link-local", "RFC 4291"},
    SpecialRange{"fec0::/10", "site-local (deprecated)", "RFC 3879"},
    SpecialRange{"ff00::/8", "multicast", "RFC 4291"},
};

struct ParsedRow {
    SpecialRange row;
    Cidr range;
};

// The table is text so it reads like the registry; parse it once. A row that fails to parse
// is a programming error caught by the special-range tests, which check every row.
const std::vector<ParsedRow>& parsed_rows() {
    static const std::vector<ParsedRow> rows = [] {
        std::vector<ParsedRow> out;
        for (const auto& row : kV4Ranges) {
            if (auto cidr = parse_cidr(row.cidr)) {
                out.push_back({row, *cidr});
            }
        }
        for (const auto& row : kV6Ranges) {
            if (auto cidr = parse_cidr(row.cidr)) {
                out.push_back({row, *cidr});
            }
        }
        return out;
    }();
    return rows;
}

std::optional<SpecialRange> find_row(const IpAddress& address) {
    for (const auto& parsed : parsed_rows()) {
        if (cidr_contains(parsed.range, address)) {
            return parsed.row;
        }
    }
    return std::nullopt;
}

// Well-known services inside special ranges, named so a 403 tells the developer what the
// agent tried to reach.
std::string_view known_service(const IpAddress& address) {
    if (address == IpAddress::v4(0xa9fea9feU)) {  // 169.254.169.254
        return "cloud instance metadata service";
    }
    if (address == IpAddress::v4(0x646464c8U)) {  // 100.100.100.200
        return "Alibaba Cloud metadata service";
    }
    if (address.family == IpFamily::kV6 && format_ip(address) == "fd00:ec2::254") {
        return "AWS IPv6 instance metadata service";
    }
    return {};
}

}  // namespace

std::optional<SpecialMatch> classify_special(const IpAddress& address) {
    const EmbeddedV4 embedded = embedded_ipv4(address);
    if (embedded.via != Embedding::kNone) {
        if (auto row = find_row(embedded.v4)) {
            return SpecialMatch{*row, embedded.via, embedded.v4};
        }
        return std::nullopt;
    }
    if (auto row = find_row(address)) {
        return SpecialMatch{*row, Embedding::kNone, address};
    }
    return std::nullopt;
}

std::vector<SpecialRange> special_range_table() {
    std::vector<SpecialRange> rows(kV4Ranges.begin(), kV4Ranges.end());
    rows.insert(rows.end(), kV6Ranges.begin(), kV6Ranges.end());
    return rows;
}

std::string describe_special(const SpecialMatch& match) {
    std::string text = "special-purpose range " + std::string(match.range.cidr) + " " +
                       std::string(match.range.name) + " (" + std::string(match.range.source) + ")";
    if (match.via != Embedding::kNone) {
        text += " via " + std::string(embedding_name(match.via)) + " IPv6 embedding of " +
                format_ip(match.judged);
    }
    const std::string_view service = known_service(match.judged);
    if (!service.empty()) {
        text += "; " + std::string(service);
    }
    return text;
}

}  // namespace kars::egress
