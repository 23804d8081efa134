// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/governance/evaluator.h"

namespace kars::governance {
namespace {

using namespace std::chrono_literals;

class DefaultProfile : public ::testing::Test {
protected:
    void SetUp() override {
        std::ifstream in(std::string(KARS_SOURCE_DIR) +
                         "/../shared/reference/profiles/kars-default.yaml");
        std::stringstream ss;
        ss << in.rdbuf();
        std::vector<ProfileSource> src{{"kars-default.yaml", ss.str()}};
        auto built = PolicySet::build(src);
        ASSERT_TRUE(built.ok()) << built.error().message;
        set_ = *built;
        ctx_.sandbox = "demo";
    }
    Decision eval(std::string_view action) { return evaluate(set_, action, ctx_, limiter_); }

    PolicySet set_;
    RateLimiter limiter_;
    EvalContext ctx_;
};

TEST_F(DefaultProfile, DestructiveShellCommandIsDeniedByItsRule) {
    Decision d = eval("shell:rm -rf /");
    EXPECT_EQ(d.verdict, Verdict::kDenied);
    EXPECT_EQ(d.rule.kind, PolicyKind::kGovernanceProfile);
    EXPECT_EQ(d.rule.source, "kars-default.yaml");
    EXPECT_EQ(d.rule.rule, "shell-destructive-deny");
    EXPECT_EQ(d.rule.index, 0u);
    EXPECT_EQ(d.rule.pattern, "shell:rm");
    EXPECT_EQ(d.rule.priority, 100u);
    EXPECT_NE(d.reason.find("is denied"), std::string::npos);
}

TEST_F(DefaultProfile, PathQualifiedDestructiveCommandIsStillDenied) {
    Decision d = eval("shell:/bin/rm -rf /");
    EXPECT_EQ(d.verdict, Verdict::kDenied);
    EXPECT_EQ(d.rule.rule, "shell-destructive-deny");
}

TEST_F(DefaultProfile, SafeShellCommandIsAllowedAndOthersAreNotInAllowlist) {
    Decision ls = eval("shell:ls -la");
    EXPECT_EQ(ls.verdict, Verdict::kAllowed);
    EXPECT_EQ(ls.rule.rule, "shell-safe-commands");
    EXPECT_EQ(ls.rule.pattern, "shell:ls");
    Decision whoami = eval("shell:whoami");
    EXPECT_EQ(whoami.verdict, Verdict::kDenied);
    EXPECT_EQ(whoami.rule.rule, "shell-safe-commands");
    EXPECT_NE(whoami.reason.find("not in allowlist"), std::string::npos);
    // A look-alike path is not the allowed command.
    EXPECT_EQ(eval("shell:/tmp/evil/ls").verdict, Verdict::kDenied);
}

TEST_F(DefaultProfile, AdminBulkRequiresApprovalAndOtherAdminIsAllowed) {
    Decision d = eval("admin:bulk_delete");
    EXPECT_EQ(d.verdict, Verdict::kRequiresApproval);
    EXPECT_EQ(d.rule.rule, "admin-bulk-approval");
    EXPECT_EQ(d.rule.pattern, "admin:bulk*");
    EXPECT_EQ(d.min_approvals, 1u);
    EXPECT_EQ(eval("admin:status").verdict, Verdict::kAllowed);
}

TEST_F(DefaultProfile, ToolsInferenceSpawnMeshAndFoundryAreAllowed) {
    EXPECT_EQ(eval("tool:web.search").rule.rule, "tool-allow");
    EXPECT_EQ(eval("tool.invoke:web.search").verdict, Verdict::kAllowed);
    EXPECT_EQ(eval("inference:chat_completions:gpt-4o").rule.rule, "inference-allow");
    EXPECT_EQ(eval("image_generation:dalle").verdict, Verdict::kAllowed);
    EXPECT_EQ(eval("spawn:create:child").verdict, Verdict::kAllowed);
    EXPECT_EQ(eval("mesh:send:peer").verdict, Verdict::kAllowed);
    EXPECT_EQ(eval("foundry:web_search:q").verdict, Verdict::kAllowed);
    Decision unknown = eval("foundry:teleport:x");
    EXPECT_EQ(unknown.verdict, Verdict::kDenied);
    EXPECT_EQ(unknown.rule.rule, "foundry-allow");
}

TEST_F(DefaultProfile, UnlistedKindsAreDeniedByDefault) {
    for (const char* action : {"egress:example.com:443", "handoff:request:peer", "a2a:send:peer"}) {
        Decision d = eval(action);
        EXPECT_EQ(d.verdict, Verdict::kDenied) << action;
        EXPECT_EQ(d.rule.kind, PolicyKind::kDefault) << action;
        EXPECT_NE(d.reason.find("not in allowlist"), std::string::npos) << action;
    }
}

TEST_F(DefaultProfile, OutputAndOwnMemoryAreAllowedByDefault) {
    EXPECT_EQ(eval("output:hello: world").verdict, Verdict::kAllowed);
    Decision mem = eval("memory:read:agent_demo");
    EXPECT_EQ(mem.verdict, Verdict::kAllowed);
    EXPECT_EQ(mem.rule.kind, PolicyKind::kDefault);
}

TEST_F(DefaultProfile, MalformedActionIsDeniedAsGrammar) {
    Decision d = eval("mcp:a:b:c");
    EXPECT_EQ(d.verdict, Verdict::kDenied);
    EXPECT_EQ(d.rule.kind, PolicyKind::kActionGrammar);
    EXPECT_EQ(eval("shell:ls; rm -rf /").rule.kind, PolicyKind::kActionGrammar);
}

// The 500/60s inference limit of the default profile: it sits at priority 40, below the
// inference allow rule, and still applies because limits run after the decision.
TEST_F(DefaultProfile, InferenceRateLimitAppliesAfterTheAllow) {
    ctx_.now = std::chrono::steady_clock::time_point(100s);
    for (int i = 0; i < 500; ++i) {
        ASSERT_EQ(eval("inference:chat_completions:gpt-4o").verdict, Verdict::kAllowed) << i;
    }
    Decision d = eval("inference:responses:gpt-4o");
    EXPECT_EQ(d.verdict, Verdict::kRateLimited);
    EXPECT_EQ(d.rule.rule, "inference-rate-limit");
    EXPECT_EQ(d.rule.pattern, "inference:*");
    EXPECT_GT(d.retry_after, 0ns);
    EXPECT_LE(d.retry_after, 200ms);
    // Other sandboxes have their own budget; refill restores this one.
    ctx_.sandbox = "other";
    EXPECT_EQ(eval("inference:chat_completions:gpt-4o").verdict, Verdict::kAllowed);
    ctx_.sandbox = "demo";
    ctx_.now += 1s;
    EXPECT_EQ(eval("inference:chat_completions:gpt-4o").verdict, Verdict::kAllowed);
}

// A denied call does not consume rate-limit budget.
TEST(GovernanceEvaluate, DeniedCallsDoNotConsumeRateLimit) {
    std::vector<ProfileSource> src{
        {"p",
         "policies:\n"
         "  - {name: no-x, type: capability, denied_actions: ['tool:x']}\n"
         "  - {name: all, type: capability, allowed_actions: ['tool:*']}\n"
         "  - {name: lim, type: rate_limit, actions: ['tool:*'], max_calls: 2, window: 60s}\n"}};
    auto set = PolicySet::build(src);
    ASSERT_TRUE(set.ok());
    RateLimiter limiter;
    EvalContext ctx;
    ctx.sandbox = "s";
    for (int i = 0; i < 5; ++i) evaluate(*set, "tool:x", ctx, limiter);
    EXPECT_EQ(evaluate(*set, "tool:y", ctx, limiter).verdict, Verdict::kAllowed);
    EXPECT_EQ(evaluate(*set, "tool:y", ctx, limiter).verdict, Verdict::kAllowed);
    EXPECT_EQ(evaluate(*set, "tool:y", ctx, limiter).verdict, Verdict::kRateLimited);
}

TEST(GovernanceEvaluate, EmptySetDeniesToolsAndAllowsOutput) {
    RateLimiter limiter;
    EvalContext ctx;
    ctx.sandbox = "s";
    EXPECT_EQ(evaluate(PolicySet(), "tool:x", ctx, limiter).verdict, Verdict::kDenied);
    EXPECT_EQ(evaluate(PolicySet(), "output:x", ctx, limiter).verdict, Verdict::kAllowed);
}

TEST(GovernanceEvaluate, WildcardKindAllowlistGatesEveryKind) {
    std::vector<ProfileSource> src{
        {"p",
         "policies:\n"
         "  - {name: reads, type: capability, priority: 9, allowed_actions: ['*:read']}\n"
         "  - {name: tools, type: capability, priority: 1, allowed_actions: ['tool:*']}\n"}};
    auto set = PolicySet::build(src);
    ASSERT_TRUE(set.ok());
    RateLimiter limiter;
    EvalContext ctx;
    EXPECT_EQ(evaluate(*set, "tool:read", ctx, limiter).verdict, Verdict::kAllowed);
    Decision d = evaluate(*set, "tool:write", ctx, limiter);
    EXPECT_EQ(d.verdict, Verdict::kDenied);
    EXPECT_EQ(d.rule.rule, "reads");
}

}  // namespace
}  // namespace kars::governance
