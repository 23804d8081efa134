// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/governance/evaluator.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/governance/memory_scope.h"
#include "core/governance/tool_policy_gate.h"

namespace kars::governance {
namespace {

using detail::KindBucket;
using detail::PatternRef;
using detail::PatternRole;
using detail::PolicyIndex;

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

struct Hit {
    std::uint32_t rule = kNone;
    std::uint32_t pattern = 0;
    void keep_best(const PatternRef& ref) {
        if (ref.rule < rule) *this = Hit{ref.rule, ref.pattern};
    }
};

// What matched, collected in one pass over the index. Rule ids are evaluation order, so
// the lowest id of a role is its highest-priority match.
struct Hits {
    Hit deny;
    Hit allow;
    Hit approval;
    // Rules with an allow match; a fixed array because it is almost always tiny. When it
    // overflows, allow-list membership is re-derived from the rule's own patterns.
    std::array<std::uint32_t, 16> allow_rules{};
    std::size_t allow_count = 0;
    bool allow_overflow = false;
    std::array<PatternRef, 16> limits{};
    std::size_t limit_count = 0;
    bool limit_overflow = false;
};

const ActionPattern& pattern_of(const PolicyIndex& index, const PatternRef& ref) {
    const Rule& r = index.rules[ref.rule];
    switch (ref.role) {
        case PatternRole::kAllow:
            return r.allowed[ref.pattern];
        case PatternRole::kDeny:
            return r.denied[ref.pattern];
        default:
            return r.actions[ref.pattern];
    }
}

bool rule_active(const Rule& rule, const EvalContext& ctx) {
    if (!labels_match(rule.sandbox_selector, ctx.sandbox_labels)) return false;
    for (const Condition& c : rule.conditions) {
        if (!ctx.attributes) return false;
        auto it = ctx.attributes->find(c.key);
        if (it == ctx.attributes->end()) return false;
        if (std::find(c.values.begin(), c.values.end(), it->second) == c.values.end()) {
            return false;
        }
    }
    return true;
}

class Matcher {
public:
    Matcher(const PolicyIndex& index, const Action& action, const EvalContext& ctx)
        : index_(index), action_(action), ctx_(ctx) {}

    void scan(const KindBucket& bucket) {
        if (auto it = bucket.exact.find(action_.match_text()); it != bucket.exact.end()) {
            for (const PatternRef& ref : it->second) consider(ref);
        }
        if (action_.segment_count() > 1) {
            std::string_view seg = action_.segment(1);
            auto it = bucket.by_segment1.find(seg);
            if (it != bucket.by_segment1.end()) scan_globs(it->second, {});
            scan_affixes(bucket, seg, {});
        }
        scan_globs(bucket.globs, {});
    }

    // A path-qualified shell command ("/bin/rm") is also checked against deny patterns
    // under its basename, so "shell:rm" cannot be sidestepped by spelling the path. Allow
    // patterns never see the basename: "/tmp/x/ls" is not the allowed "ls".
    void scan_shell_basename(const KindBucket& bucket, std::string_view basename) {
        deny_only_ = true;
        std::string key = "shell:" + std::string(basename);
        if (auto it = bucket.exact.find(key); it != bucket.exact.end()) {
            for (const PatternRef& ref : it->second) consider(ref);
        }
        if (auto it = bucket.by_segment1.find(basename); it != bucket.by_segment1.end()) {
            scan_globs(it->second, basename);
        }
        scan_affixes(bucket, basename, basename);
        scan_globs(bucket.globs, basename);
        deny_only_ = false;
    }

    Hits& hits() { return hits_; }

private:
    void scan_affixes(const KindBucket& bucket, std::string_view seg, std::string_view command) {
        for (const auto& [length, map] : bucket.by_prefix.by_length) {
            if (length > seg.size()) continue;
            auto it = map.find(seg.substr(0, length));
            if (it != map.end()) scan_globs(it->second, command);
        }
        for (const auto& [length, map] : bucket.by_suffix.by_length) {
            if (length > seg.size()) continue;
            auto it = map.find(seg.substr(seg.size() - length));
            if (it != map.end()) scan_globs(it->second, command);
        }
    }

    void scan_globs(const std::vector<PatternRef>& refs, std::string_view command) {
        for (const PatternRef& ref : refs) {
            if (deny_only_ && ref.role != PatternRole::kDeny) continue;
            const ActionPattern& p = pattern_of(index_, ref);
            bool hit =
                command.empty() ? p.matches(action_) : p.matches_with_command(action_, command);
            if (hit) consider(ref);
        }
    }

    void consider(const PatternRef& ref) {
        if (deny_only_ && ref.role != PatternRole::kDeny) return;
        if (!rule_active(index_.rules[ref.rule], ctx_)) return;
        switch (ref.role) {
            case PatternRole::kDeny:
                hits_.deny.keep_best(ref);
                break;
            case PatternRole::kApproval:
                hits_.approval.keep_best(ref);
                break;
            case PatternRole::kAllow:
                hits_.allow.keep_best(ref);
                if (hits_.allow_count < hits_.allow_rules.size()) {
                    hits_.allow_rules[hits_.allow_count++] = ref.rule;
                } else {
                    hits_.allow_overflow = true;
                }
                break;
            case PatternRole::kRateLimit:
                for (std::size_t i = 0; i < hits_.limit_count; ++i) {
                    if (hits_.limits[i].rule == ref.rule) return;
                }
                // Past the array's end a limit would be silently skipped, so refuse instead.
                if (hits_.limit_count == hits_.limits.size()) {
                    hits_.limit_overflow = true;
                    return;
                }
                hits_.limits[hits_.limit_count++] = ref;
                break;
        }
    }

    const PolicyIndex& index_;
    const Action& action_;
    const EvalContext& ctx_;
    Hits hits_;
    bool deny_only_ = false;
};

bool allows(const Hits& hits, const PolicyIndex& index, std::uint32_t rule, const Action& a) {
    for (std::size_t i = 0; i < hits.allow_count; ++i) {
        if (hits.allow_rules[i] == rule) return true;
    }
    if (!hits.allow_overflow) return false;
    const auto& list = index.rules[rule].allowed;
    return std::any_of(list.begin(), list.end(),
                       [&a](const ActionPattern& p) { return p.matches(a); });
}

// The highest-priority active rule that allow-lists this action's kind but does not
// allow the action. The walk stops at the first such rule, so it visits at most the
// rules that matched plus one (and inactive ones).
std::uint32_t first_miss(const PolicyIndex& index, const std::vector<std::uint32_t>& list,
                         const Hits& hits, const Action& action, const EvalContext& ctx,
                         bool check_kind) {
    for (std::uint32_t id : list) {
        const Rule& rule = index.rules[id];
        if (check_kind &&
            std::none_of(rule.allowed.begin(), rule.allowed.end(), [&](const ActionPattern& p) {
                return p.kind_matches(action.segment(0));
            })) {
            continue;
        }
        if (!rule_active(rule, ctx)) continue;
        if (!allows(hits, index, id, action)) return id;
    }
    return kNone;
}

Decision from_rule(Verdict v, const Rule& rule, std::string_view pattern, std::string reason) {
    Decision d;
    d.verdict = v;
    d.rule =
        RuleRef{rule.kind, rule.source, rule.name, rule.index, std::string(pattern), rule.priority};
    d.reason = std::move(reason);
    return d;
}

Decision fixed(Verdict v, PolicyKind kind, std::string source, std::string rule,
               std::string reason) {
    Decision d;
    d.verdict = v;
    d.rule.kind = kind;
    d.rule.source = std::move(source);
    d.rule.rule = std::move(rule);
    d.reason = std::move(reason);
    return d;
}

std::string in_quotes(std::string_view s) {
    return "'" + std::string(s) + "'";
}

std::string format_window(std::chrono::nanoseconds w) {
    auto s = std::chrono::duration_cast<std::chrono::seconds>(w).count();
    if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
    if (s % 60 == 0) return std::to_string(s / 60) + "m";
    return std::to_string(s) + "s";
}

Decision decide_by_rules(const PolicyIndex& index, const Action& action, const EvalContext& ctx,
                         Matcher& matcher) {
    const KindBucket* bucket = nullptr;
    if (auto it = index.kinds.find(action.segment(0)); it != index.kinds.end()) {
        bucket = &it->second;
        matcher.scan(*bucket);
    }
    matcher.scan(index.any_kind);
    std::string_view command = action.kind() == ActionKind::kShell ? action.segment(1) : "";
    if (std::size_t slash = command.rfind('/');
        slash != std::string_view::npos && slash + 1 < command.size()) {
        std::string_view base = command.substr(slash + 1);
        if (bucket) matcher.scan_shell_basename(*bucket, base);
        matcher.scan_shell_basename(index.any_kind, base);
    }
    const Hits& hits = matcher.hits();
    const std::string& text = action.text();

    if (hits.deny.rule != kNone) {
        const Rule& r = index.rules[hits.deny.rule];
        const std::string& p = r.denied[hits.deny.pattern].text();
        return from_rule(Verdict::kDenied, r, p,
                         "Blocked by policy " + in_quotes(r.name) + " (" + r.source + "): action " +
                             in_quotes(text) + " is denied by " + in_quotes(p));
    }

    std::uint32_t miss = kNone;
    if (bucket) miss = first_miss(index, bucket->allowlists, hits, action, ctx, false);
    miss = std::min(miss, first_miss(index, index.any_kind.allowlists, hits, action, ctx, true));
    std::uint32_t top = std::min({miss, hits.approval.rule, hits.allow.rule});
    if (top == kNone) {
        if (action.kind() == ActionKind::kOutput || action.kind() == ActionKind::kMemory) {
            return fixed(Verdict::kAllowed, PolicyKind::kDefault, "default", "default-allow",
                         "No rule matched " + in_quotes(text) + "; kind " +
                             in_quotes(action.segment(0)) + " is allowed by default");
        }
        return fixed(Verdict::kDenied, PolicyKind::kDefault, "default", "default-deny",
                     "Blocked: action " + in_quotes(text) +
                         " is not in allowlist (no rule matched; "
                         "kind " +
                         in_quotes(action.segment(0)) + " is deny-by-default)");
    }
    // Within the deciding tier, allow lists of equal priority form one list (a miss counts
    // only when no rule of the tier allows), and an approval outranks an allow.
    std::uint32_t priority = index.rules[top].priority;
    auto in_tier = [&](std::uint32_t id) {
        return id != kNone && index.rules[id].priority == priority;
    };
    if (!in_tier(hits.approval.rule) && !in_tier(hits.allow.rule)) {
        const Rule& r = index.rules[miss];
        return from_rule(Verdict::kDenied, r, "",
                         "Blocked by policy " + in_quotes(r.name) + " (" + r.source + "): action " +
                             in_quotes(text) + " is not in allowlist");
    }
    if (in_tier(hits.approval.rule)) {
        const Rule& r = index.rules[hits.approval.rule];
        Decision d =
            from_rule(Verdict::kRequiresApproval, r, r.actions[hits.approval.pattern].text(),
                      "Policy " + in_quotes(r.name) + " requires " +
                          std::to_string(r.min_approvals) + " approval(s) for " + in_quotes(text));
        d.min_approvals = r.min_approvals;
        return d;
    }
    const Rule& r = index.rules[hits.allow.rule];
    const std::string& p = r.allowed[hits.allow.pattern].text();
    return from_rule(
        Verdict::kAllowed, r, p,
        "Allowed by policy " + in_quotes(r.name) + " (" + r.source + ") via " + in_quotes(p));
}

Decision apply_limits(const PolicyIndex& index, const Hits& hits, const ToolPolicy* tool_policy,
                      const EvalContext& ctx, RateLimiter& limiter, Decision allowed) {
    std::array<BucketSpec, 17> specs{};
    std::size_t n = 0;
    for (std::size_t i = 0; i < hits.limit_count; ++i) {
        const Rule& r = index.rules[hits.limits[i].rule];
        double seconds = std::chrono::duration<double>(r.window).count();
        specs[n++] = BucketSpec{index.limit_ids[hits.limits[i].rule], r.max_calls / seconds,
                                static_cast<double>(r.max_calls)};
    }
    if (tool_policy && tool_policy->rate_limit) {
        specs[n++] = BucketSpec{tool_policy->source, tool_policy->rate_limit->per_second,
                                tool_policy->rate_limit->capacity};
    }
    if (hits.limit_overflow) {
        return fixed(Verdict::kRateLimited, PolicyKind::kGovernanceProfile, "rate-limiter",
                     "too-many-limits",
                     "More than 16 rate_limit rules match this action; refusing rather than "
                     "skipping one");
    }
    if (n == 0 || !ctx.consume_limits) return allowed;
    AcquireResult got = limiter.acquire(std::span(specs.data(), n), ctx.sandbox, ctx.now);
    if (got.admitted) return allowed;

    Decision d;
    if (got.refused_index < hits.limit_count) {
        const PatternRef& ref = hits.limits[got.refused_index];
        const Rule& r = index.rules[ref.rule];
        d = from_rule(Verdict::kRateLimited, r, r.actions[ref.pattern].text(),
                      "Rate limited by policy " + in_quotes(r.name) + " (" + r.source +
                          "): " + std::to_string(r.max_calls) + " calls per " +
                          format_window(r.window) + " for sandbox " + in_quotes(ctx.sandbox));
    } else {
        d = fixed(Verdict::kRateLimited, PolicyKind::kToolPolicy, tool_policy->source, "rateLimit",
                  "Rate limited by " + tool_policy->source + ": " +
                      std::to_string(tool_policy->rate_limit->per_second) + "/s, burst " +
                      std::to_string(tool_policy->rate_limit->capacity));
    }
    if (got.table_full) d.reason += " (rate limiter key table is full)";
    d.retry_after = got.retry_after;
    return d;
}

}  // namespace

Decision evaluate(const PolicySet& set, const Action& action, const EvalContext& ctx,
                  RateLimiter& limiter) {
    if (action.kind() == ActionKind::kMemory) {
        std::string own = own_memory_scope(ctx.sandbox, ctx.memory_scope);
        if (Status s = check_memory_scope(action.memory_scope(), own); !s) {
            return fixed(Verdict::kDenied, PolicyKind::kKarsMemory, "KarsMemory", "scope-isolation",
                         "Blocked: " + s.error().message);
        }
    }
    const PolicyIndex& index = set.index();
    Matcher matcher(index, action, ctx);
    Decision decision = decide_by_rules(index, action, ctx, matcher);
    if (!decision.allowed()) return decision;

    const ToolPolicy* tool_policy = nullptr;
    if (!index.tool_policies.empty() &&
        (action.kind() == ActionKind::kTool || action.kind() == ActionKind::kMcp)) {
        tool_policy = select_tool_policy(index.tool_policies, action, ctx.sandbox_labels);
        if (tool_policy) {
            if (auto gated = gate_tool_call(*tool_policy, action, ctx)) return *gated;
        }
    }
    return apply_limits(index, matcher.hits(), tool_policy, ctx, limiter, std::move(decision));
}

Decision evaluate(const PolicySet& set, std::string_view action, const EvalContext& ctx,
                  RateLimiter& limiter) {
    auto parsed = parse_action(action);
    if (!parsed) {
        return fixed(Verdict::kDenied, PolicyKind::kActionGrammar, "action-grammar",
                     parsed.error().code, "Blocked: " + parsed.error().message);
    }
    return evaluate(set, *parsed, ctx, limiter);
}

}  // namespace kars::governance
