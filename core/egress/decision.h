// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The egress decision: for a host and port, and then for every address the caller's resolver
// returned, whether the sandbox may connect and which rule said so. Pure code, no sockets and
// no resolver, so every path into the network (CONNECT, absolute-form HTTP, transparent TLS,
// relayed tunnels) gets the same answer for the same authority (peers.md 8A.1).
//
// Order (docs/egress.md):
//   1. canonicalise the host; invalid -> denied (invalid host); port outside 1-65535 -> denied
//   2. blocklist (host or a parent domain; IP literal exactly) -> denied, even if allowlisted
//   3. special-purpose address or loopback name -> denied unless an allowedEndpoints entry
//      names that address or a CIDR range holding it on this port (learn mode included)
//   4. allowedEndpoints entry for host:port -> allowed
//   5. unexpired EgressApproval entry for host:port -> allowed
//   6. learn mode -> allowed and to be recorded
//   7. otherwise -> denied (not in allowlist)

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/egress/allowlist.h"
#include "core/egress/approvals.h"
#include "core/egress/blocklist.h"
#include "core/egress/canonical_host.h"
#include "core/egress/ip_literal.h"

namespace kars::egress {

// Enforce is the default; learn mode must be chosen explicitly.
enum class EgressMode { kEnforce, kLearn };

enum class Verdict { kAllowed, kDenied };

// Which rule decided.
enum class DecidedBy {
    kAllowlist,       // an allowedEndpoints entry (allowed)
    kApproval,        // an unexpired EgressApproval entry (allowed)
    kLearnMode,       // nothing matched, learn mode allowed it (allowed; record it)
    kBlocklist,       // a blocklist line (denied)
    kSpecialAddress,  // a special-purpose range or a loopback name (denied)
    kNotAllowlisted,  // nothing matched in enforce mode (denied)
    kInvalidHost,     // the host failed canonicalisation (denied)
    kInvalidPort,     // port 0 or above 65535 (denied)
    kResolution,      // no resolved address, or a literal's address disagreed (denied)
};

struct Decision {
    Verdict verdict = Verdict::kDenied;
    DecidedBy decided_by = DecidedBy::kInvalidHost;
    std::string host;  // canonical text; the sanitised input when invalid
    std::optional<CanonicalHost> canonical;
    std::uint16_t port = 0;
    std::string rule;    // "allowedEndpoints[2] *.example.com:443", "blocklist oisd line 17 ..."
    std::string reason;  // one sentence naming host, port and rule, for a 403 body and the audit
    std::optional<Clock::time_point> expires_at;  // set when an approval decided

    bool allowed() const { return verdict == Verdict::kAllowed; }
    // The policy kind that owns the rule: EgressAllowlist, EgressApproval, EgressBlocklist or
    // EgressLearnMode (special addresses and invalid hosts belong to the allowlist policy).
    std::string_view policy_kind() const;
    // A stable machine code for metrics and audit: "allowlist", "special_address", ...
    std::string_view code() const;
};

// The answer for a resolved name: where to connect, or which address was refused.
struct ResolvedDecision {
    Decision decision;
    std::optional<IpAddress> connect_to;       // set when allowed: dial exactly this
    std::optional<IpAddress> refused_address;  // set when a resolved address was refused
};

// Everything the engine consults for one sandbox. Built by the caller at load/reload.
struct EgressPolicy {
    EgressMode mode = EgressMode::kEnforce;
    std::string mode_origin = "default";  // which setting chose the mode, for logs
    Allowlist allowlist;
    Blocklist blocklist;
    ApprovalSet approvals;
};

// Decides host:port at `now`. `host` may be a name or an IP literal in any notation,
// bracketed or not; `port` is taken wide so that 0 and values above 65535 are refused here.
Decision decide(const EgressPolicy& policy, std::string_view host, std::uint32_t port,
                Clock::time_point now);

// Checks the caller's resolver answer for a name decide() allowed. Every address is judged
// (special-purpose ranges unless allowlisted by address, blocklisted addresses), and the name
// is decided again at `now`; one bad address refuses the connection. On success connect_to
// is the first address: the caller dials it and never resolves again (DNS rebinding). For an
// IP-literal host, `addresses` may be empty; any address given must equal the literal.
ResolvedDecision decide_resolved(const EgressPolicy& policy, const Decision& name_decision,
                                 std::span<const IpAddress> addresses, Clock::time_point now);

}  // namespace kars::egress
