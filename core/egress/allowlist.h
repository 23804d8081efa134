// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The sandbox egress allowlist (KarsSandbox spec.networkPolicy.allowedEndpoints). Every entry
// is port-scoped: an allowlisted name that resolves to a host with other open ports must not
// expose them (peers.md 8A.5).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/egress/canonical_host.h"
#include "core/egress/ip_literal.h"
#include "core/manifest/sandbox.h"
#include "core/result.h"

namespace kars::egress {

enum class EntryKind {
    kExactName,  // "api.openai.com"
    kWildcard,   // "*.example.com": any name with one or more labels in front of example.com
    kAddress,    // "10.1.2.3", "[::1]": that one address
    kRange,      // "10.0.0.0/8", "fd00::/8"
};

struct AllowEntry {
    EntryKind kind = EntryKind::kExactName;
    std::string name;  // canonical name, or the suffix after "*." for kWildcard
    Cidr range;        // kAddress (as /32 or /128) and kRange
    std::uint16_t port = 0;
    std::string origin;  // where it came from, e.g. "allowedEndpoints[2]"

    // The entry as written back in canonical form: "*.example.com:443", "10.0.0.0/8:5432".
    std::string display() const;
};

// Parses one entry. A '*' is accepted only as a whole leading "*." label; "www*.com",
// "*example.com", "example.*", "a.*.b" and a bare "*" are refused, as are wildcards over a
// single label ("*.com"), URLs, CIDR ranges with host bits set, a missing port and port 0.
Result<AllowEntry> parse_allow_entry(std::string_view host, std::optional<std::uint32_t> port,
                                     std::string origin);

// True when the entry admits this canonical host on this port. Name entries never match IP
// hosts; address entries compare the address and, for IPv6 transition forms, the embedded
// IPv4 address. A wildcard never matches its own apex: "*.example.com" does not admit
// "example.com".
bool entry_matches(const AllowEntry& entry, const CanonicalHost& host, std::uint16_t port);

// True when an address or range entry holds this address on this port.
bool entry_holds_address(const AllowEntry& entry, const IpAddress& address, std::uint16_t port);

class Allowlist {
public:
    Allowlist() = default;

    // Loads allowedEndpoints all-or-nothing: one bad entry fails the load with a message that
    // names its index, so a typo can never silently narrow or widen the policy.
    static Result<Allowlist> load(const std::vector<manifest::Endpoint>& endpoints);

    // Adds one parsed entry (used by load and by tests building policies by hand).
    void add(AllowEntry entry) { entries_.push_back(std::move(entry)); }

    // The first entry admitting host:port, or nullptr.
    const AllowEntry* match(const CanonicalHost& host, std::uint16_t port) const;

    // The first address or range entry holding the address on this port, or nullptr. Only
    // these entries may open a special-purpose address.
    const AllowEntry* match_address(const IpAddress& address, std::uint16_t port) const;

    // Ports on which some entry admits the host, for "allowed only on ..." messages.
    std::vector<std::uint16_t> ports_for(const CanonicalHost& host) const;

    const std::vector<AllowEntry>& entries() const { return entries_; }

private:
    std::vector<AllowEntry> entries_;
};

}  // namespace kars::egress
