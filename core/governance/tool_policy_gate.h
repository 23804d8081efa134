// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The part of a ToolPolicy that gates an otherwise allowed tool call: commerce caps, then
// approval. (Rate limits are applied by the evaluator together with profile limits.)

#include <optional>

#include "core/governance/action.h"
#include "core/governance/decision.h"
#include "core/governance/tool_policy.h"

namespace kars::governance {

// The most specific ToolPolicy that applies to `action`, or null. Ties go to the policy
// given first, so the choice is deterministic.
const ToolPolicy* select_tool_policy(const std::vector<ToolPolicy>& policies, const Action& action,
                                     const Labels* sandbox_labels);

// A Denied or RequiresApproval decision when the policy's commerce caps or approval mode
// stop this call; nullopt when the call may proceed.
std::optional<Decision> gate_tool_call(const ToolPolicy& policy, const Action& action,
                                       const EvalContext& ctx);

}  // namespace kars::governance
