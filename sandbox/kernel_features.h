// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// What the running kernel offers for sandboxing, probed once before a launch, and the rule
// that turns a missing feature into a refusal (or, with allow_degraded, a loud warning).

#include <string>
#include <vector>

#include "core/result.h"

namespace kars::sandbox {

struct KernelFeatures {
    bool user_namespaces = false;
    std::string user_namespaces_detail;  // why not, when false
    int landlock_abi = 0;                // 0: Landlock unavailable
    std::string landlock_detail;
};

// Probes by trying: a forked child calls unshare(CLONE_NEWUSER), and
// landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION) reports the ABI.
KernelFeatures probe_kernel_features();

// Refuses when user namespaces or Landlock are missing, naming what is missing and how to
// fix it, unless allow_degraded; then each gap is appended to warnings instead.
Status check_required_features(const KernelFeatures& features, bool allow_degraded,
                               std::vector<std::string>* warnings);

}  // namespace kars::sandbox
