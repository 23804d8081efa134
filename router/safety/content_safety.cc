// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/safety/content_safety.h"

#include <array>
#include <utility>

namespace kars::router::safety {
namespace {

constexpr std::string_view kPrefix = "Response blocked by content safety: ";
constexpr std::array<Side, 2> kSides = {Side::kPrompt, Side::kCompletion};

std::optional<Severity> ceiling_for(const policy::ContentSafety& policy, Category category) {
    switch (category) {
        case Category::kHate:
            return policy.hate;
        case Category::kSelfHarm:
            return policy.self_harm;
        case Category::kSexual:
            return policy.sexual;
        case Category::kViolence:
            return policy.violence;
        case Category::kJailbreak:
        case Category::kIndirectAttack:
            return std::nullopt;
    }
    return std::nullopt;
}

std::string_view side_name(Side side) {
    return side == Side::kPrompt ? "prompt" : "completion";
}

Verdict block(Verdict verdict, BlockKind kind, std::string reason) {
    verdict.blocked = true;
    verdict.kind = kind;
    verdict.reason = std::string(kPrefix) + std::move(reason);
    return verdict;
}

std::optional<Verdict> check_ceilings(const policy::ContentSafety& policy,
                                      const Observations& observed, Verdict verdict) {
    for (const Side side : kSides) {
        for (const Category category : kHarmCategories) {
            const auto ceiling = ceiling_for(policy, category);
            const auto severity = observed.at(side, category).severity;
            if (!ceiling || !severity || *severity <= *ceiling) continue;
            verdict.category = category;
            verdict.side = side;
            verdict.observed = severity;
            verdict.allowed = ceiling;
            return block(std::move(verdict), BlockKind::kSeverityAboveCeiling,
                         std::string(category_name(category)) + " severity " +
                             std::string(severity_name(*severity)) +
                             " exceeds the sandbox's InferencePolicy ceiling " +
                             std::string(severity_name(*ceiling)));
        }
    }
    return std::nullopt;
}

std::optional<Verdict> check_prompt_attacks(const Observations& observed, Verdict verdict) {
    for (const Category category : kPromptShieldCategories) {
        for (const Side side : kSides) {
            const auto& seen = observed.at(side, category);
            if (!seen.detected && !seen.filtered) continue;
            verdict.category = category;
            verdict.side = side;
            const std::string how = seen.detected ? "detected" : "filtered";
            return block(std::move(verdict), BlockKind::kPromptAttack,
                         "Prompt Shields " + how + " " + std::string(category_name(category)) +
                             " in the " + std::string(side_name(side)));
        }
    }
    return std::nullopt;
}

std::optional<Verdict> check_upstream_filtering(const policy::ContentSafety& policy,
                                                const Observations& observed, Verdict verdict) {
    for (const Side side : kSides) {
        for (const Category category : kHarmCategories) {
            const auto& seen = observed.at(side, category);
            if (!seen.filtered) continue;
            verdict.category = category;
            verdict.side = side;
            verdict.observed = seen.severity;
            verdict.allowed = ceiling_for(policy, category);
            std::string reason = "the upstream content filter filtered " +
                                 std::string(category_name(category)) + " in the " +
                                 std::string(side_name(side));
            if (seen.severity)
                reason += " (severity " + std::string(severity_name(*seen.severity)) + ")";
            return block(std::move(verdict), BlockKind::kUpstreamFiltered, std::move(reason));
        }
    }
    if (observed.finish_reason_content_filter) {
        verdict.side = Side::kCompletion;
        return block(std::move(verdict), BlockKind::kUpstreamFiltered,
                     "the upstream stopped the completion with finish_reason content_filter");
    }
    if (observed.content_filter_error) {
        return block(std::move(verdict), BlockKind::kUpstreamFiltered,
                     "the upstream rejected the prompt with a content_filter error");
    }
    return std::nullopt;
}

}  // namespace

Verdict evaluate(const policy::ContentSafety& policy, const Observations& observed,
                 Coverage coverage) {
    Verdict verdict;
    verdict.upstream_filtered = observed.any_upstream_filtering();
    if (!policy.active()) return verdict;

    if (auto v = check_ceilings(policy, observed, verdict)) return std::move(*v);
    if (auto v = check_prompt_attacks(observed, verdict)) return std::move(*v);
    if (auto v = check_upstream_filtering(policy, observed, verdict)) return std::move(*v);

    // Prompt annotations arrive together, so once they are in, a missing shield is final.
    const bool decidable =
        coverage == Coverage::kWholeResponse || observed.prompt_annotations_present;
    if (policy.require_prompt_shields && !observed.prompt_shields_present && decidable) {
        verdict.category = Category::kJailbreak;
        return block(std::move(verdict), BlockKind::kMissingPromptShields,
                     "the upstream carried no Prompt Shields annotations (jailbreak or "
                     "indirect_attack), and the sandbox's InferencePolicy sets "
                     "requirePromptShields");
    }
    return verdict;
}

StreamSafetyState::StreamSafetyState(policy::ContentSafety policy) : policy_(std::move(policy)) {}

const Verdict& StreamSafetyState::observe_chunk(const boost::json::value& chunk) {
    merge_observations(observed_, observe_annotations(chunk));
    if (!verdict_.blocked) verdict_ = evaluate(policy_, observed_, Coverage::kPartialStream);
    return verdict_;
}

Verdict StreamSafetyState::finish() const {
    if (verdict_.blocked) return verdict_;
    return evaluate(policy_, observed_, Coverage::kWholeResponse);
}

bool StreamSafetyState::awaiting_prompt_annotations() const {
    return policy_.require_prompt_shields && !observed_.prompt_annotations_present &&
           !verdict_.blocked;
}

std::string block_error_body(const Verdict& verdict, Protocol protocol) {
    const std::string message =
        verdict.reason.empty() ? std::string("Response blocked by content safety") : verdict.reason;
    return error_body(protocol, kBlockHttpStatus, message, "content_policy_violation",
                      "content_filter");
}

}  // namespace kars::router::safety
