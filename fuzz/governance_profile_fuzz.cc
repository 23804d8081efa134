// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// Arbitrary bytes as a governance profile: loading must return a Result, never crash, hang
// or throw; a profile that loads must build a PolicySet and evaluate a few actions.
// Seeds: fuzz/corpus/governance_profile/.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/governance/evaluator.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kars::governance;
    std::string text(reinterpret_cast<const char*>(data), size);
    std::vector<ProfileSource> src{{"fuzz.yaml", text}};
    auto set = PolicySet::build(src);
    if (!set.ok()) return 0;
    RateLimiter limiter(64);
    EvalContext ctx;
    ctx.sandbox = "fuzz";
    for (const char* action :
         {"tool:web.search", "shell:rm -rf /", "mcp:a:b", "inference:chat_completions:m",
          "admin:bulk_x", "memory:read:agent_fuzz", "egress:a.example.com:443"}) {
        Decision d = evaluate(*set, action, ctx, limiter);
        if (d.reason.empty()) __builtin_trap();  // every decision must explain itself
    }
    return 0;
}
