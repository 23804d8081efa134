// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// EgressApproval (kars.azure.com/v1alpha1): a temporary, scoped widening of one sandbox's
// egress allowlist. kars reads it; whether it is active (TTL, sandbox readiness) is decided
// by the egress layer.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/manifest/object_meta.h"
#include "core/manifest/sandbox.h"
#include "core/manifest/yaml_reader.h"

namespace kars::manifest {

inline constexpr std::string_view kEgressApprovalKind = "EgressApproval";

struct EgressApproval {
    SourceRef source;
    ObjectMeta metadata;
    std::string sandbox;          // same-namespace KarsSandbox name
    std::vector<Endpoint> hosts;  // 1..16 entries
    std::string reason;           // 1..512 characters, no control bytes
    std::string ttl;              // ISO 8601 duration as written ("PT15M"); not interpreted here
    std::optional<std::string> ticket;
};

// Reads one EgressApproval document with the CRD's size rules.
EgressApproval read_egress_approval(FieldReader& reader, const Field& document);

}  // namespace kars::manifest
