// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/egress/allowlist.h"

#include <algorithm>

namespace kars::egress {
namespace {

constexpr std::uint32_t kMaxPort = 65535;

Error bad_entry(std::string_view origin, std::string_view host, std::string why) {
    return make_error(
        "invalid_allowlist_entry",
        std::string(origin) + " host '" + std::string(host.substr(0, 256)) + "': " + why);
}

Result<AllowEntry> parse_wildcard(std::string_view host, AllowEntry entry) {
    const std::string_view suffix = host.substr(2);
    auto canonical = canonicalize_host(suffix);
    if (!canonical) {
        return bad_entry(entry.origin, host, canonical.error().message);
    }
    if (canonical->is_ip()) {
        return bad_entry(entry.origin, host, "a wildcard must be followed by a DNS name");
    }
    if (canonical->text.find('.') == std::string::npos) {
        return bad_entry(entry.origin, host,
                         "a wildcard over a single label ('*.com') admits a whole top-level "
                         "domain; name the registrable domain instead");
    }
    entry.kind = EntryKind::kWildcard;
    entry.name = canonical->text;
    return entry;
}

Result<AllowEntry> parse_host_part(std::string_view host, AllowEntry entry) {
    if (host.find("://") != std::string_view::npos) {
        return bad_entry(entry.origin, host, "must be a bare host, not a URL");
    }
    if (host.find('*') != std::string_view::npos) {
        const bool leading = host.starts_with("*.");
        if (!leading || host.find('*', 1) != std::string_view::npos) {
            return bad_entry(entry.origin, host,
                             "'*' is only allowed as a whole leading label, as in "
                             "'*.example.com'; patterns like 'www*.com', '*example.com' or "
                             "'example.*' are refused");
        }
        return parse_wildcard(host, std::move(entry));
    }
    if (host.find('/') != std::string_view::npos) {
        auto range = parse_cidr(host);
        if (!range) {
            return bad_entry(entry.origin, host, range.error().message);
        }
        // A range holding every address would open every special-purpose range too (cloud
        // metadata, this host's other services) by accident; those must be named.
        if (range->prefix_length == 0) {
            return bad_entry(entry.origin, host,
                             "a /0 range admits every address, including loopback, private and "
                             "cloud-metadata ranges; list the ranges the sandbox needs");
        }
        entry.kind = EntryKind::kRange;
        entry.range = *range;
        return entry;
    }
    auto canonical = canonicalize_host(host);
    if (!canonical) {
        return bad_entry(entry.origin, host, canonical.error().message);
    }
    if (canonical->is_ip()) {
        const int bits = canonical->kind == HostKind::kIpv4 ? 32 : 128;
        entry.kind = EntryKind::kAddress;
        entry.range = Cidr{*canonical->address, bits};
        return entry;
    }
    entry.kind = EntryKind::kExactName;
    entry.name = canonical->text;
    return entry;
}

bool range_holds(const Cidr& range, const IpAddress& address) {
    return cidr_contains(range, address) || cidr_contains(range, effective_address(address));
}

}  // namespace

std::string AllowEntry::display() const {
    std::string host;
    switch (kind) {
        case EntryKind::kExactName:
            host = name;
            break;
        case EntryKind::kWildcard:
            host = "*." + name;
            break;
        case EntryKind::kAddress:
            host = range.base.family == IpFamily::kV6 ? "[" + format_ip(range.base) + "]"
                                                      : format_ip(range.base);
            break;
        case EntryKind::kRange:
            host = format_cidr(range);
            break;
    }
    return host + ":" + std::to_string(port);
}

Result<AllowEntry> parse_allow_entry(std::string_view host, std::optional<std::uint32_t> port,
                                     std::string origin) {
    if (!port) {
        return bad_entry(origin, host, "port is required: allowlist entries are port-scoped");
    }
    if (*port == 0 || *port > kMaxPort) {
        return bad_entry(origin, host, "port " + std::to_string(*port) + " is outside 1-65535");
    }
    AllowEntry entry;
    entry.port = static_cast<std::uint16_t>(*port);
    entry.origin = std::move(origin);
    return parse_host_part(host, std::move(entry));
}

bool entry_matches(const AllowEntry& entry, const CanonicalHost& host, std::uint16_t port) {
    if (entry.port != port) {
        return false;
    }
    switch (entry.kind) {
        case EntryKind::kExactName:
            return !host.is_ip() && host.text == entry.name;
        case EntryKind::kWildcard:
            // Both sides are canonical, so a suffix match preceded by '.' is a label match.
            return !host.is_ip() && host.text.size() > entry.name.size() + 1 &&
                   host.text.ends_with(entry.name) &&
                   host.text[host.text.size() - entry.name.size() - 1] == '.';
        case EntryKind::kAddress:
        case EntryKind::kRange:
            return host.is_ip() && range_holds(entry.range, *host.address);
    }
    return false;
}

bool entry_holds_address(const AllowEntry& entry, const IpAddress& address, std::uint16_t port) {
    if (entry.port != port) {
        return false;
    }
    if (entry.kind != EntryKind::kAddress && entry.kind != EntryKind::kRange) {
        return false;
    }
    return range_holds(entry.range, address);
}

Result<Allowlist> Allowlist::load(const std::vector<manifest::Endpoint>& endpoints) {
    Allowlist list;
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
        const auto& endpoint = endpoints[i];
        std::optional<std::uint32_t> port;
        if (endpoint.port) {
            port = *endpoint.port;
        }
        auto entry =
            parse_allow_entry(endpoint.host, port, "allowedEndpoints[" + std::to_string(i) + "]");
        if (!entry) {
            return entry.error();
        }
        list.add(std::move(*entry));
    }
    return list;
}

const AllowEntry* Allowlist::match(const CanonicalHost& host, std::uint16_t port) const {
    for (const auto& entry : entries_) {
        if (entry_matches(entry, host, port)) {
            return &entry;
        }
    }
    return nullptr;
}

const AllowEntry* Allowlist::match_address(const IpAddress& address, std::uint16_t port) const {
    for (const auto& entry : entries_) {
        if (entry_holds_address(entry, address, port)) {
            return &entry;
        }
    }
    return nullptr;
}

std::vector<std::uint16_t> Allowlist::ports_for(const CanonicalHost& host) const {
    std::vector<std::uint16_t> ports;
    for (const auto& entry : entries_) {
        if (entry_matches(entry, host, entry.port)) {
            ports.push_back(entry.port);
        }
    }
    std::sort(ports.begin(), ports.end());
    ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
    return ports;
}

}  // namespace kars::egress
