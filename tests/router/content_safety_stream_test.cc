// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/json/parse.h"
#include "router/safety/content_safety.h"
#include "router/sse/sse_parser.h"

namespace kars::router::safety {
namespace {

using policy::ContentSafety;

// Chunks of a streamed Azure OpenAI chat completion, in wire order.
constexpr std::string_view kPromptChunk =
    R"({"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[)"
    R"({"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},)"
    R"("jailbreak":{"filtered":false,"detected":false},"self_harm":{"filtered":false,)"
    R"("severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{)"
    R"("filtered":false,"severity":"safe"}}}]})";
constexpr std::string_view kPromptChunkWithoutShields =
    R"({"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[)"
    R"({"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},)"
    R"("self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,)"
    R"("severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}}]})";
constexpr std::string_view kRoleChunk =
    R"({"choices":[{"content_filter_results":{},"delta":{"content":"","role":"assistant"},)"
    R"("finish_reason":null,"index":0,"logprobs":null}],"created":1767225600,)"
    R"("id":"chatcmpl-AbC123","model":"gpt-4o-2024-08-06","object":"chat.completion.chunk"})";
constexpr std::string_view kSafeTextChunk =
    R"({"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},)"
    R"("self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,)"
    R"("severity":"safe"},"violence":{"filtered":false,"severity":"safe"}},)"
    R"("delta":{"content":"The castle"},"finish_reason":null,"index":0,"logprobs":null}],)"
    R"("created":1767225600,"id":"chatcmpl-AbC123","model":"gpt-4o-2024-08-06",)"
    R"("object":"chat.completion.chunk"})";
constexpr std::string_view kViolentTextChunk =
    R"({"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},)"
    R"("self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,)"
    R"("severity":"safe"},"violence":{"filtered":false,"severity":"medium"}},)"
    R"("delta":{"content":" was stormed"},"finish_reason":null,"index":0,"logprobs":null}],)"
    R"("created":1767225600,"id":"chatcmpl-AbC123","model":"gpt-4o-2024-08-06",)"
    R"("object":"chat.completion.chunk"})";
constexpr std::string_view kFilteredStopChunk =
    R"({"choices":[{"content_filter_results":{"sexual":{"filtered":true,"severity":"high"}},)"
    R"("delta":{},"finish_reason":"content_filter","index":0,"logprobs":null}],)"
    R"("created":1767225600,"id":"chatcmpl-AbC123","model":"gpt-4o-2024-08-06",)"
    R"("object":"chat.completion.chunk"})";
constexpr std::string_view kStopChunk =
    R"({"choices":[{"content_filter_results":{},"delta":{},"finish_reason":"stop","index":0,)"
    R"("logprobs":null}],"created":1767225600,"id":"chatcmpl-AbC123",)"
    R"("model":"gpt-4o-2024-08-06","object":"chat.completion.chunk"})";

boost::json::value chunk(std::string_view text) {
    auto parsed = json::parse(text);
    EXPECT_TRUE(parsed.ok()) << text;
    return parsed.ok() ? std::move(*parsed) : boost::json::value();
}

ContentSafety low_ceilings_with_shields() {
    ContentSafety p;
    p.hate = p.self_harm = p.sexual = p.violence = Severity::kLow;
    p.require_prompt_shields = true;
    return p;
}

TEST(StreamSafetyState, BenignStreamIsAllowedThroughout) {
    StreamSafetyState state(low_ceilings_with_shields());
    EXPECT_TRUE(state.awaiting_prompt_annotations());
    for (const auto text : {kPromptChunk, kRoleChunk, kSafeTextChunk, kStopChunk}) {
        EXPECT_FALSE(state.observe_chunk(chunk(text)).blocked) << text;
        EXPECT_FALSE(state.awaiting_prompt_annotations());
    }
    EXPECT_TRUE(state.prompt_shields_seen());
    EXPECT_FALSE(state.finish().blocked);
}

TEST(StreamSafetyState, BlocksAtTheChunkThatExceedsAndStaysBlocked) {
    StreamSafetyState state(low_ceilings_with_shields());
    EXPECT_FALSE(state.observe_chunk(chunk(kPromptChunk)).blocked);
    EXPECT_FALSE(state.observe_chunk(chunk(kSafeTextChunk)).blocked);
    const Verdict v = state.observe_chunk(chunk(kViolentTextChunk));
    ASSERT_TRUE(v.blocked);
    EXPECT_EQ(v.category, Category::kViolence);
    EXPECT_EQ(v.side, Side::kCompletion);
    EXPECT_EQ(v.observed, Severity::kMedium);

    // A later, benign chunk does not clear the block.
    const Verdict later = state.observe_chunk(chunk(kStopChunk));
    EXPECT_TRUE(later.blocked);
    EXPECT_EQ(later.reason, v.reason);
    EXPECT_EQ(state.finish().reason, v.reason);
}

TEST(StreamSafetyState, MidStreamContentFilterFinishBlocks) {
    ContentSafety policy;
    policy.sexual = Severity::kHigh;
    StreamSafetyState state(policy);
    EXPECT_FALSE(state.observe_chunk(chunk(kPromptChunk)).blocked);
    EXPECT_FALSE(state.observe_chunk(chunk(kSafeTextChunk)).blocked);
    const Verdict v = state.observe_chunk(chunk(kFilteredStopChunk));
    ASSERT_TRUE(v.blocked);
    EXPECT_EQ(v.kind, BlockKind::kUpstreamFiltered);
    EXPECT_EQ(v.category, Category::kSexual);
}

TEST(StreamSafetyState, PromptAnnotationsWithoutShieldsBlockAsSoonAsTheyArrive) {
    StreamSafetyState state(low_ceilings_with_shields());
    const Verdict v = state.observe_chunk(chunk(kPromptChunkWithoutShields));
    ASSERT_TRUE(v.blocked);
    EXPECT_EQ(v.kind, BlockKind::kMissingPromptShields);
    EXPECT_FALSE(state.prompt_shields_seen());
}

TEST(StreamSafetyState, StreamWithoutAnyPromptAnnotationsBlocksAtFinish) {
    StreamSafetyState state(low_ceilings_with_shields());
    for (const auto text : {kRoleChunk, kSafeTextChunk, kStopChunk}) {
        EXPECT_FALSE(state.observe_chunk(chunk(text)).blocked) << text;
        EXPECT_TRUE(state.awaiting_prompt_annotations());
    }
    const Verdict v = state.finish();
    ASSERT_TRUE(v.blocked);
    EXPECT_EQ(v.kind, BlockKind::kMissingPromptShields);
}

TEST(StreamSafetyState, PromptAnnotationsArrivingAfterFirstChunkAreRemembered) {
    StreamSafetyState state(low_ceilings_with_shields());
    EXPECT_FALSE(state.observe_chunk(chunk(kRoleChunk)).blocked);
    EXPECT_FALSE(state.observe_chunk(chunk(kPromptChunk)).blocked);
    EXPECT_FALSE(state.observe_chunk(chunk(kSafeTextChunk)).blocked);
    EXPECT_TRUE(state.prompt_shields_seen());
    EXPECT_FALSE(state.finish().blocked);
}

TEST(StreamSafetyState, WithoutShieldRequirementMissingAnnotationsAreFine) {
    ContentSafety policy;
    policy.hate = Severity::kMedium;
    StreamSafetyState state(policy);
    EXPECT_FALSE(state.awaiting_prompt_annotations());
    EXPECT_FALSE(state.observe_chunk(chunk(kSafeTextChunk)).blocked);
    EXPECT_FALSE(state.finish().blocked);
}

TEST(StreamSafetyState, InactivePolicyNeverBlocksAStream) {
    StreamSafetyState state{ContentSafety{}};
    for (const auto text : {kPromptChunkWithoutShields, kViolentTextChunk, kFilteredStopChunk}) {
        EXPECT_FALSE(state.observe_chunk(chunk(text)).blocked);
    }
    const Verdict v = state.finish();
    EXPECT_FALSE(v.blocked);
    EXPECT_TRUE(v.upstream_filtered);
}

TEST(StreamSafetyState, NonObjectChunksAreHarmless) {
    StreamSafetyState state(low_ceilings_with_shields());
    for (const auto text : {"null", "[1,2]", "\"[DONE]\"", R"({"choices":{"0":{}}})"}) {
        EXPECT_FALSE(state.observe_chunk(chunk(text)).blocked) << text;
    }
    EXPECT_TRUE(state.finish().blocked);  // still no Prompt Shields annotation
}

// The router's real path: SSE bytes split at every point, each event's JSON into the state.
TEST(StreamSafetyState, SseStreamSplitAnywhereGivesTheSameVerdict) {
    std::string wire;
    for (const auto text : {kPromptChunk, kRoleChunk, kSafeTextChunk, kViolentTextChunk}) {
        wire += "data: " + std::string(text) + "\r\n\r\n";
    }
    wire += "data: [DONE]\r\n\r\n";

    for (std::size_t cut = 0; cut <= wire.size(); cut += 7) {
        sse::SseParser parser;
        StreamSafetyState state(low_ceilings_with_shields());
        std::vector<sse::Item> items;
        ASSERT_TRUE(parser.feed(std::string_view(wire).substr(0, cut), items).ok());
        ASSERT_TRUE(parser.feed(std::string_view(wire).substr(cut), items).ok());
        ASSERT_TRUE(parser.finish().ok());

        std::size_t blocked_at = 0;
        std::size_t index = 0;
        for (const auto& item : items) {
            const auto& event = std::get<sse::Event>(item);
            ++index;
            if (sse::is_done_marker(event.data)) continue;
            auto parsed = json::parse(event.data);
            ASSERT_TRUE(parsed.ok());
            if (state.observe_chunk(*parsed).blocked && blocked_at == 0) blocked_at = index;
        }
        EXPECT_EQ(blocked_at, 4u) << "cut at " << cut;
    }
}

}  // namespace
}  // namespace kars::router::safety
