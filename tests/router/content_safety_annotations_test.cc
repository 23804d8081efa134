// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/safety/content_filter_annotations.h"

#include <gtest/gtest.h>

#include "core/json/parse.h"

namespace kars::router::safety {
namespace {

// A non-streaming Azure OpenAI chat completion (api-version 2024-10-21) with Prompt Shields
// enabled on the deployment.
constexpr std::string_view kAzureCompletion = R"({
  "choices": [{
    "content_filter_results": {
      "hate": {"filtered": false, "severity": "safe"},
      "protected_material_code": {"filtered": false, "detected": false},
      "protected_material_text": {"filtered": false, "detected": false},
      "self_harm": {"filtered": false, "severity": "safe"},
      "sexual": {"filtered": false, "severity": "low"},
      "violence": {"filtered": false, "severity": "safe"}
    },
    "finish_reason": "stop", "index": 0, "logprobs": null,
    "message": {"content": "Paris.", "refusal": null, "role": "assistant"}
  }],
  "created": 1767225600, "id": "chatcmpl-B9x1", "model": "gpt-4o-2024-08-06",
  "object": "chat.completion",
  "prompt_filter_results": [{
    "prompt_index": 0,
    "content_filter_results": {
      "hate": {"filtered": false, "severity": "safe"},
      "jailbreak": {"filtered": false, "detected": false},
      "self_harm": {"filtered": false, "severity": "safe"},
      "sexual": {"filtered": false, "severity": "safe"},
      "violence": {"filtered": false, "severity": "medium"}
    }
  }],
  "system_fingerprint": "fp_5f2e7a",
  "usage": {"completion_tokens": 2, "prompt_tokens": 14, "total_tokens": 16}
})";

// The 400 Azure returns when the prompt itself trips the filter.
constexpr std::string_view kAzurePromptRejected = R"({
  "error": {
    "message": "The response was filtered due to the prompt triggering Azure OpenAI's )"
                                                  R"(content management policy.",
    "type": null, "param": "prompt", "code": "content_filter", "status": 400,
    "innererror": {
      "code": "ResponsibleAIPolicyViolation",
      "content_filter_result": {
        "hate": {"filtered": true, "severity": "high"},
        "jailbreak": {"filtered": false, "detected": false},
        "self_harm": {"filtered": false, "severity": "safe"},
        "sexual": {"filtered": false, "severity": "safe"},
        "violence": {"filtered": false, "severity": "low"}
      }
    }
  }
})";

Observations observe_text(std::string_view text) {
    auto parsed = json::parse(text);
    EXPECT_TRUE(parsed.ok()) << text;
    return parsed.ok() ? observe_annotations(*parsed) : Observations{};
}

TEST(ContentFilterAnnotations, ReadsPromptAndCompletionSidesOfAFullResponse) {
    const Observations o = observe_text(kAzureCompletion);
    EXPECT_TRUE(o.prompt_annotations_present);
    EXPECT_TRUE(o.prompt_shields_present);
    EXPECT_EQ(o.at(Side::kPrompt, Category::kViolence).severity, Severity::kMedium);
    EXPECT_EQ(o.at(Side::kPrompt, Category::kHate).severity, Severity::kSafe);
    EXPECT_TRUE(o.at(Side::kPrompt, Category::kJailbreak).present);
    EXPECT_FALSE(o.at(Side::kPrompt, Category::kJailbreak).detected);
    EXPECT_EQ(o.at(Side::kCompletion, Category::kSexual).severity, Severity::kLow);
    EXPECT_FALSE(o.at(Side::kCompletion, Category::kViolence).filtered);
    EXPECT_FALSE(o.finish_reason_content_filter);
    EXPECT_FALSE(o.content_filter_error);
    EXPECT_FALSE(o.any_upstream_filtering());
}

TEST(ContentFilterAnnotations, ReadsInnerErrorOfContentFilter400AsPromptSide) {
    const Observations o = observe_text(kAzurePromptRejected);
    EXPECT_TRUE(o.content_filter_error);
    EXPECT_TRUE(o.prompt_annotations_present);
    EXPECT_TRUE(o.prompt_shields_present);
    EXPECT_TRUE(o.at(Side::kPrompt, Category::kHate).filtered);
    EXPECT_EQ(o.at(Side::kPrompt, Category::kHate).severity, Severity::kHigh);
    EXPECT_FALSE(o.at(Side::kCompletion, Category::kHate).present);
    EXPECT_TRUE(o.any_upstream_filtering());
}

TEST(ContentFilterAnnotations, ContentFilterErrorWithoutInnerErrorIsStillRecognised) {
    const Observations o =
        observe_text(R"({"error":{"code":"content_filter","message":"filtered","status":400}})");
    EXPECT_TRUE(o.content_filter_error);
    EXPECT_FALSE(o.prompt_annotations_present);
}

TEST(ContentFilterAnnotations, OtherErrorsAreNotContentFilterErrors) {
    const Observations o = observe_text(
        R"({"error":{"code":"429","message":"Rate limit","innererror":{"code":"Throttled"}}})");
    EXPECT_FALSE(o.content_filter_error);
    EXPECT_FALSE(o.any_upstream_filtering());
}

TEST(ContentFilterAnnotations, KeepsHighestSeverityAcrossPromptsAndChoices) {
    const Observations o = observe_text(R"({
      "prompt_filter_results": [
        {"prompt_index": 0,
         "content_filter_results": {"hate": {"filtered": false, "severity": "low"}}},
        {"prompt_index": 1,
         "content_filter_results": {"hate": {"filtered": false, "severity": "medium"}}}
      ],
      "choices": [
        {"index": 0,
         "content_filter_results": {"self_harm": {"filtered": true, "severity": "high"}}},
        {"index": 1,
         "content_filter_results": {"self_harm": {"filtered": false, "severity": "low"}}}
      ]})");
    EXPECT_EQ(o.at(Side::kPrompt, Category::kHate).severity, Severity::kMedium);
    EXPECT_EQ(o.at(Side::kCompletion, Category::kSelfHarm).severity, Severity::kHigh);
    EXPECT_TRUE(o.at(Side::kCompletion, Category::kSelfHarm).filtered);
    EXPECT_FALSE(o.prompt_shields_present);
}

TEST(ContentFilterAnnotations, FinishReasonContentFilterIsRecorded) {
    const Observations o = observe_text(R"({"choices":[{"index":0,"delta":{},
      "finish_reason":"content_filter","content_filter_results":{
      "violence":{"filtered":true,"severity":"high"}}}]})");
    EXPECT_TRUE(o.finish_reason_content_filter);
    EXPECT_TRUE(o.at(Side::kCompletion, Category::kViolence).filtered);
}

TEST(ContentFilterAnnotations, OlderPromptAnnotationsNameIsAccepted) {
    const Observations o = observe_text(R"({"prompt_annotations":[{"prompt_index":0,
      "content_filter_results":{"jailbreak":{"filtered":false,"detected":true}}}],"choices":[]})");
    EXPECT_TRUE(o.prompt_shields_present);
    EXPECT_TRUE(o.at(Side::kPrompt, Category::kJailbreak).detected);
}

TEST(ContentFilterAnnotations, SeverityParsingIgnoresCaseAndRejectsUnknownWords) {
    EXPECT_EQ(parse_severity("high"), Severity::kHigh);
    EXPECT_EQ(parse_severity("HIGH"), Severity::kHigh);
    EXPECT_EQ(parse_severity("Safe"), Severity::kSafe);
    EXPECT_EQ(parse_severity("extreme"), std::nullopt);
    EXPECT_EQ(parse_severity(""), std::nullopt);
    EXPECT_EQ(parse_severity("high "), std::nullopt);
}

TEST(ContentFilterAnnotations, UnknownSeverityLeavesCategoryWithoutSeverity) {
    const Observations o = observe_text(R"({"choices":[{"content_filter_results":{
      "hate":{"filtered":false,"severity":"catastrophic"},
      "sexual":{"severity":"extreme"}}}]})");
    EXPECT_TRUE(o.at(Side::kCompletion, Category::kHate).present);
    EXPECT_EQ(o.at(Side::kCompletion, Category::kHate).severity, std::nullopt);
    EXPECT_FALSE(o.at(Side::kCompletion, Category::kSexual).present);
}

TEST(ContentFilterAnnotations, WrongJsonTypesAreTreatedAsAbsent) {
    const std::string_view bodies[] = {
        "null",
        "42",
        "\"text\"",
        "[]",
        "[{\"choices\":[]}]",
        "{}",
        R"({"prompt_filter_results":{"content_filter_results":{}}})",
        R"({"prompt_filter_results":[1,"x",null,[],{"content_filter_results":[]}]})",
        R"({"choices":"none"})",
        R"({"choices":[null,{"content_filter_results":"safe"},{"finish_reason":7}]})",
        R"({"choices":[{"content_filter_results":{"hate":[],"violence":"high","sexual":null}}]})",
        R"({"choices":[{"content_filter_results":{"hate":{"severity":3,"filtered":"true"}}}]})",
        R"({"error":"content_filter"})",
        R"({"error":{"code":42,"innererror":"ResponsibleAIPolicyViolation"}})",
    };
    for (const auto body : bodies) {
        const Observations o = observe_text(body);
        EXPECT_FALSE(o.any_upstream_filtering()) << body;
        EXPECT_FALSE(o.prompt_shields_present) << body;
        for (const Category c : kHarmCategories) {
            EXPECT_FALSE(o.at(Side::kCompletion, c).present) << body;
            EXPECT_FALSE(o.at(Side::kPrompt, c).present) << body;
        }
    }
}

TEST(ContentFilterAnnotations, MalformedShieldEntryDoesNotCountAsPromptShields) {
    const Observations o = observe_text(R"({"prompt_filter_results":[{"prompt_index":0,
      "content_filter_results":{"jailbreak":{"detected":"no","filtered":null},
      "indirect_attack":{}}}]})");
    EXPECT_TRUE(o.prompt_annotations_present);
    EXPECT_FALSE(o.prompt_shields_present);
}

TEST(ContentFilterAnnotations, MergeOrsFlagsAndKeepsMaximumSeverity) {
    Observations into = observe_text(R"({"prompt_filter_results":[{"prompt_index":0,
      "content_filter_results":{"hate":{"filtered":false,"severity":"medium"},
      "jailbreak":{"filtered":false,"detected":false}}}],"choices":[]})");
    merge_observations(into, observe_text(R"({"choices":[{"index":0,"finish_reason":null,
      "content_filter_results":{"hate":{"filtered":false,"severity":"low"}}}]})"));
    merge_observations(into, observe_text(R"({"choices":[{"index":0,
      "finish_reason":"content_filter",
      "content_filter_results":{"hate":{"filtered":true,"severity":"high"}}}]})"));
    EXPECT_EQ(into.at(Side::kPrompt, Category::kHate).severity, Severity::kMedium);
    EXPECT_EQ(into.at(Side::kCompletion, Category::kHate).severity, Severity::kHigh);
    EXPECT_TRUE(into.at(Side::kCompletion, Category::kHate).filtered);
    EXPECT_TRUE(into.prompt_shields_present);
    EXPECT_TRUE(into.finish_reason_content_filter);
}

}  // namespace
}  // namespace kars::router::safety
