// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/governance/policy_engine.h"

#include <utility>

#include "core/governance/evaluator.h"

namespace kars::governance {

PolicyEngine::PolicyEngine(PolicySet set, std::size_t max_rate_keys)
    : set_(std::move(set)), limiter_(max_rate_keys) {}

Status PolicyEngine::reload(std::span<const ProfileSource> profiles,
                            std::span<const ToolPolicy> tool_policies) {
    auto built = PolicySet::build(profiles, tool_policies);
    if (!built) return built.error();
    replace(std::move(*built));
    return ok_status();
}

void PolicyEngine::replace(PolicySet set) {
    std::lock_guard lock(mutex_);
    set_ = std::move(set);
}

PolicySet PolicyEngine::current() const {
    std::lock_guard lock(mutex_);
    return set_;
}

Decision PolicyEngine::evaluate(std::string_view action, const EvalContext& ctx) {
    // Copying the set is one shared_ptr copy; a concurrent reload cannot change the rules
    // under an evaluation in progress.
    PolicySet set = current();
    return governance::evaluate(set, action, ctx, limiter_);
}

}  // namespace kars::governance
