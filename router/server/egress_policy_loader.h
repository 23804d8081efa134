// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Builds the egress proxy's EgressPolicy from the router config's `egress:` section, the
// sandbox manifest's networkPolicy.allowedEndpoints, blocklist files and EgressApproval
// files. Runs at start-up and on every SIGHUP; any error keeps the previous policy.

#include <memory>

#include "core/egress/decision.h"
#include "core/result.h"
#include "router/config/router_config.h"

namespace kars::router::server {

// Loads everything the policy names. Allowed endpoints from the config come first (their
// origin is "egress.allowed_endpoints[i]"), then the manifest's ("allowedEndpoints[i]").
Result<std::shared_ptr<const egress::EgressPolicy>> build_egress_policy(
    const config::RouterConfig& cfg);

}  // namespace kars::router::server
