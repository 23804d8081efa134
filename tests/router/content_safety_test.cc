// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/safety/content_safety.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "core/json/parse.h"

namespace kars::router::safety {
namespace {

using policy::ContentSafety;

// One harm category entry as Azure writes it.
std::string harm_entry(Category category, std::string_view severity, bool filtered = false) {
    return "\"" + std::string(category_name(category)) +
           "\":{\"filtered\":" + (filtered ? "true" : "false") + ",\"severity\":\"" +
           std::string(severity) + "\"}";
}

// A category map with every harm category "safe" except `category` at `severity`.
std::string harm_map(Category category, std::string_view severity, bool filtered = false) {
    std::string map = "{";
    for (const Category c : kHarmCategories) {
        if (map.size() > 1) map += ",";
        map += c == category ? harm_entry(c, severity, filtered) : harm_entry(c, "safe");
    }
    return map;  // left open so callers can append shield entries
}

constexpr std::string_view kNoShields = "}";
constexpr std::string_view kQuietShields = R"(,"jailbreak":{"filtered":false,"detected":false}})";

// A non-streaming Azure chat completion with the given prompt and choice category maps.
std::string azure_completion(const std::string& prompt_map, const std::string& choice_map,
                             std::string_view finish_reason = "stop") {
    return R"({"choices":[{"content_filter_results":)" + choice_map + R"(,"finish_reason":")" +
           std::string(finish_reason) +
           R"(","index":0,"logprobs":null,"message":{"content":"...","role":"assistant"}}],)"
           R"("created":1767225600,"id":"chatcmpl-B9x1","model":"gpt-4o-2024-08-06",)"
           R"("object":"chat.completion","prompt_filter_results":[{"prompt_index":0,)"
           R"("content_filter_results":)" +
           prompt_map +
           R"(}],"usage":{"completion_tokens":1,"prompt_tokens":9,"total_tokens":10}})";
}

std::string safe_prompt() {
    return harm_map(Category::kHate, "safe") + std::string(kQuietShields);
}
std::string safe_choice() {
    return harm_map(Category::kHate, "safe") + std::string(kNoShields);
}

Observations observe_text(std::string_view text) {
    auto parsed = json::parse(text);
    EXPECT_TRUE(parsed.ok()) << text;
    return parsed.ok() ? observe_annotations(*parsed) : Observations{};
}

ContentSafety ceilings(Severity all) {
    ContentSafety p;
    p.hate = p.self_harm = p.sexual = p.violence = all;
    return p;
}

std::optional<Severity>& ceiling_of(ContentSafety& p, Category c) {
    switch (c) {
        case Category::kHate:
            return p.hate;
        case Category::kSelfHarm:
            return p.self_harm;
        case Category::kSexual:
            return p.sexual;
        default:
            return p.violence;
    }
}

TEST(ContentSafety, BenignResponseIsAllowed) {
    ContentSafety policy = ceilings(Severity::kSafe);
    policy.require_prompt_shields = true;
    const Verdict v =
        evaluate(policy, observe_text(azure_completion(safe_prompt(), safe_choice())));
    EXPECT_FALSE(v.blocked);
    EXPECT_EQ(v.kind, BlockKind::kNone);
    EXPECT_FALSE(v.upstream_filtered);
    EXPECT_TRUE(v.reason.empty());
}

TEST(ContentSafety, SeverityStrictlyAboveCeilingBlocksForEveryCategory) {
    for (const Category c : kHarmCategories) {
        SCOPED_TRACE(std::string(category_name(c)));
        ContentSafety policy;
        ceiling_of(policy, c) = Severity::kLow;
        for (const auto& [observed, blocks] :
             {std::pair{"safe", false}, {"low", false}, {"medium", true}, {"high", true}}) {
            const std::string choice = harm_map(c, observed) + std::string(kNoShields);
            const Verdict v =
                evaluate(policy, observe_text(azure_completion(safe_prompt(), choice)));
            EXPECT_EQ(v.blocked, blocks) << observed;
            if (!blocks) continue;
            EXPECT_EQ(v.kind, BlockKind::kSeverityAboveCeiling);
            EXPECT_EQ(v.category, c);
            EXPECT_EQ(v.side, Side::kCompletion);
            EXPECT_EQ(v.observed, parse_severity(observed));
            EXPECT_EQ(v.allowed, Severity::kLow);
        }
    }
}

TEST(ContentSafety, ReasonNamesCategorySeverityAndCeiling) {
    ContentSafety policy;
    policy.hate = Severity::kLow;
    const std::string prompt = harm_map(Category::kHate, "high") + std::string(kQuietShields);
    const Verdict v = evaluate(policy, observe_text(azure_completion(prompt, safe_choice())));
    ASSERT_TRUE(v.blocked);
    EXPECT_EQ(v.side, Side::kPrompt);
    EXPECT_EQ(v.reason,
              "Response blocked by content safety: hate severity High exceeds the sandbox's "
              "InferencePolicy ceiling Low");
}

TEST(ContentSafety, CategoriesAreCheckedInFixedOrderPromptSideFirst) {
    ContentSafety policy = ceilings(Severity::kSafe);
    // Both violence and self_harm exceed on the prompt: self_harm comes first.
    std::string prompt = "{" + harm_entry(Category::kHate, "safe") + "," +
                         harm_entry(Category::kSelfHarm, "low") + "," +
                         harm_entry(Category::kSexual, "safe") + "," +
                         harm_entry(Category::kViolence, "high") + std::string(kQuietShields);
    // hate exceeds on the completion, but the prompt side is checked first.
    const std::string choice = harm_map(Category::kHate, "high") + std::string(kNoShields);
    const Verdict v = evaluate(policy, observe_text(azure_completion(prompt, choice)));
    ASSERT_TRUE(v.blocked);
    EXPECT_EQ(v.category, Category::kSelfHarm);
    EXPECT_EQ(v.side, Side::kPrompt);
}

TEST(ContentSafety, CategoryWithoutCeilingIsNotLimitedBySeverity) {
    ContentSafety policy;
    policy.hate = Severity::kSafe;
    const std::string choice = harm_map(Category::kViolence, "high") + std::string(kNoShields);
    EXPECT_FALSE(evaluate(policy, observe_text(azure_completion(safe_prompt(), choice))).blocked);
}

TEST(ContentSafety, DetectedJailbreakBlocksWheneverAnyFloorIsActive) {
    ContentSafety policy;
    policy.violence = Severity::kHigh;  // no requirePromptShields
    const std::string prompt =
        harm_map(Category::kHate, "safe") + R"(,"jailbreak":{"filtered":false,"detected":true}})";
    const Verdict v = evaluate(policy, observe_text(azure_completion(prompt, safe_choice())));
    ASSERT_TRUE(v.blocked);
    EXPECT_EQ(v.kind, BlockKind::kPromptAttack);
    EXPECT_EQ(v.category, Category::kJailbreak);
    EXPECT_EQ(
        v.reason,
        "Response blocked by content safety: Prompt Shields detected jailbreak in the prompt");
}

TEST(ContentSafety, FilteredButUndetectedJailbreakAlsoBlocks) {
    ContentSafety policy;
    policy.require_prompt_shields = true;
    const std::string prompt =
        harm_map(Category::kHate, "safe") + R"(,"jailbreak":{"filtered":true,"detected":false}})";
    const Verdict v = evaluate(policy, observe_text(azure_completion(prompt, safe_choice())));
    ASSERT_TRUE(v.blocked);
    EXPECT_EQ(v.kind, BlockKind::kPromptAttack);
    EXPECT_NE(v.reason.find("filtered jailbreak"), std::string::npos);
    EXPECT_TRUE(v.upstream_filtered);
}

TEST(ContentSafety, DetectedIndirectAttackBlocks) {
    ContentSafety policy;
    policy.require_prompt_shields = true;
    const std::string prompt = harm_map(Category::kHate, "safe") +
                               R"(,"jailbreak":{"filtered":false,"detected":false},)"
                               R"("indirect_attack":{"filtered":false,"detected":true}})";
    const Verdict v = evaluate(policy, observe_text(azure_completion(prompt, safe_choice())));
    ASSERT_TRUE(v.blocked);
    EXPECT_EQ(v.category, Category::kIndirectAttack);
}

TEST(ContentSafety, Azure400WithFilteredCategoryBlocksOnSeverityThenOnFilterFlag) {
    constexpr std::string_view k400 =
        R"({"error":{"message":"The response was filtered due to the prompt triggering )"
        R"(Azure OpenAI's content management policy.","type":null,"param":"prompt",)"
        R"("code":"content_filter","status":400,"innererror":{"code":)"
        R"("ResponsibleAIPolicyViolation","content_filter_result":{)"
        R"("hate":{"filtered":true,"severity":"medium"},)"
        R"("jailbreak":{"filtered":false,"detected":false},)"
        R"("self_harm":{"filtered":false,"severity":"safe"},)"
        R"("sexual":{"filtered":false,"severity":"safe"},)"
        R"("violence":{"filtered":false,"severity":"safe"}}}}})";
    const Observations o = observe_text(k400);

    ContentSafety strict;
    strict.hate = Severity::kLow;
    const Verdict by_severity = evaluate(strict, o);
    EXPECT_EQ(by_severity.kind, BlockKind::kSeverityAboveCeiling);
    EXPECT_EQ(by_severity.side, Side::kPrompt);

    ContentSafety lenient;
    lenient.hate = Severity::kHigh;
    const Verdict by_filter = evaluate(lenient, o);
    ASSERT_TRUE(by_filter.blocked);
    EXPECT_EQ(by_filter.kind, BlockKind::kUpstreamFiltered);
    EXPECT_EQ(by_filter.category, Category::kHate);
    EXPECT_EQ(by_filter.observed, Severity::kMedium);
    EXPECT_EQ(by_filter.allowed, Severity::kHigh);
    EXPECT_EQ(by_filter.reason,
              "Response blocked by content safety: the upstream content filter filtered hate "
              "in the prompt (severity Medium)");
}

TEST(ContentSafety, ContentFilterErrorWithoutDetailsBlocksActivePolicy) {
    ContentSafety policy;
    policy.sexual = Severity::kMedium;
    const Verdict v = evaluate(policy, observe_text(R"({"error":{"code":"content_filter",
      "message":"filtered","param":"prompt","status":400}})"));
    ASSERT_TRUE(v.blocked);
    EXPECT_EQ(v.kind, BlockKind::kUpstreamFiltered);
    EXPECT_FALSE(v.category.has_value());
}

TEST(ContentSafety, OutputSideAnnotationsAreEnforced) {
    ContentSafety policy;
    policy.violence = Severity::kMedium;
    const std::string choice = harm_map(Category::kViolence, "high") + std::string(kNoShields);
    const Verdict v = evaluate(policy, observe_text(azure_completion(safe_prompt(), choice)));
    ASSERT_TRUE(v.blocked);
    EXPECT_EQ(v.side, Side::kCompletion);
    EXPECT_EQ(v.category, Category::kViolence);
}

TEST(ContentSafety, FinishReasonContentFilterBlocksAndIsReported) {
    ContentSafety policy;
    policy.sexual = Severity::kHigh;
    const std::string choice =
        harm_map(Category::kSexual, "high", /*filtered=*/true) + std::string(kNoShields);
    const Verdict v =
        evaluate(policy, observe_text(azure_completion(safe_prompt(), choice, "content_filter")));
    ASSERT_TRUE(v.blocked);
    EXPECT_EQ(v.kind, BlockKind::kUpstreamFiltered);
    EXPECT_EQ(v.category, Category::kSexual);
    EXPECT_EQ(v.side, Side::kCompletion);
    EXPECT_TRUE(v.upstream_filtered);
}

TEST(ContentSafety, RequirePromptShieldsBlocksWhenUpstreamCarriedNone) {
    ContentSafety policy;
    policy.require_prompt_shields = true;
    const std::string no_shield_prompt =
        harm_map(Category::kHate, "safe") + std::string(kNoShields);
    const Verdict v =
        evaluate(policy, observe_text(azure_completion(no_shield_prompt, safe_choice())));
    ASSERT_TRUE(v.blocked);
    EXPECT_EQ(v.kind, BlockKind::kMissingPromptShields);
    EXPECT_NE(v.reason.find("the upstream carried no Prompt Shields annotations"),
              std::string::npos);

    // A plain OpenAI response has no annotations at all.
    const Verdict plain = evaluate(policy, observe_text(R"({"id":"chatcmpl-1",
      "object":"chat.completion","choices":[{"index":0,"finish_reason":"stop",
      "message":{"role":"assistant","content":"hi"}}]})"));
    EXPECT_EQ(plain.kind, BlockKind::kMissingPromptShields);
}

TEST(ContentSafety, RequirePromptShieldsIsSatisfiedByUndetectedAnnotation) {
    ContentSafety policy;
    policy.require_prompt_shields = true;
    EXPECT_FALSE(
        evaluate(policy, observe_text(azure_completion(safe_prompt(), safe_choice()))).blocked);
}

TEST(ContentSafety, MissingShieldsIsUndecidedForAPartialStreamWithoutPromptAnnotations) {
    ContentSafety policy;
    policy.require_prompt_shields = true;
    const Observations nothing;
    EXPECT_FALSE(evaluate(policy, nothing, Coverage::kPartialStream).blocked);
    EXPECT_TRUE(evaluate(policy, nothing, Coverage::kWholeResponse).blocked);
}

TEST(ContentSafety, UnknownSeverityNeverBlocksOnCeiling) {
    ContentSafety policy = ceilings(Severity::kSafe);
    const std::string choice = harm_map(Category::kHate, "catastrophic") + std::string(kNoShields);
    EXPECT_FALSE(evaluate(policy, observe_text(azure_completion(safe_prompt(), choice))).blocked);
}

TEST(ContentSafety, InactivePolicyNeverBlocksButReportsUpstreamFiltering) {
    const ContentSafety inactive;
    ASSERT_FALSE(inactive.active());
    const std::string prompt = harm_map(Category::kHate, "high", true) +
                               R"(,"jailbreak":{"filtered":true,"detected":true}})";
    const std::string choice = harm_map(Category::kViolence, "high", true) + "}";
    const Verdict v =
        evaluate(inactive, observe_text(azure_completion(prompt, choice, "content_filter")));
    EXPECT_FALSE(v.blocked);
    EXPECT_TRUE(v.upstream_filtered);
    EXPECT_TRUE(v.reason.empty());
    EXPECT_FALSE(evaluate(inactive, Observations{}).blocked);
}

TEST(ContentSafety, BlockErrorBodyIsOpenAiContentPolicyViolation) {
    ContentSafety policy;
    policy.hate = Severity::kLow;
    const std::string prompt = harm_map(Category::kHate, "high") + std::string(kQuietShields);
    const Verdict v = evaluate(policy, observe_text(azure_completion(prompt, safe_choice())));
    EXPECT_EQ(block_error_body(v),
              R"({"error":{"message":"Response blocked by content safety: hate severity High )"
              R"(exceeds the sandbox's InferencePolicy ceiling Low",)"
              R"("type":"content_policy_violation","code":"content_filter"}})");
    EXPECT_EQ(kBlockHttpStatus, 400);
}

TEST(ContentSafety, BlockErrorBodyFollowsAnthropicShapeForAnthropicClients) {
    Verdict v;
    v.blocked = true;
    v.reason = "Response blocked by content safety: x";
    EXPECT_EQ(block_error_body(v, Protocol::kAnthropic),
              R"({"type":"error","error":{"type":"invalid_request_error",)"
              R"("message":"Response blocked by content safety: x"}})");
}

}  // namespace
}  // namespace kars::router::safety
