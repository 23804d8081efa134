// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// Runs every case of the reference eval corpora against the engine with the kars-default
// profile. Case files are read as they are; nothing is special-cased by id.

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "core/governance/evaluator.h"
#include "core/governance/tool_policy.h"

namespace kars::governance {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string reference(const std::string& rel) {
    return read_file(std::string(KARS_SOURCE_DIR) + "/../shared/reference/" + rel);
}

json::array corpus_cases(const std::string& file) {
    json::value v = json::parse(reference("eval-corpus/" + file));
    return v.at("cases").as_array();
}

std::string corpus_decision(Verdict v) {
    switch (v) {
        case Verdict::kAllowed:
            return "Allowed";
        case Verdict::kRateLimited:
            return "RateLimited";
        case Verdict::kRequiresApproval:
            return "RequiresApproval";
        case Verdict::kDenied:
            return "Blocked";
    }
    return "Blocked";
}

std::string str(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// The verdicts of one scenario: one call, or `burst.count` calls spread over windowMs.
struct Outcome {
    Decision first;
    std::set<std::string> seen;
};

class CorpusRunner {
public:
    explicit CorpusRunner(PolicySet set) : set_(std::move(set)) {
        ctx_.sandbox = "eval-sandbox";
        ctx_.sandbox_labels = &labels_;
        ctx_.now = std::chrono::steady_clock::time_point(1000s);
    }

    Outcome run(const json::object& scenario) {
        std::string kind = str(scenario, "kind");
        std::string action;
        if (kind == "ToolCall") action = "tool:" + str(scenario, "tool");
        if (kind == "MemoryRead") action = "memory:read:" + str(scenario, "scope");
        if (kind == "EgressConnect") {
            action = "egress:" + str(scenario, "host") + ":" +
                     std::to_string(scenario.at("port").to_number<int>());
        }
        EXPECT_FALSE(action.empty()) << "unknown scenario kind " << kind;
        int count = 1;
        std::chrono::nanoseconds step{0};
        if (const json::value* burst = scenario.if_contains("burst")) {
            count = burst->at("count").to_number<int>();
            step = std::chrono::milliseconds(burst->at("windowMs").to_number<int>()) / count;
        }
        Outcome out;
        for (int i = 0; i < count; ++i) {
            Decision d = evaluate(set_, action, ctx_, limiter_);
            if (i == 0) out.first = d;
            out.seen.insert(corpus_decision(d.verdict));
            ctx_.now += step;
        }
        ctx_.now += 1h;  // cases do not share rate-limit budget
        return out;
    }

    // Empty when the case passes, else what differed.
    std::string check(const json::object& c) {
        Outcome got = run(c.at("scenario").as_object());
        const json::object& expect = c.at("expect").as_object();
        std::string problems;
        std::string want = str(expect, "decision");
        if (corpus_decision(got.first.verdict) != want) {
            problems += "decision " + corpus_decision(got.first.verdict) + " != " + want + "; ";
        }
        std::string some = str(expect, "decisionAtLeastSome");
        if (!some.empty() && !got.seen.count(some)) problems += "never " + some + "; ";
        std::string by = str(expect, "byPolicyKind");
        // The deciding call is the first, except for a burst that expects a limit.
        bool limited = !some.empty();
        if (!by.empty() && !limited && std::string(to_string(got.first.rule.kind)) != by) {
            problems += "kind " + std::string(to_string(got.first.rule.kind)) + " != " + by + "; ";
        }
        std::string reason = str(expect, "reasonContains");
        if (!reason.empty() && got.first.reason.find(reason) == std::string::npos) {
            problems += "reason '" + got.first.reason + "' lacks '" + reason + "'; ";
        }
        return problems;
    }

private:
    PolicySet set_;
    RateLimiter limiter_;
    Labels labels_{{"kars.azure.com/eval", "true"}};
    EvalContext ctx_;
};

PolicySet default_set(std::vector<ToolPolicy> tool_policies = {}) {
    std::vector<ProfileSource> src{{"kars-default.yaml", reference("profiles/kars-default.yaml")}};
    auto set = PolicySet::build(src, tool_policies);
    EXPECT_TRUE(set.ok()) << set.error().message;
    return set.ok() ? *set : PolicySet();
}

// The ToolPolicy the banned-tools corpus presupposes (its cases expect byPolicyKind
// ToolPolicy): web.search is the one allow-listed tool, at 10 rps with a burst of 20.
ToolPolicy eval_tool_policy() {
    manifest::ObjectMeta meta;
    meta.name = "eval-tools";
    meta.namespace_name = "eval";
    json::value spec = json::parse(R"({
        "appliesTo": {"tool": "web.search",
                      "sandboxMatchLabels": {"kars.azure.com/eval": "true"}},
        "rateLimit": {"rps": 10, "burst": 20}
    })");
    spec.as_object()["agtProfile"] = json::object{{"inline",
                                                   "version: \"1.0\"\n"
                                                   "policies:\n"
                                                   "  - name: eval-tool-allowlist\n"
                                                   "    type: capability\n"
                                                   "    allowed_actions: ['tool:web.search']\n"
                                                   "    priority: 150\n"}};
    auto p = compile_tool_policy(meta, spec);
    EXPECT_TRUE(p.ok()) << p.error().message;
    return p.ok() ? *p : ToolPolicy{};
}

TEST(GovernanceCorpus, EveryMemoryIsolationCasePassesWithTheDefaultProfile) {
    CorpusRunner runner(default_set());
    json::array cases = corpus_cases("memory-isolation.json");
    ASSERT_EQ(cases.size(), 5u);
    for (const json::value& c : cases) {
        EXPECT_EQ(runner.check(c.as_object()), "") << str(c.as_object(), "id");
    }
}

// The default profile allows "tool:*" at priority 70 and has no tool rate limit, so no
// banned-tools case can be met by it alone: each result is recorded here so a change to
// the profile or engine that alters them is noticed.
TEST(GovernanceCorpus, DefaultProfileAloneAllowsEveryBannedToolCase) {
    CorpusRunner runner(default_set());
    for (const json::value& c : corpus_cases("banned-tools.json")) {
        const json::object& scenario = c.at("scenario").as_object();
        Outcome got = runner.run(scenario);
        EXPECT_EQ(got.first.verdict, Verdict::kAllowed) << str(c.as_object(), "id");
        EXPECT_EQ(got.first.rule.rule, "tool-allow") << str(c.as_object(), "id");
        EXPECT_EQ(got.seen, std::set<std::string>{"Allowed"}) << str(c.as_object(), "id");
    }
}

TEST(GovernanceCorpus, EveryBannedToolCasePassesWithDefaultProfileAndEvalToolPolicy) {
    CorpusRunner runner(default_set({eval_tool_policy()}));
    json::array cases = corpus_cases("banned-tools.json");
    ASSERT_EQ(cases.size(), 5u);
    for (const json::value& c : cases) {
        EXPECT_EQ(runner.check(c.as_object()), "") << str(c.as_object(), "id");
    }
}

TEST(GovernanceCorpus, MemoryCasesStillPassWithTheEvalToolPolicy) {
    CorpusRunner runner(default_set({eval_tool_policy()}));
    for (const json::value& c : corpus_cases("memory-isolation.json")) {
        EXPECT_EQ(runner.check(c.as_object()), "") << str(c.as_object(), "id");
    }
}

// Egress is the EgressAllowlist's job, not the governance profile's; the engine still
// refuses every known-bad destination by its deny-by-default for egress:.
TEST(GovernanceCorpus, EveryEgressKnownBadCaseIsBlockedByDefault) {
    CorpusRunner runner(default_set());
    for (const json::value& c : corpus_cases("egress-known-bad.json")) {
        Outcome got = runner.run(c.at("scenario").as_object());
        EXPECT_EQ(got.first.verdict, Verdict::kDenied) << str(c.as_object(), "id");
        EXPECT_NE(got.first.reason.find(str(c.at("expect").as_object(), "reasonContains")),
                  std::string::npos)
            << str(c.as_object(), "id");
    }
}

}  // namespace
}  // namespace kars::governance
