// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Builds the governance policy a router enforces from its config: the profile files named
// in `governance.profiles` (or the built-in default profile) merged with every ToolPolicy
// of the sandbox manifest. A reload that fails here keeps the previous policy in force.

#include <memory>
#include <string>
#include <vector>

#include "core/governance/policy_set.h"
#include "core/manifest/manifest.h"
#include "core/result.h"
#include "router/config/router_config.h"

namespace kars::router::config {

struct GovernancePolicy {
    governance::PolicySet set;
    std::vector<std::string> sources;  // profile names and ToolPolicy ids, for logs
};

// `manifest` may be null (no manifest configured).
Result<GovernancePolicy> build_governance_policy(const RouterConfig& cfg,
                                                 const manifest::Manifest* manifest);

}  // namespace kars::router::config
