// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// ToolPolicy resources (kars.azure.com/v1alpha1, crd-toolpolicy.yaml) compiled for the
// governance engine from the JSON spec the manifest loader keeps. Fields read:
//   appliesTo.tool / appliesTo.mcpServer / appliesTo.sandboxMatchLabels (at least one label)
//   rateLimit.rps / rateLimit.burst / rateLimit.window
//   approval.mode (never | always | aboveThreshold) / approval.threshold / approval.channel
//   commerce.counterpartyAllowlist / dailyCap / monthlyCap / perTransferCap
//   agtProfile.inline (an AGT profile whose rules apply to the selected sandboxes)
//   agtProfile.bundleRef (recorded only: fetching and verifying bundles is the controller's)
//   displayName
// Unknown spec fields are errors naming the field. Errors have code "invalid_tool_policy"
// and read "ToolPolicy/<namespace>/<name>: spec.<path>: <reason>".

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/governance/action.h"
#include "core/governance/decision.h"
#include "core/governance/rule.h"
#include "core/manifest/manifest.h"
#include "core/result.h"

namespace kars::governance {

enum class ApprovalMode { kNever, kAlways, kAboveThreshold };

// Token bucket: `capacity` calls at once, refilled at `per_second`.
struct ToolRateLimit {
    double per_second = 0;
    double capacity = 0;
};

struct CommerceCaps {
    std::vector<std::string> counterparty_allowlist;  // empty denies every counterparty
    std::optional<Money> per_transfer_cap;
    std::optional<Money> daily_cap;
    std::optional<Money> monthly_cap;
};

struct ToolPolicy {
    std::string source;  // "ToolPolicy/<namespace>/<name>"
    std::string display_name;

    std::string tool;        // empty or "*": every tool; may contain '*' globs
    std::string mcp_server;  // empty: any server (and built-in tools)
    Labels sandbox_match_labels;

    ApprovalMode approval_mode = ApprovalMode::kNever;
    std::optional<Money> approval_threshold;
    std::string approval_channel;

    std::optional<CommerceCaps> commerce;
    std::optional<ToolRateLimit> rate_limit;

    std::vector<Rule> inline_rules;  // from agtProfile.inline, with sandbox_selector set
    std::string bundle_ref_digest;   // agtProfile.bundleRef.digest, when given
};

Result<ToolPolicy> compile_tool_policy(const manifest::OpaqueResource& resource);
Result<ToolPolicy> compile_tool_policy(const manifest::ObjectMeta& metadata,
                                       const boost::json::value& spec);

// Whether `policy` selects this tool call: a tool:<name> or mcp:<server>:<tool> action
// from a sandbox whose labels contain every appliesTo.sandboxMatchLabels pair.
bool tool_policy_applies(const ToolPolicy& policy, const Action& action,
                         const Labels* sandbox_labels);

// Higher is more specific (exact tool > glob > any; a named server; more labels); the
// engine uses the most specific matching policy, as the CRD's "bottom-up" rule asks.
int tool_policy_specificity(const ToolPolicy& policy);

// True when every selector label is present with the same value in `labels`.
bool labels_match(const Labels& selector, const Labels* labels);

}  // namespace kars::governance
