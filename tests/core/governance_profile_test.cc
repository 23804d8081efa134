// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/governance/evaluator.h"
#include "core/governance/policy_engine.h"
#include "core/governance/profile_loader.h"

namespace kars::governance {
namespace {

std::string read_reference(const std::string& name) {
    std::ifstream in(std::string(KARS_SOURCE_DIR) + "/../shared/reference/profiles/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

Decision eval(const PolicySet& set, std::string_view action) {
    RateLimiter limiter;
    EvalContext ctx;
    ctx.sandbox = "demo";
    return evaluate(set, action, ctx, limiter);
}

PolicySet build(std::vector<ProfileSource> sources) {
    auto set = PolicySet::build(sources);
    EXPECT_TRUE(set.ok()) << (set.ok() ? "" : set.error().message);
    return set.ok() ? *set : PolicySet();
}

std::string load_error(std::string_view yaml) {
    auto p = load_profile("bad.yaml", yaml);
    return p.ok() ? std::string("<loaded>") : p.error().message;
}

TEST(GovernanceProfile, LoadsBothReferenceProfiles) {
    auto def = load_profile("kars-default.yaml", read_reference("kars-default.yaml"));
    ASSERT_TRUE(def.ok()) << def.error().message;
    EXPECT_EQ(def->agent, "kars-default");
    EXPECT_EQ(def->rules.size(), 10u);
    EXPECT_EQ(def->rules[9].type, RuleType::kRateLimit);
    EXPECT_EQ(def->rules[9].max_calls, 500u);
    EXPECT_EQ(def->rules[9].window, std::chrono::seconds(60));
    auto off = load_profile("kars-offload.yaml", read_reference("kars-offload.yaml"));
    ASSERT_TRUE(off.ok()) << off.error().message;
    EXPECT_EQ(off->rules[0].priority, 200u);
}

TEST(GovernanceProfile, BadFilesAreRejectedWithFileAndField) {
    EXPECT_NE(
        load_error("policies:\n  - name: a\n    type: capabilty\n    allowed_actions: [x:y]\n")
            .find("bad.yaml: policies[0].type"),
        std::string::npos);
    EXPECT_NE(load_error("policies:\n  - name: a\n    type: capability\n    denied_action: [x:y]\n")
                  .find("policies[0].denied_action: unknown field"),
              std::string::npos);
    EXPECT_NE(load_error("policies:\n  - name: r\n    type: rate_limit\n    actions: [a:b]\n"
                         "    max_calls: 5\n    window: 5x\n")
                  .find("policies[0].window"),
              std::string::npos);
    EXPECT_NE(load_error("policies:\n  - name: a\n    type: capability\n"
                         "    allowed_actions: ['tool:**']\n")
                  .find("policies[0].allowed_actions[0]"),
              std::string::npos);
    EXPECT_NE(load_error("policies:\n  - {name: a, type: capability, allowed_actions: [a:b]}\n"
                         "  - {name: a, type: capability, allowed_actions: [a:c]}\n")
                  .find("duplicate rule name"),
              std::string::npos);
    EXPECT_NE(load_error("policies: [").find("bad.yaml: line"), std::string::npos);
    EXPECT_NE(load_error("").find("empty"), std::string::npos);
    EXPECT_NE(load_error("version: \"2.0\"\npolicies: []\n").find("version"), std::string::npos);
    EXPECT_NE(load_error("policies:\n  - {name: a, type: capability, priority: -1, "
                         "allowed_actions: [a:b]}\n")
                  .find("policies[0].priority"),
              std::string::npos);
    EXPECT_NE(load_error("a: &a [*a]\n").find("bad.yaml"), std::string::npos);
}

TEST(GovernanceProfile, ParsesWindowsStrictly) {
    EXPECT_EQ(*parse_window("90"), std::chrono::seconds(90));
    EXPECT_EQ(*parse_window("5m"), std::chrono::minutes(5));
    EXPECT_EQ(*parse_window("2h"), std::chrono::hours(2));
    EXPECT_FALSE(parse_window("0s").ok());
    EXPECT_FALSE(parse_window("1d").ok());
    EXPECT_FALSE(parse_window("-1s").ok());
    EXPECT_FALSE(parse_window("745h").ok());
}

// A bad file in a reload keeps the previous policy: the engine never runs on a partial set.
TEST(GovernanceProfile, BadReloadKeepsPreviousPolicy) {
    PolicyEngine engine;
    std::vector<ProfileSource> good{{"a.yaml",
                                     "policies:\n  - {name: t, type: capability, "
                                     "allowed_actions: ['tool:*']}\n"}};
    ASSERT_TRUE(engine.reload(good).ok());
    EvalContext ctx;
    ctx.sandbox = "demo";
    EXPECT_EQ(engine.evaluate("tool:x", ctx).verdict, Verdict::kAllowed);

    std::vector<ProfileSource> bad{
        {"a.yaml", "policies:\n  - {name: t, type: capability, denied_actions: ['tool:*']}\n"},
        {"b.yaml", "policies:\n  - {name: t, type: nonsense}\n"}};
    Status s = engine.reload(bad);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("b.yaml: policies[0].type"), std::string::npos);
    EXPECT_EQ(engine.evaluate("tool:x", ctx).verdict, Verdict::kAllowed);
    EXPECT_EQ(engine.current().rule_count(), 1u);
}

// Unlike the reference (last file wins), every file's rules are in force after a merge.
TEST(GovernanceProfile, MergesRulesOfEveryFile) {
    PolicySet set = build({{"default", read_reference("kars-default.yaml")},
                           {"offload", read_reference("kars-offload.yaml")}});
    EXPECT_EQ(set.rule_count(), 10u + 6u);
    Decision spawn = eval(set, "spawn:create:child");
    EXPECT_EQ(spawn.verdict, Verdict::kDenied);
    EXPECT_EQ(spawn.rule.source, "offload");
    EXPECT_EQ(spawn.rule.rule, "offload-no-spawn");
    EXPECT_EQ(eval(set, "admin:bulk_delete").verdict, Verdict::kRequiresApproval);
    EXPECT_EQ(eval(set, "tool:web.search").verdict, Verdict::kAllowed);
    EXPECT_EQ(eval(set, "tool:kars_spawn").verdict, Verdict::kDenied);
}

TEST(GovernanceProfile, DuplicateSourceNamesAreRejected) {
    std::vector<ProfileSource> twice{{"a", "policies: []\n"}, {"a", "policies: []\n"}};
    EXPECT_FALSE(PolicySet::build(twice).ok());
}

// Priority orders allow/approval/allowlist decisions; file order does not.
TEST(GovernanceProfile, HigherPriorityDecidesRegardlessOfFileOrder) {
    std::string low =
        "policies:\n  - {name: allow-all, type: capability, priority: 10, "
        "allowed_actions: ['admin:*']}\n";
    std::string high =
        "policies:\n  - {name: approve, type: approval, priority: 20, "
        "actions: ['admin:drop*']}\n";
    for (auto order : {std::vector<ProfileSource>{{"low", low}, {"high", high}},
                       std::vector<ProfileSource>{{"high", high}, {"low", low}}}) {
        PolicySet set = build(order);
        Decision d = eval(set, "admin:drop_table");
        EXPECT_EQ(d.verdict, Verdict::kRequiresApproval);
        EXPECT_EQ(d.rule.rule, "approve");
        EXPECT_EQ(eval(set, "admin:list").verdict, Verdict::kAllowed);
    }
    std::string higher_allow =
        "policies:\n  - {name: allow-drop, type: capability, "
        "priority: 30, allowed_actions: ['admin:drop_table']}\n";
    PolicySet set = build({{"low", low}, {"high", high}, {"top", higher_allow}});
    EXPECT_EQ(eval(set, "admin:drop_table").verdict, Verdict::kAllowed);
    EXPECT_EQ(eval(set, "admin:drop_table").rule.rule, "allow-drop");
}

// Within one priority: approval > allow > allow-list miss; allow lists of one priority unite.
TEST(GovernanceProfile, EqualPriorityPrefersApprovalThenAllowThenMiss) {
    std::string yaml =
        "policies:\n"
        "  - {name: allow, type: capability, priority: 5, allowed_actions: ['admin:*']}\n"
        "  - {name: approve, type: approval, priority: 5, actions: ['admin:promote*']}\n"
        "  - {name: list-a, type: capability, priority: 5, allowed_actions: ['mesh:a']}\n"
        "  - {name: list-b, type: capability, priority: 5, allowed_actions: ['mesh:b']}\n"
        "  - {name: low-all, type: capability, priority: 1, allowed_actions: ['mesh:*']}\n";
    PolicySet set = build({{"p", yaml}});
    EXPECT_EQ(eval(set, "admin:promote_x").verdict, Verdict::kRequiresApproval);
    EXPECT_EQ(eval(set, "admin:list").verdict, Verdict::kAllowed);
    EXPECT_EQ(eval(set, "mesh:a").rule.rule, "list-a");
    EXPECT_EQ(eval(set, "mesh:b").rule.rule, "list-b");
    Decision miss = eval(set, "mesh:c");
    EXPECT_EQ(miss.verdict, Verdict::kDenied);
    EXPECT_EQ(miss.rule.rule, "list-a");
    EXPECT_NE(miss.reason.find("not in allowlist"), std::string::npos);
}

// Explicit denied_actions win at any priority, even against a higher-priority allow.
TEST(GovernanceProfile, ExplicitDenyWinsOverHigherPriorityAllow) {
    std::string yaml =
        "policies:\n"
        "  - {name: allow-everything, type: capability, priority: 900, "
        "allowed_actions: ['tool:*']}\n"
        "  - {name: no-exec, type: capability, priority: 1, denied_actions: ['tool:exec']}\n";
    PolicySet set = build({{"p", yaml}});
    Decision d = eval(set, "tool:exec");
    EXPECT_EQ(d.verdict, Verdict::kDenied);
    EXPECT_EQ(d.rule.rule, "no-exec");
    EXPECT_EQ(d.rule.pattern, "tool:exec");
    EXPECT_EQ(eval(set, "tool:read").verdict, Verdict::kAllowed);
}

TEST(GovernanceProfile, ConditionsRestrictARuleToMatchingContext) {
    std::string yaml =
        "policies:\n  - name: prod-only\n    type: capability\n"
        "    allowed_actions: ['tool:*']\n    conditions: {env: [prod, stage]}\n";
    PolicySet set = build({{"p", yaml}});
    RateLimiter limiter;
    EvalContext ctx;
    ctx.sandbox = "demo";
    EXPECT_EQ(evaluate(set, "tool:x", ctx, limiter).verdict, Verdict::kDenied);
    std::map<std::string, std::string, std::less<>> attrs{{"env", "stage"}};
    ctx.attributes = &attrs;
    EXPECT_EQ(evaluate(set, "tool:x", ctx, limiter).verdict, Verdict::kAllowed);
    attrs["env"] = "dev";
    EXPECT_EQ(evaluate(set, "tool:x", ctx, limiter).verdict, Verdict::kDenied);
}

}  // namespace
}  // namespace kars::governance
