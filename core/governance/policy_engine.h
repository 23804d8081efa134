// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// PolicyEngine: the current PolicySet plus rate-limit state, safe to share between threads.
// Reloading builds a complete new set first and swaps it in only on success, so a bad file
// leaves the previous policy in force; rate-limit buckets survive reloads (they are keyed
// by "<source>#<rule name>", not by the set).

#include <cstddef>
#include <mutex>
#include <span>
#include <string_view>

#include "core/governance/decision.h"
#include "core/governance/policy_set.h"
#include "core/governance/rate_limiter.h"
#include "core/result.h"

namespace kars::governance {

class PolicyEngine {
public:
    explicit PolicyEngine(PolicySet set = PolicySet(),
                          std::size_t max_rate_keys = kDefaultMaxRateKeys);

    // Builds a set from all inputs; on error the current set stays and the error (naming
    // file and field) is returned.
    Status reload(std::span<const ProfileSource> profiles,
                  std::span<const ToolPolicy> tool_policies = {});
    void replace(PolicySet set);
    PolicySet current() const;

    Decision evaluate(std::string_view action, const EvalContext& ctx);

private:
    mutable std::mutex mutex_;  // guards set_ only; evaluation runs on a copy
    PolicySet set_;
    RateLimiter limiter_;
};

}  // namespace kars::governance
