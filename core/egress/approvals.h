// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// EgressApproval grants: temporary, port-scoped additions to a sandbox's allowlist that stop
// counting at status.expiresAt. Expiry is judged against a clock the caller passes in, so the
// router does not depend on the controller deleting files on time (the reference did).

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/egress/allowlist.h"
#include "core/manifest/egress_approval.h"
#include "core/result.h"

namespace kars::egress {

using Clock = std::chrono::system_clock;

// An approval's entries use the allowlist syntax. A host without a port (the CRD allows it)
// is granted on 443 only: an approval widens HTTPS reach, never every port of a host.
inline constexpr std::uint16_t kApprovalDefaultPort = 443;

// The longest an EgressApproval may last, from effectiveAt to expiresAt. Checked where
// approvals are written (the CLI) and where they are read (the router), so a hand-edited
// status cannot open a host for longer.
inline constexpr std::chrono::seconds kMaxApprovalLifetime{7 * 24 * 3600};

struct ApprovalGrant {
    std::string name;  // metadata.name of the EgressApproval
    std::vector<AllowEntry> entries;
    Clock::time_point expires_at;
    Clock::time_point effective_at = Clock::time_point::min();  // not counted before this
};

// A matched grant: which approval and entry admitted the host.
struct ApprovalMatch {
    const ApprovalGrant* grant = nullptr;
    const AllowEntry* entry = nullptr;
};

// "2026-03-01T12:00:00Z" (UTC) for decision messages.
std::string format_utc(Clock::time_point when);

class ApprovalSet {
public:
    // Adds an approval. Its hosts are parsed like allowedEndpoints and the whole approval is
    // refused if one is malformed; a grant with no hosts or without a name is refused.
    Status add(std::string name, const std::vector<manifest::Endpoint>& hosts,
               Clock::time_point expires_at);

    // Adds an approval read from a manifest, live from effective_at until expires_at (the
    // caller reads both from its status, which manifests do not carry). A window longer than
    // kMaxApprovalLifetime is refused.
    Status add(const manifest::EgressApproval& approval, Clock::time_point effective_at,
               Clock::time_point expires_at);

    // The first live grant admitting host:port at `now`. A grant is live while
    // effective_at <= now < expires_at; at expiresAt it no longer counts.
    ApprovalMatch match(const CanonicalHost& host, std::uint16_t port, Clock::time_point now) const;

    // Expired grants that matched host:port, so a denial can say "approval X expired at T".
    ApprovalMatch match_expired(const CanonicalHost& host, std::uint16_t port,
                                Clock::time_point now) const;

    const std::vector<ApprovalGrant>& grants() const { return grants_; }

private:
    std::vector<ApprovalGrant> grants_;
};

}  // namespace kars::egress
