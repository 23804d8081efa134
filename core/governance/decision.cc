// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/governance/decision.h"

namespace kars::governance {

std::string_view to_string(Verdict verdict) {
    switch (verdict) {
        case Verdict::kAllowed:
            return "Allowed";
        case Verdict::kDenied:
            return "Denied";
        case Verdict::kRequiresApproval:
            return "RequiresApproval";
        case Verdict::kRateLimited:
            return "RateLimited";
    }
    return "Denied";
}

std::string_view to_string(PolicyKind kind) {
    switch (kind) {
        case PolicyKind::kGovernanceProfile:
            return "GovernanceProfile";
        case PolicyKind::kToolPolicy:
            return "ToolPolicy";
        case PolicyKind::kKarsMemory:
            return "KarsMemory";
        case PolicyKind::kActionGrammar:
            return "ActionGrammar";
        case PolicyKind::kDefault:
            return "Default";
    }
    return "Default";
}

}  // namespace kars::governance
