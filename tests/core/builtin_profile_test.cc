// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// The profile compiled into the router (deploy/profiles/kars-default.yaml) loads and says
// what the documentation promises.
#include <gtest/gtest.h>

#include "core/governance/builtin_profile.h"
#include "core/governance/evaluator.h"
#include "core/governance/policy_set.h"

namespace kars::governance {
namespace {

Decision decide(const PolicySet& set, std::string_view action) {
    RateLimiter limiter;
    EvalContext ctx;
    ctx.sandbox = "sb";
    return evaluate(set, action, ctx, limiter);
}

TEST(BuiltinProfile, LoadsAndDecidesAsDocumented) {
    std::vector<ProfileSource> src{
        {std::string(kBuiltinProfileName), std::string(builtin_default_profile())}};
    auto set = PolicySet::build(src);
    ASSERT_TRUE(set.ok()) << set.error().message;
    EXPECT_TRUE(decide(*set, "inference:chat_completions:gpt-4o").allowed());
    EXPECT_TRUE(decide(*set, "tool:get_weather").allowed());
    EXPECT_TRUE(decide(*set, "shell:ls -la").allowed());

    auto rm = decide(*set, "shell:rm -rf /");
    EXPECT_EQ(rm.verdict, Verdict::kDenied);
    EXPECT_EQ(rm.rule.rule, "shell-deny-destructive");
    auto hosted = decide(*set, "tool:hosted.mcp");
    EXPECT_EQ(hosted.verdict, Verdict::kDenied);
    EXPECT_EQ(hosted.rule.rule, "hosted-mcp-deny");
    EXPECT_EQ(decide(*set, "admin:bulk_delete").verdict, Verdict::kRequiresApproval);
    auto mcp = decide(*set, "mcp:github:create_issue");
    EXPECT_TRUE(mcp.allowed());
    EXPECT_EQ(mcp.rule.rule, "mcp-allow");
}

}  // namespace
}  // namespace kars::governance
