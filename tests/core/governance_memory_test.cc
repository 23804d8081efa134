// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <string>

#include <gtest/gtest.h>

#include "core/governance/evaluator.h"
#include "core/governance/memory_scope.h"

namespace kars::governance {
namespace {

std::string refusal(std::string_view scope, std::string_view own = "agent_demo") {
    Status s = check_memory_scope(scope, own);
    return s.ok() ? std::string("<allowed>") : s.error().message;
}

TEST(GovernanceMemory, OwnScopeIsTheBoundScopeOrTheAgentConvention) {
    EXPECT_EQ(own_memory_scope("demo", ""), "agent_demo");
    EXPECT_EQ(own_memory_scope("demo", "team/a1"), "team/a1");
    EXPECT_EQ(own_memory_scope("", ""), "");
}

TEST(GovernanceMemory, AllowsOwnScopeAndCanonicalSubPaths) {
    EXPECT_TRUE(check_memory_scope("agent_demo", "agent_demo").ok());
    EXPECT_TRUE(check_memory_scope("agent_demo/notes/2026", "agent_demo").ok());
    EXPECT_TRUE(check_memory_scope("team/a1", "team/a1").ok());
    EXPECT_TRUE(check_memory_scope("team/a1/x", "team/a1").ok());
}

TEST(GovernanceMemory, RefusesOtherSandboxesTenantsAndReservedScopes) {
    EXPECT_NE(refusal("agent_other").find("another sandbox"), std::string::npos);
    EXPECT_NE(refusal("agent_demox").find("another sandbox"), std::string::npos);
    EXPECT_NE(refusal("tenant:other-tenant").find("tenant"), std::string::npos);
    EXPECT_NE(refusal("system").find("reserved"), std::string::npos);
    EXPECT_NE(refusal("SYSTEM").find("reserved"), std::string::npos);
    EXPECT_NE(refusal("team", "team/a1").find("scope"), std::string::npos);
}

TEST(GovernanceMemory, RefusesWildcardsAndPathTricks) {
    EXPECT_NE(refusal("*").find("wildcard"), std::string::npos);
    EXPECT_NE(refusal("agent_*").find("wildcard"), std::string::npos);
    EXPECT_NE(refusal("../other").find("traversal"), std::string::npos);
    EXPECT_NE(refusal("agent_demo/../agent_other").find("traversal"), std::string::npos);
    EXPECT_NE(refusal("agent_demo/./x").find("traversal"), std::string::npos);
    EXPECT_NE(refusal("agent_demo//x").find("empty"), std::string::npos);
    EXPECT_NE(refusal("agent_demo/").find("empty"), std::string::npos);
    EXPECT_NE(refusal("/agent_demo").find("absolute"), std::string::npos);
    EXPECT_NE(refusal("agent_demo%2f..%2fother").find("percent"), std::string::npos);
    EXPECT_NE(refusal("agent_demo\\..\\x").find("backslash"), std::string::npos);
}

TEST(GovernanceMemory, RefusesCaseVariantsAndLookalikes) {
    EXPECT_NE(refusal("AGENT_DEMO").find("case variant"), std::string::npos);
    EXPECT_NE(refusal("Agent_demo/x").find("case variant"), std::string::npos);
    // Cyrillic 'а' (U+0430) in place of Latin 'a'.
    EXPECT_NE(refusal("\xd0\xb0gent_demo").find("non-ASCII"), std::string::npos);
    EXPECT_NE(refusal("agent demo").find("charset"), std::string::npos);
}

TEST(GovernanceMemory, WithoutSandboxIdentityNothingIsAddressable) {
    EXPECT_FALSE(check_memory_scope("agent_", "").ok());
}

// Isolation is not a profile choice: even an allow-all rule cannot open another scope.
TEST(GovernanceMemory, ProfileRulesCannotWidenIsolation) {
    std::vector<ProfileSource> src{
        {"p",
         "policies:\n"
         "  - {name: all, type: capability, priority: 1000, allowed_actions: ['*']}\n"}};
    auto set = PolicySet::build(src);
    ASSERT_TRUE(set.ok());
    RateLimiter limiter;
    EvalContext ctx;
    ctx.sandbox = "demo";
    Decision d = evaluate(*set, "memory:read:agent_other", ctx, limiter);
    EXPECT_EQ(d.verdict, Verdict::kDenied);
    EXPECT_EQ(d.rule.kind, PolicyKind::kKarsMemory);
    EXPECT_EQ(evaluate(*set, "memory:write:agent_demo", ctx, limiter).verdict, Verdict::kAllowed);
    ctx.memory_scope = "bound-scope";
    EXPECT_EQ(evaluate(*set, "memory:write:agent_demo", ctx, limiter).verdict, Verdict::kDenied);
    EXPECT_EQ(evaluate(*set, "memory:write:bound-scope", ctx, limiter).verdict, Verdict::kAllowed);
}

// Profiles can still narrow memory access for the own scope.
TEST(GovernanceMemory, ProfileRulesCanNarrowOwnScopeAccess) {
    std::vector<ProfileSource> src{
        {"p",
         "policies:\n"
         "  - {name: read-only, type: capability, denied_actions: ['memory:write:*']}\n"}};
    auto set = PolicySet::build(src);
    ASSERT_TRUE(set.ok());
    RateLimiter limiter;
    EvalContext ctx;
    ctx.sandbox = "demo";
    EXPECT_EQ(evaluate(*set, "memory:write:agent_demo", ctx, limiter).verdict, Verdict::kDenied);
    EXPECT_EQ(evaluate(*set, "memory:read:agent_demo", ctx, limiter).verdict, Verdict::kAllowed);
}

}  // namespace
}  // namespace kars::governance
