// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// What the governance engine answers for one action, and the caller-supplied facts it
// answers from. Every answer names the rule that decided it, so a deny shown to a user, an
// audit entry and a metric label can all point at the same line of policy.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace kars::governance {

enum class Verdict { kAllowed, kDenied, kRequiresApproval, kRateLimited };

// Which kind of policy produced a decision (the eval corpus's `byPolicyKind`).
enum class PolicyKind {
    kGovernanceProfile,  // a rule of an AGT-format profile file
    kToolPolicy,         // a ToolPolicy resource, or a rule of its inline profile
    kKarsMemory,         // the memory scope isolation guard
    kActionGrammar,      // the action string itself was refused
    kDefault,            // no rule matched; the documented per-kind default applied
};

std::string_view to_string(Verdict verdict);
std::string_view to_string(PolicyKind kind);

// The rule that decided: enough to find it in its file ("kars-default.yaml", rule 4,
// "shell-safe-commands", pattern "shell:ls").
struct RuleRef {
    PolicyKind kind = PolicyKind::kDefault;
    std::string source;     // file name, "ToolPolicy/<namespace>/<name>", or a fixed label
    std::string rule;       // rule name within the source
    std::size_t index = 0;  // 0-based position of the rule in its source
    std::string pattern;    // the pattern that matched, empty when none did
    std::uint32_t priority = 0;
};

struct Decision {
    Verdict verdict = Verdict::kDenied;
    RuleRef rule;
    std::string reason;                       // one line, written for a person
    std::chrono::nanoseconds retry_after{0};  // kRateLimited only
    std::uint32_t min_approvals = 0;          // kRequiresApproval only

    bool allowed() const { return verdict == Verdict::kAllowed; }
};

using Labels = std::map<std::string, std::string>;

// Money in ISO-4217 minor units (two decimals: "USD 12.50" is {"USD", 1250}).
struct Money {
    std::string currency;
    std::int64_t minor_units = 0;
};

// Facts about a commerce tool call. Spend so far is the caller's ledger: the engine is pure
// and does not record payments, it only compares against ToolPolicy caps.
struct PaymentDetails {
    Money amount;
    std::string counterparty;
    std::int64_t spent_today_minor = 0;
    std::int64_t spent_this_month_minor = 0;
};

// Caller-supplied facts for one evaluation. Pointers are borrowed for the call and may be
// null ("not known"); nothing is retained after evaluate() returns.
struct EvalContext {
    // Principal: the sandbox name. Rate-limit counters are kept per sandbox.
    std::string_view sandbox;
    // Labels of that sandbox, for ToolPolicy appliesTo.sandboxMatchLabels.
    const Labels* sandbox_labels = nullptr;
    // The sandbox's KarsMemory scope; empty means the convention "agent_<sandbox>".
    std::string_view memory_scope;
    // Key/value facts for profile `conditions` (a rule with conditions never matches
    // when this is null).
    const std::map<std::string, std::string, std::less<>>* attributes = nullptr;
    const PaymentDetails* payment = nullptr;
    // Injected monotonic time for rate limiting; tests and benchmarks drive it.
    std::chrono::steady_clock::time_point now{};
    // False when the question is "may this be used at all" (a tool offered to a model, a
    // tool listed to an MCP client) rather than a use: rate limits are then neither checked
    // nor charged, so looking at a tool never spends its budget of calls.
    bool consume_limits = true;
};

}  // namespace kars::governance
