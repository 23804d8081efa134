// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// Cost of one governance decision: the kars-default profile and a generated 1,000-rule
// profile, each over a mix of action kinds, against a trivial baseline (one std::string
// compare) measured in the same run. Prints median ns per decision and the ratio.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "core/governance/evaluator.h"

namespace {

using kars::governance::EvalContext;
using kars::governance::PolicySet;
using kars::governance::ProfileSource;
using kars::governance::RateLimiter;

// bench/CMakeLists.txt defines no source-dir macro, so the repository root is taken from
// this file's own path (CMake compiles it by absolute path); KARS_SOURCE_DIR overrides it.
std::string default_profile() {
    const char* env = std::getenv("KARS_SOURCE_DIR");
    std::filesystem::path root = env ? std::filesystem::path(env)
                                     : std::filesystem::path(__FILE__).parent_path().parent_path();
    std::ifstream in(root / "../shared/reference/profiles/kars-default.yaml");
    if (!in) {
        std::fprintf(stderr, "kars-default.yaml not found under %s; set KARS_SOURCE_DIR\n",
                     root.c_str());
        std::abort();
    }
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// 1,000 rules over every rule type and index path: exact patterns, literal-server globs,
// host globs scanned linearly, approval prefixes and rate limits.
std::string generated_profile() {
    std::string y = "version: \"1.0\"\npolicies:\n";
    auto rule = [&y](const std::string& name, const std::string& body, int priority) {
        y += "  - name: " + name + "\n" + body + "    priority: " + std::to_string(priority) + "\n";
    };
    for (int i = 0; i < 250; ++i) {
        rule("tool-" + std::to_string(i),
             "    type: capability\n    allowed_actions: ['tool:gen_tool_" + std::to_string(i) +
                 "', 'tool:gen_tool_" + std::to_string(i) + "_v2']\n",
             100);
    }
    for (int i = 0; i < 150; ++i) {
        rule("shell-deny-" + std::to_string(i),
             "    type: capability\n    denied_actions: ['shell:gen_cmd_" + std::to_string(i) +
                 "']\n",
             200);
    }
    for (int i = 0; i < 150; ++i) {
        rule("mcp-" + std::to_string(i),
             "    type: capability\n    allowed_actions: ['mcp:server_" + std::to_string(i) +
                 ":*']\n",
             90);
    }
    for (int i = 0; i < 150; ++i) {
        rule("egress-" + std::to_string(i),
             "    type: capability\n    allowed_actions: ['egress:*.domain" + std::to_string(i) +
                 ".example:443']\n",
             80);
    }
    for (int i = 0; i < 100; ++i) {
        rule("approve-" + std::to_string(i),
             "    type: approval\n    actions: ['admin:op" + std::to_string(i) + "_*']\n", 70);
    }
    for (int i = 0; i < 100; ++i) {
        rule("limit-" + std::to_string(i),
             "    type: rate_limit\n    actions: ['inference:chat_completions:model_" +
                 std::to_string(i) + "']\n    max_calls: 1000000000\n    window: 1s\n",
             10);
    }
    for (int i = 0; i < 100; ++i) {
        rule("foundry-" + std::to_string(i),
             "    type: capability\n    allowed_actions: ['foundry:cat" + std::to_string(i) +
                 ":*', 'inference:*']\n",
             60);
    }
    return y;
}

PolicySet build(const std::string& name, const std::string& yaml) {
    std::vector<ProfileSource> src{{name, yaml}};
    auto set = PolicySet::build(src);
    if (!set.ok()) {
        std::fprintf(stderr, "%s\n", set.error().message.c_str());
        std::abort();
    }
    return *set;
}

const std::vector<std::string> kDefaultMix = {
    "tool:web.search",
    "shell:ls -la",
    "shell:rm -rf /",
    "shell:whoami",
    "inference:chat_completions:gpt-4o",
    "admin:bulk_delete",
    "mcp:github:create_issue",
    "memory:read:agent_bench",
};

const std::vector<std::string> kGeneratedMix = {
    "tool:gen_tool_123",
    "tool:not_listed",
    "shell:gen_cmd_77 -x",
    "mcp:server_42:do_it",
    "egress:api.domain77.example:443",
    "admin:op5_reset",
    "inference:chat_completions:model_3",
    "memory:read:agent_bench",
};

void run_mix(benchmark::State& state, const PolicySet& set, const std::vector<std::string>& mix) {
    RateLimiter limiter;
    EvalContext ctx;
    ctx.sandbox = "bench";
    ctx.now = std::chrono::steady_clock::time_point(std::chrono::hours(1));
    std::size_t i = 0;
    for (auto _ : state) {
        auto d = kars::governance::evaluate(set, mix[i], ctx, limiter);
        benchmark::DoNotOptimize(d);
        i = (i + 1) % mix.size();
        // Time moves so the default profile's 500/min inference limit keeps admitting.
        ctx.now += std::chrono::milliseconds(200);
    }
}

void BM_Baseline_StringCompare(benchmark::State& state) {
    std::string a = "tool:web.search";
    std::string b = "tool:web.searcH";
    for (auto _ : state) {
        benchmark::DoNotOptimize(a);
        benchmark::DoNotOptimize(b);
        bool same = a == b;
        benchmark::DoNotOptimize(same);
    }
}

void BM_Decision_DefaultProfile(benchmark::State& state) {
    static const PolicySet set = build("kars-default.yaml", default_profile());
    run_mix(state, set, kDefaultMix);
}

void BM_Decision_Generated1000Rules(benchmark::State& state) {
    static const PolicySet set = build("generated.yaml", generated_profile());
    run_mix(state, set, kGeneratedMix);
}

// The slowest path of the generated set: a host glob scanned against 150 host patterns.
void BM_Decision_Generated1000Rules_HostGlob(benchmark::State& state) {
    static const PolicySet set = build("generated.yaml", generated_profile());
    run_mix(state, set, {"egress:api.domain149.example:443"});
}

BENCHMARK(BM_Baseline_StringCompare)->Repetitions(9)->ReportAggregatesOnly(true);
BENCHMARK(BM_Decision_DefaultProfile)->Repetitions(9)->ReportAggregatesOnly(true);
BENCHMARK(BM_Decision_Generated1000Rules)->Repetitions(9)->ReportAggregatesOnly(true);
BENCHMARK(BM_Decision_Generated1000Rules_HostGlob)->Repetitions(9)->ReportAggregatesOnly(true);

// Collects the median of each benchmark so the ratio to the baseline can be printed.
class MedianReporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& r : runs) {
            if (r.aggregate_name == "median")
                medians[r.run_name.function_name] = r.GetAdjustedRealTime();
        }
        ConsoleReporter::ReportRuns(runs);
    }
    std::map<std::string, double> medians;
};

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    MedianReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    auto base = reporter.medians.find("BM_Baseline_StringCompare");
    if (base != reporter.medians.end() && base->second > 0) {
        std::printf("\nmedian ns per decision and ratio to one std::string compare (%.2f ns):\n",
                    base->second);
        for (const auto& [name, ns] : reporter.medians) {
            std::printf("  %-45s %9.1f ns  x%.0f\n", name.c_str(), ns, ns / base->second);
        }
    }
    benchmark::Shutdown();
    return 0;
}
