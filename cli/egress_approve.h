// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// `kars egress approve`: an EgressApproval (kars.azure.com/v1alpha1) written into the
// directory the router reads approvals from. Locally there is no controller, so the CLI
// stamps the status a controller would (phase Active, effectiveAt, expiresAt); the router
// enforces expiresAt with its own clock.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "core/egress/approvals.h"
#include "core/result.h"

namespace kars::cli {

// Longest grant, as the CRD's hard ceiling: seven days.
inline constexpr std::chrono::seconds kMaxApprovalTtl = egress::kMaxApprovalLifetime;

// "90s", "15m", "1h", "1h30m", "2d", or ISO 8601 "PT1H", "P1D", "PT1H30M". Positive and at
// most kMaxApprovalTtl.
Result<std::chrono::seconds> parse_ttl(std::string_view text);

// The ISO 8601 duration for spec.ttl ("PT1H30M", "P2D").
std::string iso_duration(std::chrono::seconds ttl);

struct ApprovalRequest {
    std::string sandbox;
    std::string host;  // as given, checked with the allowlist syntax
    std::uint16_t port = 443;
    std::chrono::seconds ttl{3600};
    std::string reason;
    std::string ticket;  // optional
    std::string name;    // metadata.name; empty = derived from sandbox, host and time
    std::string namespace_name = "default";
};

// "HOST", "HOST:PORT", "[v6]:PORT", "*.example.com:443" (Boost.URL authority grammar); no
// port means 443, as the router grants a port-less approval on 443 only.
Result<ApprovalRequest> parse_approval_target(std::string_view text, ApprovalRequest base);

// The EgressApproval YAML document for `request`, effective at `now`.
std::string approval_yaml(const ApprovalRequest& request,
                          std::chrono::system_clock::time_point now);

// Validates the request (host syntax, reason rules), writes `<dir>/<name>.yaml` atomically
// (a temporary file the router ignores, read back through the manifest loader, then renamed)
// and returns the path.
Result<std::filesystem::path> write_approval(const std::filesystem::path& dir,
                                             ApprovalRequest request,
                                             std::chrono::system_clock::time_point now);

}  // namespace kars::cli
