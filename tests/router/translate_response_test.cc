// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <gtest/gtest.h>

#include "core/json/parse.h"
#include "router/translate/messages_common.h"
#include "router/translate/messages_response.h"

namespace kars::router::translate {
namespace {

boost::json::value j(std::string_view text) {
    return json::parse(text).value();
}

TEST(TranslateResponse, TextCompletionBecomesMessage) {
    auto r = chat_to_messages_response(j(R"({"id":"chatcmpl-abc","object":"chat.completion",
        "model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant",
        "content":"Hello!"},"finish_reason":"stop"}],
        "usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}})"));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, j(R"({"id":"msg_chatcmpl-abc","type":"message","role":"assistant",
        "model":"gpt-4o-2024-08-06","content":[{"type":"text","text":"Hello!"}],
        "stop_reason":"end_turn","stop_sequence":null,
        "usage":{"input_tokens":12,"output_tokens":3}})"));
}

TEST(TranslateResponse, ToolCallsBecomeToolUseBlocksWithParsedInput) {
    auto r = chat_to_messages_response(j(R"({"id":"c1","model":"m","choices":[{"index":0,
        "message":{"role":"assistant","content":null,"tool_calls":[
          {"id":"call_1","type":"function","function":{"name":"get_weather",
           "arguments":"{\"city\":\"Paris\"}"}},
          {"id":"call_2","type":"function","function":{"name":"now","arguments":""}}]},
        "finish_reason":"tool_calls"}],"usage":{"prompt_tokens":5,"completion_tokens":7}})"));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->at("content"), j(R"([
        {"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris"}},
        {"type":"tool_use","id":"call_2","name":"now","input":{}}])"));
    EXPECT_EQ(r->at("stop_reason"), "tool_use");
}

TEST(TranslateResponse, InvalidArgumentsAreKeptRaw) {
    EXPECT_EQ(tool_input_from_arguments("{\"a\":"), j(R"({"_raw":"{\"a\":"})").get_object());
    EXPECT_EQ(tool_input_from_arguments("[1]"), j(R"({"_raw":"[1]"})").get_object());
    EXPECT_EQ(tool_input_from_arguments("  "), boost::json::object{});
}

TEST(TranslateResponse, FinishReasonMapping) {
    EXPECT_EQ(stop_reason_for("stop"), "end_turn");
    EXPECT_EQ(stop_reason_for("length"), "max_tokens");
    EXPECT_EQ(stop_reason_for("tool_calls"), "tool_use");
    EXPECT_EQ(stop_reason_for("content_filter"), "refusal");
    auto r = chat_to_messages_response(j(R"({"id":"c","model":"m","choices":[{"index":0,
        "message":{"role":"assistant","content":"partial"},"finish_reason":"length"}]})"));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->at("stop_reason"), "max_tokens");
    EXPECT_EQ(r->at("usage"), j(R"({"input_tokens":0,"output_tokens":0})"));
}

TEST(TranslateResponse, EmptyContentFilteredAnswerHasNoTextBlock) {
    auto r = chat_to_messages_response(j(R"({"id":"c","model":"m","choices":[{"index":0,
        "message":{"role":"assistant","content":null},"finish_reason":"content_filter"}]})"));
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->at("content").as_array().empty());
    EXPECT_EQ(r->at("stop_reason"), "refusal");
}

TEST(TranslateResponse, CachedPromptTokensAreReportedSeparately) {
    auto r = chat_to_messages_response(j(R"({"id":"c","model":"m","choices":[{"index":0,
        "message":{"role":"assistant","content":"x"},"finish_reason":"stop"}],
        "usage":{"prompt_tokens":100,"completion_tokens":2,
                 "prompt_tokens_details":{"cached_tokens":60}}})"));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->at("usage"),
              j(R"({"input_tokens":40,"output_tokens":2,"cache_read_input_tokens":60})"));
}

TEST(TranslateResponse, InBandErrorAndMissingChoicesAreErrors) {
    auto err = chat_to_messages_response(j(R"({"error":{"message":"Rate limit reached",
        "type":"requests","code":"rate_limit_exceeded"}})"));
    ASSERT_FALSE(err.ok());
    EXPECT_EQ(err.error().code, "rate_limit_error");
    EXPECT_EQ(err.error().message, "Rate limit reached");

    auto empty = chat_to_messages_response(j(R"({"id":"c","choices":[]})"));
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(empty.error().code, "api_error");
}

}  // namespace
}  // namespace kars::router::translate
