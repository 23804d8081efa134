// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <gtest/gtest.h>

#include "core/json/parse.h"
#include "router/translate/messages_request.h"

namespace kars::router::translate {
namespace {

boost::json::value j(std::string_view text) {
    return json::parse(text).value();
}

boost::json::value translate_ok(std::string_view request,
                                const MessagesRequestOptions& options = {}) {
    auto r = messages_to_chat_request(j(request), options);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value() : boost::json::value();
}

TEST(TranslateRequest, SimpleTextWithSystemStringAndSampling) {
    auto out = translate_ok(R"({"model":"gpt-4o","max_tokens":256,"system":"Be brief.",
        "temperature":0.2,"top_p":0.9,"top_k":5,"stop_sequences":["END"],
        "metadata":{"user_id":"u-1"},
        "messages":[{"role":"user","content":"Hi"}]})");
    EXPECT_EQ(out, j(R"({"model":"gpt-4o","messages":[
        {"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}],
        "max_tokens":256,"temperature":0.2,"top_p":0.9,"stop":["END"],"user":"u-1"})"));
}

TEST(TranslateRequest, SystemTextBlocksAreJoined) {
    auto out = translate_ok(R"({"model":"m","max_tokens":1,
        "system":[{"type":"text","text":"A","cache_control":{"type":"ephemeral"}},
                  {"type":"text","text":"B"}],
        "messages":[{"role":"user","content":[{"type":"text","text":"x"}]}]})");
    EXPECT_EQ(out.at("messages"), j(R"([{"role":"system","content":"A\nB"},
        {"role":"user","content":"x"}])"));
}

TEST(TranslateRequest, MaxCompletionTokensOption) {
    MessagesRequestOptions options;
    options.use_max_completion_tokens = true;
    auto out = translate_ok(R"({"model":"o3","max_tokens":9,"messages":[]})", options);
    EXPECT_EQ(out.at("max_completion_tokens"), 9);
    EXPECT_EQ(out.get_object().if_contains("max_tokens"), nullptr);
}

TEST(TranslateRequest, ImagesBecomeImageUrlParts) {
    auto out = translate_ok(R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":[
        {"type":"text","text":"What is this?"},
        {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0K"}},
        {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}]}]})");
    EXPECT_EQ(out.at("messages"), j(R"([{"role":"user","content":[
        {"type":"text","text":"What is this?"},
        {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0K"}},
        {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]}])"));
}

TEST(TranslateRequest, ImageWithUnknownMediaTypeIsRejected) {
    auto r = messages_to_chat_request(j(R"({"model":"m","max_tokens":1,"messages":[
        {"role":"user","content":[{"type":"image","source":{"type":"base64",
        "media_type":"text/html","data":"PGI+"}}]}]})"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "invalid_request_error");
}

TEST(TranslateRequest, ToolUseAndToolResultRoundTrip) {
    auto out = translate_ok(R"({"model":"m","max_tokens":100,"messages":[
        {"role":"user","content":"Weather in Paris and Oslo?"},
        {"role":"assistant","content":[
            {"type":"text","text":"Checking."},
            {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}},
            {"type":"tool_use","id":"toolu_2","name":"get_weather","input":{"city":"Oslo"}}]},
        {"role":"user","content":[
            {"type":"tool_result","tool_use_id":"toolu_1","content":"18C"},
            {"type":"tool_result","tool_use_id":"toolu_2","is_error":true,
             "content":[{"type":"text","text":"station"},{"type":"text","text":"offline"}]},
            {"type":"text","text":"Thanks"}]}]})");
    EXPECT_EQ(out.at("messages"), j(R"([
        {"role":"user","content":"Weather in Paris and Oslo?"},
        {"role":"assistant","content":"Checking.","tool_calls":[
            {"id":"toolu_1","type":"function",
             "function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
            {"id":"toolu_2","type":"function",
             "function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},
        {"role":"tool","tool_call_id":"toolu_1","content":"18C"},
        {"role":"tool","tool_call_id":"toolu_2","content":"[tool error] station\noffline"},
        {"role":"user","content":"Thanks"}])"));
}

TEST(TranslateRequest, AssistantWithOnlyToolUseHasNullContent) {
    auto out = translate_ok(R"({"model":"m","max_tokens":1,"messages":[{"role":"assistant",
        "content":[{"type":"tool_use","id":"t","name":"f","input":{}}]}]})");
    EXPECT_TRUE(out.at("messages").at(0).at("content").is_null());
    EXPECT_EQ(out.at("messages").at(0).at("tool_calls").at(0).at("function").at("arguments"), "{}");
}

TEST(TranslateRequest, ToolsAndToolChoiceMapping) {
    auto out = translate_ok(R"({"model":"m","max_tokens":1,"messages":[],
        "tools":[{"name":"get_weather","description":"Current weather",
                  "input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],
        "tool_choice":{"type":"any","disable_parallel_tool_use":true}})");
    EXPECT_EQ(out.at("tools"), j(R"([{"type":"function","function":{"name":"get_weather",
        "description":"Current weather",
        "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}])"));
    EXPECT_EQ(out.at("tool_choice"), "required");
    EXPECT_EQ(out.at("parallel_tool_calls"), false);

    const char* base = R"({"model":"m","max_tokens":1,"messages":[],
        "tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":)";
    EXPECT_EQ(translate_ok(std::string(base) + R"({"type":"auto"}})").at("tool_choice"), "auto");
    EXPECT_EQ(translate_ok(std::string(base) + R"({"type":"none"}})").at("tool_choice"), "none");
    EXPECT_EQ(translate_ok(std::string(base) + R"({"type":"tool","name":"f"}})").at("tool_choice"),
              j(R"({"type":"function","function":{"name":"f"}})"));
}

TEST(TranslateRequest, StreamAsksForUsage) {
    auto out = translate_ok(R"({"model":"m","max_tokens":1,"stream":true,"messages":[]})");
    EXPECT_EQ(out.at("stream"), true);
    EXPECT_EQ(out.at("stream_options"), j(R"({"include_usage":true})"));
}

TEST(TranslateRequest, UnsupportedBlocksAndToolsAreErrorsNotDropped) {
    const char* cases[] = {
        R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":[
            {"type":"document","source":{"type":"text","data":"x"}}]}]})",
        R"({"model":"m","max_tokens":1,"messages":[{"role":"assistant","content":[
            {"type":"thinking","thinking":"hm","signature":"s"}]}]})",
        R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":[
            {"type":"tool_result","tool_use_id":"t","content":[{"type":"image",
             "source":{"type":"url","url":"https://x/y.png"}}]}]}]})",
        R"({"model":"m","max_tokens":1,"messages":[],
            "tools":[{"type":"web_search_20250305","name":"web_search"}]})",
        R"({"model":"m","max_tokens":1,"system":[{"type":"image"}],"messages":[]})",
    };
    for (const char* c : cases) {
        auto r = messages_to_chat_request(j(c));
        ASSERT_FALSE(r.ok()) << c;
        EXPECT_EQ(r.error().code, "invalid_request_error");
        EXPECT_NE(r.error().message.find("not supported"), std::string::npos) << r.error().message;
    }
}

TEST(TranslateRequest, MalformedRequestsAreInvalid) {
    const char* cases[] = {
        "[]",
        R"({"max_tokens":1,"messages":[]})",
        R"({"model":"m","messages":[]})",
        R"({"model":"m","max_tokens":0,"messages":[]})",
        R"({"model":"m","max_tokens":1})",
        R"({"model":"m","max_tokens":1,"messages":[{"role":"system","content":"x"}]})",
        R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":5}]})",
        R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":[
            {"type":"tool_result"}]}]})",
        R"({"model":"m","max_tokens":1,"messages":[],"tool_choice":{"type":"tool"}})",
        R"({"model":"m","max_tokens":1,"messages":[],"stop_sequences":[1]})",
    };
    for (const char* c : cases) {
        auto r = messages_to_chat_request(j(c));
        ASSERT_FALSE(r.ok()) << c;
        EXPECT_EQ(r.error().code, "invalid_request_error") << c;
    }
}

}  // namespace
}  // namespace kars::router::translate
