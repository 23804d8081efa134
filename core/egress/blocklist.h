// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Threat-intelligence blocklists. A blocked domain blocks every name under it, and a blocked
// host is refused even when the allowlist or an approval names it: a feed marking a domain
// malicious outranks an operator's earlier trust in it. Loading is from text; the caller
// reads files or downloads and builds a fresh Blocklist on reload.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/egress/canonical_host.h"
#include "core/result.h"

namespace kars::egress {

enum class BlocklistFormat {
    kAuto,     // decide per line: "||" adblock, "<ip> <names>" hosts, else one domain
    kHosts,    // "0.0.0.0 a.test b.test # comment" (any address in the first column)
    kDomains,  // one domain per line; a leading "*." or "." is dropped (it blocks subdomains
               // anyway)
    kAdblock,  // "||domain^" and "||domain^$options"; other rule types are skipped
};

// What one load did. Malformed lines are skipped, not fatal (feeds are messy); the first one
// is reported so an operator can find it.
struct BlocklistLoadStats {
    std::size_t entries = 0;             // domains added by this source
    std::size_t skipped = 0;             // lines that were not comments but could not be used
    std::size_t first_skipped_line = 0;  // 1-based; 0 when nothing was skipped
    std::string first_skipped_reason;
};

// Which line blocked a host.
struct BlockMatch {
    std::string source;    // the name given to add_source
    std::size_t line = 0;  // 1-based line in that source
    std::string domain;    // the listed domain (the host itself or a parent)
};

class Blocklist {
public:
    // Parses one source. Fails only on a duplicate source name or more than kMaxEntries
    // domains in total; a line of "*" or other patterns is skipped and counted, so a feed can
    // never turn into "deny everything" (default-deny is Enforce mode's job).
    Result<BlocklistLoadStats> add_source(std::string source, std::string_view text,
                                          BlocklistFormat format);

    // The line blocking this host or one of its parent domains; IP hosts match only an
    // exactly listed address (or the IPv4 address an IPv6 form embeds).
    std::optional<BlockMatch> match(const CanonicalHost& host) const;

    // The line listing this address, for checking resolved addresses.
    std::optional<BlockMatch> match_address(const IpAddress& address) const;

    std::size_t size() const { return domains_.size(); }

    static constexpr std::size_t kMaxEntries = 4'000'000;

private:
    struct Origin {
        std::uint32_t source = 0;
        std::uint32_t line = 0;
    };

    std::optional<BlockMatch> lookup(const std::string& key) const;

    std::vector<std::string> sources_;
    std::unordered_map<std::string, Origin> domains_;
};

}  // namespace kars::egress
