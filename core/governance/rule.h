// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// One compiled policy rule, as read from an AGT-format profile (a file, or the inline
// profile of a ToolPolicy). Patterns are compiled; nothing here is re-parsed per decision.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/governance/action_pattern.h"
#include "core/governance/decision.h"

namespace kars::governance {

enum class RuleType { kCapability, kApproval, kRateLimit };

struct Condition {
    std::string key;
    std::vector<std::string> values;  // the context value must equal one of these
};

struct Rule {
    PolicyKind kind = PolicyKind::kGovernanceProfile;
    std::string source;  // file name or "ToolPolicy/<namespace>/<name>"
    std::string name;
    std::size_t index = 0;  // position in its source
    RuleType type = RuleType::kCapability;
    std::uint32_t priority = 0;

    std::vector<ActionPattern> allowed;  // capability
    std::vector<ActionPattern> denied;   // capability
    std::vector<ActionPattern> actions;  // approval and rate_limit

    std::uint32_t min_approvals = 1;     // approval
    std::uint32_t max_calls = 0;         // rate_limit
    std::chrono::nanoseconds window{0};  // rate_limit

    std::vector<Condition> conditions;  // all must hold
    Labels sandbox_selector;            // ToolPolicy inline profiles: appliesTo labels
};

}  // namespace kars::governance
