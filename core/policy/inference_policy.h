// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The compiled form of an InferencePolicy resource (kars.azure.com/v1alpha1): what the
// router enforces for one sandbox. Parsing lives in core/manifest; this header is only data
// so that the router, the CLI and the operator all agree on it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kars::policy {

// Ordered so that comparisons read naturally: kSafe < kLow < kMedium < kHigh.
enum class Severity { kSafe = 0, kLow = 1, kMedium = 2, kHigh = 3 };

struct TokenBudget {
    // 0 means "no limit" for each field, as in the CRD.
    std::uint64_t per_request_tokens = 0;
    std::uint64_t daily_tokens = 0;
    std::uint64_t monthly_tokens = 0;
};

// Highest severity per category the sandbox accepts; anything strictly above is blocked.
struct ContentSafety {
    std::optional<Severity> hate;
    std::optional<Severity> self_harm;
    std::optional<Severity> sexual;
    std::optional<Severity> violence;
    bool require_prompt_shields = false;

    bool active() const {
        return hate || self_harm || sexual || violence || require_prompt_shields;
    }
};

struct ModelTarget {
    std::string provider;    // informational tag from the CRD (e.g. "azure-openai")
    std::string deployment;  // model or deployment name sent upstream
};

struct ModelPreference {
    std::optional<ModelTarget> primary;
    std::vector<ModelTarget> fallback;
};

struct InferencePolicy {
    std::string name;
    std::optional<TokenBudget> token_budget;
    std::optional<ContentSafety> content_safety;
    std::optional<ModelPreference> model_preference;
};

}  // namespace kars::policy
