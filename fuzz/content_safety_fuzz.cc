// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// Fuzzes the content-safety reader and enforcement with arbitrary JSON: upstream bodies are
// untrusted, so no shape may crash them. Also checks invariants and aborts on a violation:
// an inactive policy never blocks, a block always has a reason and a valid JSON error body,
// and a partial-stream block is never lifted by seeing the whole response.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "core/json/parse.h"
#include "router/safety/content_safety.h"

namespace {

using kars::policy::ContentSafety;
using kars::policy::Severity;
using kars::router::safety::Coverage;
using kars::router::safety::evaluate;
using kars::router::safety::Observations;
using kars::router::safety::StreamSafetyState;
using kars::router::safety::Verdict;

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "content_safety_fuzz: invariant violated: %s\n", what);
    std::abort();
}

void check_verdict(const ContentSafety& policy, const Verdict& verdict) {
    if (!policy.active() && verdict.blocked) fail("inactive policy blocked");
    if (verdict.blocked != !verdict.reason.empty()) fail("reason does not match blocked");
    if (verdict.blocked) {
        if (!kars::json::parse(kars::router::safety::block_error_body(verdict)).ok()) {
            fail("block error body is not JSON");
        }
    }
}

ContentSafety make_policy(int which) {
    ContentSafety p;
    switch (which) {
        case 0:
            break;
        case 1:
            p.hate = p.self_harm = p.sexual = p.violence = Severity::kSafe;
            p.require_prompt_shields = true;
            break;
        case 2:
            p.require_prompt_shields = true;
            break;
        default:
            p.hate = Severity::kHigh;
            p.violence = Severity::kLow;
            break;
    }
    return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = kars::json::parse(text);
    if (!parsed.ok()) return 0;

    const Observations observed = kars::router::safety::observe_annotations(*parsed);
    for (int which = 0; which < 4; ++which) {
        const ContentSafety policy = make_policy(which);
        const Verdict whole = evaluate(policy, observed, Coverage::kWholeResponse);
        const Verdict partial = evaluate(policy, observed, Coverage::kPartialStream);
        check_verdict(policy, whole);
        check_verdict(policy, partial);
        if (partial.blocked && !whole.blocked) fail("whole response lifted a partial block");

        // A top-level array is read as the chunks of a stream, one element each.
        StreamSafetyState state(policy);
        bool blocked = false;
        if (const auto* chunks = parsed->if_array()) {
            for (const auto& chunk : *chunks) {
                const Verdict& v = state.observe_chunk(chunk);
                check_verdict(policy, v);
                if (blocked && !v.blocked) fail("stream block was lifted");
                blocked = v.blocked;
            }
        } else {
            blocked = state.observe_chunk(*parsed).blocked;
        }
        const Verdict final_verdict = state.finish();
        check_verdict(policy, final_verdict);
        if (blocked && !final_verdict.blocked) fail("finish lifted a stream block");
    }
    return 0;
}
