// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "core/governance/evaluator.h"
#include "core/governance/money.h"
#include "core/governance/tool_policy.h"
#include "core/manifest/manifest.h"

namespace kars::governance {
namespace {

using namespace std::chrono_literals;

constexpr const char* kAllowTools =
    "policies:\n  - {name: tools, type: capability, allowed_actions: ['tool:*', 'mcp:*']}\n";

Result<ToolPolicy> compile(std::string_view name, std::string_view spec_json) {
    manifest::ObjectMeta meta;
    meta.name = std::string(name);
    meta.namespace_name = "agents";
    return compile_tool_policy(meta, boost::json::parse(spec_json));
}

ToolPolicy compiled(std::string_view name, std::string_view spec_json) {
    auto p = compile(name, spec_json);
    EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
    return p.ok() ? *p : ToolPolicy{};
}

std::string compile_error(std::string_view spec_json) {
    auto p = compile("bad", spec_json);
    return p.ok() ? std::string("<compiled>") : p.error().message;
}

class ToolPolicyEval : public ::testing::Test {
protected:
    void use(std::vector<ToolPolicy> policies) {
        std::vector<ProfileSource> src{{"tools.yaml", kAllowTools}};
        auto set = PolicySet::build(src, policies);
        ASSERT_TRUE(set.ok()) << set.error().message;
        set_ = *set;
    }
    Decision eval(std::string_view action) { return evaluate(set_, action, ctx_, limiter_); }

    PolicySet set_;
    RateLimiter limiter_;
    Labels labels_{{"team", "web"}, {"tier", "prod"}};
    EvalContext ctx_ = make_context();

private:
    EvalContext make_context() {
        EvalContext ctx;
        ctx.sandbox = "demo";
        ctx.sandbox_labels = &labels_;
        return ctx;
    }
};

TEST(GovernanceToolPolicy, LoadsFromAManifestDocument) {
    auto m = manifest::load_manifest_string(
        "apiVersion: kars.azure.com/v1alpha1\nkind: ToolPolicy\nmetadata:\n  name: search\n"
        "  namespace: agents\nspec:\n  appliesTo:\n    tool: web.search\n"
        "    sandboxMatchLabels: {team: web}\n  rateLimit: {rps: 5, burst: 10}\n",
        "tp.yaml");
    ASSERT_TRUE(m.ok()) << m.error().message;
    ASSERT_EQ(m->tool_policies.size(), 1u);
    auto p = compile_tool_policy(m->tool_policies[0]);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p->source, "ToolPolicy/agents/search");
    EXPECT_EQ(p->tool, "web.search");
    ASSERT_TRUE(p->rate_limit.has_value());
    EXPECT_EQ(p->rate_limit->per_second, 5.0);
    EXPECT_EQ(p->rate_limit->capacity, 10.0);
}

TEST(GovernanceToolPolicy, BadSpecsNameTheField) {
    EXPECT_NE(compile_error(R"({"appliesTo":{"tool":"x"}})")
                  .find("ToolPolicy/agents/bad: spec.appliesTo.sandboxMatchLabels"),
              std::string::npos);
    EXPECT_NE(compile_error(R"({})").find("spec.appliesTo: required"), std::string::npos);
    EXPECT_NE(compile_error(R"({"appliesTo":{"sandboxMatchLabels":{"a":"b"}},"ratelimit":{}})")
                  .find("spec.ratelimit: unknown field"),
              std::string::npos);
    EXPECT_NE(compile_error(R"({"appliesTo":{"sandboxMatchLabels":{"a":"b"}},
                               "rateLimit":{"rps":-1}})")
                  .find("spec.rateLimit.rps"),
              std::string::npos);
    EXPECT_NE(compile_error(R"({"appliesTo":{"sandboxMatchLabels":{"a":"b"}},
                               "approval":{"mode":"sometimes"}})")
                  .find("spec.approval.mode"),
              std::string::npos);
    EXPECT_NE(compile_error(R"({"appliesTo":{"sandboxMatchLabels":{"a":"b"}},
                               "approval":{"mode":"aboveThreshold"}})")
                  .find("spec.approval.threshold"),
              std::string::npos);
    EXPECT_NE(compile_error(R"({"appliesTo":{"sandboxMatchLabels":{"a":"b"}},
                               "commerce":{"dailyCap":"USD 100"}})")
                  .find("spec.commerce.dailyCap"),
              std::string::npos);
    EXPECT_NE(compile_error(R"({"appliesTo":{"sandboxMatchLabels":{"a":"b"}},
                               "commerce":{"dailyCap":"USD 10.00","monthlyCap":"USD 5.00"}})")
                  .find("must be >= dailyCap"),
              std::string::npos);
    EXPECT_NE(compile_error(R"({"appliesTo":{"sandboxMatchLabels":{"a":"b"}},
                               "agtProfile":{"inline":"policies:\n  - {name: x, type: bogus}\n"}})")
                  .find("spec.agtProfile.inline"),
              std::string::npos);
    EXPECT_NE(compile_error(R"({"appliesTo":{"sandboxMatchLabels":{"a":"b"}},
                               "agtProfile":{"inline":"policies: []","bundleRef":{}}})")
                  .find("mutually exclusive"),
              std::string::npos);
}

TEST(GovernanceToolPolicy, ParsesMoneyStrictly) {
    auto m = parse_money("USD 100.05");
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->currency, "USD");
    EXPECT_EQ(m->minor_units, 10005);
    for (const char* bad : {"USD 100", "usd 1.00", "USD 1.0", "USD -1.00", "USD 01.00", "USD1.00",
                            "USD 1.000", "USD 99999999999999999.00"}) {
        EXPECT_FALSE(parse_money(bad).ok()) << bad;
    }
}

TEST_F(ToolPolicyEval, AppliesToMatchesToolServerAndEveryLabel) {
    ToolPolicy p = compiled("gh", R"({"appliesTo":{"tool":"create_*","mcpServer":"github",
        "sandboxMatchLabels":{"team":"web"}},"approval":{"mode":"always"}})");
    Action issue = *parse_action("mcp:github:create_issue");
    EXPECT_TRUE(tool_policy_applies(p, issue, &labels_));
    EXPECT_FALSE(tool_policy_applies(p, *parse_action("mcp:gitlab:create_issue"), &labels_));
    EXPECT_FALSE(tool_policy_applies(p, *parse_action("mcp:github:list_issues"), &labels_));
    EXPECT_FALSE(tool_policy_applies(p, *parse_action("tool:create_issue"), &labels_));
    Labels other{{"team", "data"}};
    EXPECT_FALSE(tool_policy_applies(p, issue, &other));
    EXPECT_FALSE(tool_policy_applies(p, issue, nullptr));
    EXPECT_FALSE(tool_policy_applies(p, *parse_action("shell:ls"), &labels_));
}

TEST_F(ToolPolicyEval, ApprovalModeAlwaysRequiresApproval) {
    use({compiled("gh", R"({"appliesTo":{"mcpServer":"github","sandboxMatchLabels":{"team":"web"}},
                           "approval":{"mode":"always","channel":"telegram"}})")});
    Decision d = eval("mcp:github:create_issue");
    EXPECT_EQ(d.verdict, Verdict::kRequiresApproval);
    EXPECT_EQ(d.rule.kind, PolicyKind::kToolPolicy);
    EXPECT_EQ(d.rule.source, "ToolPolicy/agents/gh");
    EXPECT_EQ(eval("mcp:slack:post").verdict, Verdict::kAllowed);
}

TEST_F(ToolPolicyEval, ApprovalModeNeverLetsTheCallThrough) {
    use({compiled("gh", R"({"appliesTo":{"mcpServer":"github","sandboxMatchLabels":{"team":"web"}},
                           "approval":{"mode":"never"}})")});
    EXPECT_EQ(eval("mcp:github:create_issue").verdict, Verdict::kAllowed);
}

TEST_F(ToolPolicyEval, AboveThresholdAndCommerceCaps) {
    use({compiled("pay", R"({"appliesTo":{"tool":"pay","sandboxMatchLabels":{"team":"web"}},
        "approval":{"mode":"aboveThreshold","threshold":"USD 50.00"},
        "commerce":{"counterpartyAllowlist":["shop.example"],"perTransferCap":"USD 200.00",
                    "dailyCap":"USD 300.00","monthlyCap":"USD 1000.00"}})")});
    PaymentDetails pay{{"USD", 4000}, "shop.example", 0, 0};
    ctx_.payment = &pay;
    EXPECT_EQ(eval("tool:pay").verdict, Verdict::kAllowed);
    pay.amount.minor_units = 5001;
    EXPECT_EQ(eval("tool:pay").verdict, Verdict::kRequiresApproval);
    pay.amount.minor_units = 20001;
    Decision over = eval("tool:pay");
    EXPECT_EQ(over.verdict, Verdict::kDenied);
    EXPECT_EQ(over.rule.rule, "commerce.perTransferCap");
    pay.amount.minor_units = 1000;
    pay.spent_today_minor = 29500;
    EXPECT_EQ(eval("tool:pay").rule.rule, "commerce.dailyCap");
    pay.spent_today_minor = 0;
    pay.spent_this_month_minor = 99500;
    EXPECT_EQ(eval("tool:pay").rule.rule, "commerce.monthlyCap");
    pay.spent_this_month_minor = 0;
    pay.counterparty = "evil.example";
    Decision cp = eval("tool:pay");
    EXPECT_EQ(cp.verdict, Verdict::kDenied);
    EXPECT_NE(cp.reason.find("not in allowlist"), std::string::npos);
    pay.counterparty = "shop.example";
    pay.amount.currency = "EUR";
    EXPECT_EQ(eval("tool:pay").verdict, Verdict::kDenied);
    ctx_.payment = nullptr;
    EXPECT_EQ(eval("tool:pay").verdict, Verdict::kDenied);
}

TEST_F(ToolPolicyEval, EmptyCounterpartyAllowlistDeniesEveryPayment) {
    use({compiled("pay", R"({"appliesTo":{"tool":"pay","sandboxMatchLabels":{"team":"web"}},
        "commerce":{"perTransferCap":"USD 200.00"}})")});
    PaymentDetails pay{{"USD", 100}, "shop.example", 0, 0};
    ctx_.payment = &pay;
    EXPECT_EQ(eval("tool:pay").verdict, Verdict::kDenied);
}

TEST_F(ToolPolicyEval, RateLimitPerToolWithInjectedTime) {
    use({compiled("search", R"({"appliesTo":{"tool":"web.search",
        "sandboxMatchLabels":{"team":"web"}},"rateLimit":{"rps":1,"burst":2}})")});
    ctx_.now = std::chrono::steady_clock::time_point(5s);
    EXPECT_EQ(eval("tool:web.search").verdict, Verdict::kAllowed);
    EXPECT_EQ(eval("tool:web.search").verdict, Verdict::kAllowed);
    Decision d = eval("tool:web.search");
    EXPECT_EQ(d.verdict, Verdict::kRateLimited);
    EXPECT_EQ(d.rule.kind, PolicyKind::kToolPolicy);
    EXPECT_EQ(d.retry_after, 1s);
    EXPECT_EQ(eval("tool:other").verdict, Verdict::kAllowed);
    ctx_.now += 1s;
    EXPECT_EQ(eval("tool:web.search").verdict, Verdict::kAllowed);
}

// Offering or listing a tool asks whether it may be used at all; that must not spend the
// calls its rate limit allows.
TEST_F(ToolPolicyEval, LookingAtAToolChargesNoRateLimit) {
    use({compiled("search", R"({"appliesTo":{"tool":"web.search",
        "sandboxMatchLabels":{"team":"web"}},"rateLimit":{"rps":1,"burst":1}})")});
    ctx_.now = std::chrono::steady_clock::time_point(5s);
    ctx_.consume_limits = false;
    for (int i = 0; i < 5; ++i) EXPECT_EQ(eval("tool:web.search").verdict, Verdict::kAllowed);
    ctx_.consume_limits = true;
    EXPECT_EQ(eval("tool:web.search").verdict, Verdict::kAllowed);
    EXPECT_EQ(eval("tool:web.search").verdict, Verdict::kRateLimited);
    ctx_.consume_limits = false;
    EXPECT_EQ(eval("tool:web.search").verdict, Verdict::kAllowed);
}

TEST_F(ToolPolicyEval, BurstPerWindowWithoutRps) {
    use({compiled("w", R"({"appliesTo":{"tool":"t","sandboxMatchLabels":{"team":"web"}},
        "rateLimit":{"burst":3,"window":"1m"}})")});
    ctx_.now = std::chrono::steady_clock::time_point(5s);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(eval("tool:t").verdict, Verdict::kAllowed);
    EXPECT_EQ(eval("tool:t").verdict, Verdict::kRateLimited);
    ctx_.now += 20s;
    EXPECT_EQ(eval("tool:t").verdict, Verdict::kAllowed);
}

// "Most specific selector wins": an exact tool beats a wildcard policy.
TEST_F(ToolPolicyEval, MostSpecificPolicyWins) {
    use({compiled("all", R"({"appliesTo":{"tool":"*","sandboxMatchLabels":{"team":"web"}},
                            "approval":{"mode":"always"}})"),
         compiled("search", R"({"appliesTo":{"tool":"web.search",
                               "sandboxMatchLabels":{"team":"web"}},
                               "approval":{"mode":"never"}})")});
    EXPECT_EQ(eval("tool:web.search").verdict, Verdict::kAllowed);
    Decision d = eval("tool:fs.write");
    EXPECT_EQ(d.verdict, Verdict::kRequiresApproval);
    EXPECT_EQ(d.rule.source, "ToolPolicy/agents/all");
}

// Inline profile rules apply only to sandboxes the ToolPolicy selects.
TEST_F(ToolPolicyEval, InlineProfileAppliesToSelectedSandboxesOnly) {
    use({compiled("lockdown", R"({"appliesTo":{"sandboxMatchLabels":{"tier":"prod"}},
        "agtProfile":{"inline":"policies:\n  - {name: only-search, type: capability, )"
                              R"(priority: 500, allowed_actions: ['tool:web.search']}\n"}})")});
    Decision d = eval("tool:fs.write");
    EXPECT_EQ(d.verdict, Verdict::kDenied);
    EXPECT_EQ(d.rule.kind, PolicyKind::kToolPolicy);
    EXPECT_EQ(d.rule.source, "ToolPolicy/agents/lockdown");
    EXPECT_EQ(d.rule.rule, "only-search");
    EXPECT_EQ(eval("tool:web.search").verdict, Verdict::kAllowed);
    Labels dev{{"tier", "dev"}};
    ctx_.sandbox_labels = &dev;
    EXPECT_EQ(eval("tool:fs.write").verdict, Verdict::kAllowed);
}

}  // namespace
}  // namespace kars::governance
