// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// Arbitrary bytes as an action string, parsed and evaluated against the kars-default
// profile (embedded, so the fuzzer needs no files). Checks that parsing is canonical (the
// canonical text parses to itself) and that every decision carries a reason.
// Seeds: fuzz/corpus/governance_action/.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/governance/evaluator.h"

namespace {

// A condensed copy of the reference kars-default.yaml rules (same names, patterns,
// priorities), so the fuzz target exercises the real default decision paths.
constexpr const char* kDefaultProfile = R"(version: "1.0"
agent: kars-default
policies:
  - name: shell-destructive-deny
    type: capability
    denied_actions: ["shell:rm", "shell:mkfs", "shell:shutdown", "shell:reboot", "shell:dd",
                     "shell:nmap", "shell:nc", "shell:netcat", "shell:socat", "shell:nsenter",
                     "shell:unshare", "shell:chroot"]
    priority: 100
  - name: shell-safe-commands
    type: capability
    allowed_actions: ["shell:ls", "shell:cat", "shell:grep", "shell:find", "shell:echo",
                      "shell:head", "shell:tail", "shell:wc", "shell:sort", "shell:uniq",
                      "shell:diff", "shell:python", "shell:python3", "shell:pip", "shell:node",
                      "shell:npm", "shell:git", "shell:curl", "shell:jq", "shell:sed",
                      "shell:awk"]
    priority: 90
  - {name: inference-allow, type: capability, allowed_actions: ["inference:*",
     "image_generation:*"], priority: 80}
  - {name: foundry-allow, type: capability, allowed_actions: ["foundry:web_search:*",
     "foundry:memory:*"], priority: 80}
  - {name: spawn-allow, type: capability, allowed_actions: ["spawn:*"], priority: 80}
  - {name: mesh-allow, type: capability, allowed_actions: ["mesh:*"], priority: 80}
  - {name: tool-allow, type: capability, allowed_actions: ["tool:*"], priority: 70}
  - {name: admin-bulk-approval, type: approval, actions: ["admin:bulk*", "admin:promote*"],
     min_approvals: 1, priority: 60}
  - {name: admin-allow, type: capability, allowed_actions: ["admin:*"], priority: 50}
  - {name: inference-rate-limit, type: rate_limit, actions: ["inference:*"], max_calls: 500,
     window: "60s", priority: 40}
)";

const kars::governance::PolicySet& default_set() {
    static const kars::governance::PolicySet set = [] {
        std::vector<kars::governance::ProfileSource> src{{"kars-default.yaml", kDefaultProfile}};
        auto built = kars::governance::PolicySet::build(src);
        if (!built.ok()) __builtin_trap();
        return *built;
    }();
    return set;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kars::governance;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    static RateLimiter limiter(256);
    EvalContext ctx;
    ctx.sandbox = "fuzz";
    auto parsed = parse_action(text);
    if (parsed.ok()) {
        auto again = parse_action(parsed->text());
        if (!again.ok() || again->text() != parsed->text()) __builtin_trap();
        auto pattern = ActionPattern::compile(parsed->match_text());
        if (pattern.ok() && parsed->kind() != ActionKind::kOutput &&
            parsed->kind() != ActionKind::kMemory && !pattern->matches(*parsed)) {
            __builtin_trap();  // a literal pattern must match the action it was made from
        }
    }
    Decision d = evaluate(default_set(), text, ctx, limiter);
    if (d.reason.empty()) __builtin_trap();
    return 0;
}
