// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// One governance decision: action string in, Decision out. The order of checks is the
// contract (docs/governance.md, "Evaluation order"):
//
//   1. grammar     an action that does not parse is Denied (kActionGrammar);
//   2. memory      memory:* actions outside the sandbox's own scope are Denied (kKarsMemory);
//   3. deny        any matching denied_actions pattern, at any priority, Denies;
//   4. tiers       the highest priority with a matching allow, approval, or allow-list miss
//                  decides; within it: approval > allow > miss ("not in allowlist"), so
//                  allow lists of equal priority add up instead of excluding each other;
//   5. default     nothing matched: output and own-scope memory are Allowed, every other
//                  kind is Denied ("not in allowlist");
//   6. ToolPolicy  an allowed tool:/mcp: call meets its most specific ToolPolicy: commerce
//                  caps (Denied), then approval mode (RequiresApproval);
//   7. limits      an allowed call passes every matching rate_limit rule and the ToolPolicy
//                  rate limit, or is RateLimited (no token is taken when any refuses).

#include <string_view>

#include "core/governance/action.h"
#include "core/governance/decision.h"
#include "core/governance/policy_set.h"
#include "core/governance/rate_limiter.h"

namespace kars::governance {

Decision evaluate(const PolicySet& set, std::string_view action, const EvalContext& ctx,
                  RateLimiter& limiter);
Decision evaluate(const PolicySet& set, const Action& action, const EvalContext& ctx,
                  RateLimiter& limiter);

}  // namespace kars::governance
