// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/governance/tool_policy_gate.h"

#include <algorithm>
#include <string>

namespace kars::governance {
namespace {

Decision verdict(Verdict v, const ToolPolicy& policy, std::string rule, std::string reason) {
    Decision d;
    d.verdict = v;
    d.rule.kind = PolicyKind::kToolPolicy;
    d.rule.source = policy.source;
    d.rule.rule = std::move(rule);
    d.reason = std::move(reason);
    if (v == Verdict::kRequiresApproval) d.min_approvals = 1;
    return d;
}

std::string format(const Money& m) {
    std::string units = std::to_string(m.minor_units / 100);
    std::string cents = std::to_string(m.minor_units % 100);
    if (cents.size() < 2) cents.insert(0, "0");
    return m.currency + " " + units + "." + cents;
}

std::optional<Decision> check_commerce(const ToolPolicy& policy, const Action& action,
                                       const EvalContext& ctx) {
    const CommerceCaps& caps = *policy.commerce;
    const std::string tool(action.match_text());
    const PaymentDetails* pay = ctx.payment;
    if (!pay) {
        return verdict(Verdict::kDenied, policy, "commerce",
                       "'" + tool + "' moves money under " + policy.source +
                           " but the call carries no payment details");
    }
    if (pay->amount.minor_units < 0) {
        return verdict(Verdict::kDenied, policy, "commerce", "negative payment amount");
    }
    auto in_list = std::find(caps.counterparty_allowlist.begin(), caps.counterparty_allowlist.end(),
                             pay->counterparty);
    if (in_list == caps.counterparty_allowlist.end()) {
        return verdict(
            Verdict::kDenied, policy, "commerce.counterpartyAllowlist",
            "counterparty '" + pay->counterparty + "' is not in allowlist of " + policy.source);
    }
    struct Cap {
        const std::optional<Money>& cap;
        std::int64_t already;
        const char* field;
    };
    for (const Cap& c :
         {Cap{caps.per_transfer_cap, 0, "commerce.perTransferCap"},
          Cap{caps.daily_cap, pay->spent_today_minor, "commerce.dailyCap"},
          Cap{caps.monthly_cap, pay->spent_this_month_minor, "commerce.monthlyCap"}}) {
        if (!c.cap) continue;
        if (c.cap->currency != pay->amount.currency) {
            return verdict(Verdict::kDenied, policy, c.field,
                           "payment currency " + pay->amount.currency + " differs from " + c.field +
                               " currency " + c.cap->currency);
        }
        // Both terms are below 10^15 after validation, so the sum cannot overflow.
        if (std::max<std::int64_t>(c.already, 0) + pay->amount.minor_units > c.cap->minor_units) {
            return verdict(Verdict::kDenied, policy, c.field,
                           format(pay->amount) + " would exceed " + c.field + " " + format(*c.cap));
        }
    }
    return std::nullopt;
}

}  // namespace

const ToolPolicy* select_tool_policy(const std::vector<ToolPolicy>& policies, const Action& action,
                                     const Labels* sandbox_labels) {
    const ToolPolicy* best = nullptr;
    int best_score = -1;
    for (const ToolPolicy& p : policies) {
        if (!tool_policy_applies(p, action, sandbox_labels)) continue;
        int score = tool_policy_specificity(p);
        if (score > best_score) {
            best = &p;
            best_score = score;
        }
    }
    return best;
}

std::optional<Decision> gate_tool_call(const ToolPolicy& policy, const Action& action,
                                       const EvalContext& ctx) {
    if (policy.commerce) {
        if (auto denied = check_commerce(policy, action, ctx)) return denied;
    }
    const std::string tool(action.match_text());
    switch (policy.approval_mode) {
        case ApprovalMode::kNever:
            return std::nullopt;
        case ApprovalMode::kAlways:
            return verdict(Verdict::kRequiresApproval, policy, "approval.mode=always",
                           policy.source + " requires approval for every call of '" + tool + "'");
        case ApprovalMode::kAboveThreshold: {
            if (!policy.approval_threshold) return std::nullopt;
            const Money& limit = *policy.approval_threshold;
            const PaymentDetails* pay = ctx.payment;
            // Without a comparable amount the call cannot be shown to be below the
            // threshold, so it is treated as above it.
            if (!pay || pay->amount.currency != limit.currency ||
                pay->amount.minor_units > limit.minor_units) {
                return verdict(
                    Verdict::kRequiresApproval, policy, "approval.threshold",
                    policy.source + " requires approval for '" + tool + "' above " + format(limit));
            }
            return std::nullopt;
        }
    }
    return std::nullopt;
}

}  // namespace kars::governance
