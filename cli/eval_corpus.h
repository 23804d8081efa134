// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Evaluation corpora (schemaVersion v1): named cases, each a scenario for the router and
// the decision it must produce.
//
//   {"schemaVersion": "v1", "name": "...", "cases": [{
//       "id": "...", "tags": [...],
//       "scenario": {"kind": "ToolCall", "tool": "shell.exec", "args": {...}}
//                 | {"kind": "MemoryRead", "scope": "...", "key": "..."}
//                 | {"kind": "EgressConnect", "host": "...", "port": 443}
//                 | {"kind": "ChatCompletion", "model": "...", "messages": [...] | "prompt": "..."}
//                 (+ optional "burst": {"count": n, "windowMs": ms}),
//       "expect": {"decision": "Allowed|Blocked|RequiresApproval|RateLimited",
//                  "byPolicyKind": "...", "reasonContains": "...",
//                  "decisionAtLeastSome": "..."}}]}
//
// Parsing is strict: a case the runner cannot understand is an error before anything runs,
// never a silent pass.

#include <chrono>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/result.h"

namespace kars::cli {

inline constexpr int kMaxBurst = 10'000;

struct EvalCase {
    std::string id;
    std::string kind;  // ToolCall | MemoryRead | EgressConnect | ChatCompletion
    boost::json::object scenario;
    std::string want_decision;
    std::string want_policy_kind;    // empty: not checked
    std::string want_reason;         // substring; empty: not checked
    std::string want_at_least_some;  // a burst must produce this decision at least once
    int burst_count = 1;
    std::chrono::milliseconds burst_window{0};
};

struct EvalCorpus {
    std::string name;
    std::vector<EvalCase> cases;
};

Result<EvalCorpus> parse_corpus(std::string_view text, std::string_view source);

// What the router did for one case (the first call of a burst decides, except for the
// decisions every call produced).
struct Observed {
    std::string decision;
    std::string policy_kind;
    std::string reason;
    std::set<std::string> seen;
};

// Empty when the case passes, else what differed, written for a person.
std::string compare(const EvalCase& c, const Observed& got);

}  // namespace kars::cli
