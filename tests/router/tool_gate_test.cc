// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// Tool enforcement on requests and complete answers: offered tools are filtered, proposed
// calls are checked and refused ones replaced, in each wire dialect.
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json/serialize.hpp>

#include "core/json/parse.h"
#include "router/tools/offered_tools.h"
#include "router/tools/proposed_tools.h"

namespace kars::router::tools {
namespace {

// Allows every action except the listed ones, and remembers what it was asked.
struct FakePolicy {
    std::set<std::string> denied;
    std::vector<std::pair<std::string, ToolPhase>> asked{};

    ToolCheck check() {
        return [this](std::string_view action, ToolPhase phase) {
            asked.emplace_back(std::string(action), phase);
            bool ok = !denied.contains(std::string(action));
            return ToolVerdict{ok, ok ? "allowed" : "denied by rule x"};
        };
    }
};

boost::json::value parse(std::string_view text) {
    auto v = json::parse(text);
    EXPECT_TRUE(v.ok()) << text;
    return v.ok() ? *v : boost::json::value();
}

TEST(OfferedTools, ChatRemovesDeniedFunctionsAndKeepsOrder) {
    FakePolicy policy{{"tool:delete_repo"}};
    auto body = parse(R"({"model":"m","tools":[
        {"type":"function","function":{"name":"search"}},
        {"type":"function","function":{"name":"delete_repo"}},
        {"type":"function","function":{"name":"read"}}]})");
    auto report = filter_offered_tools(body.as_object(), Dialect::kChat, policy.check());
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->removed, std::vector<std::string>{"tool:delete_repo"});
    const auto& tools = body.at("tools").as_array();
    ASSERT_EQ(tools.size(), 2u);
    EXPECT_EQ(tools[0].at("function").at("name").as_string(), "search");
    EXPECT_EQ(tools[1].at("function").at("name").as_string(), "read");
    for (const auto& [action, phase] : policy.asked) EXPECT_EQ(phase, ToolPhase::kOffered);
}

TEST(OfferedTools, AllRemovedDropsToolFieldsProvidersWouldReject) {
    FakePolicy policy{{"tool:a"}};
    auto body = parse(R"({"tools":[{"type":"function","function":{"name":"a"}}],
                          "tool_choice":"auto","parallel_tool_calls":true})");
    ASSERT_TRUE(filter_offered_tools(body.as_object(), Dialect::kChat, policy.check()).ok());
    EXPECT_FALSE(body.as_object().contains("tools"));
    EXPECT_FALSE(body.as_object().contains("tool_choice"));
    EXPECT_FALSE(body.as_object().contains("parallel_tool_calls"));
}

TEST(OfferedTools, ForcedChoiceOfDeniedToolIsRefused) {
    FakePolicy policy{{"tool:wire_money"}};
    auto body = parse(R"({"tools":[{"type":"function","function":{"name":"wire_money"}},
                                   {"type":"function","function":{"name":"x"}}],
                          "tool_choice":{"type":"function","function":{"name":"wire_money"}}})");
    auto report = filter_offered_tools(body.as_object(), Dialect::kChat, policy.check());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.error().code, "policy_violation");
    EXPECT_NE(report.error().message.find("wire_money"), std::string::npos);
}

TEST(OfferedTools, ResponsesHostedToolsHaveTheirOwnAction) {
    FakePolicy policy{{"tool:hosted.mcp"}};
    auto body = parse(R"({"tools":[{"type":"function","name":"f"},
        {"type":"mcp","server_label":"x","server_url":"https://evil.example"},
        {"type":"web_search_preview"}]})");
    auto report = filter_offered_tools(body.as_object(), Dialect::kResponses, policy.check());
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->removed, std::vector<std::string>{"tool:hosted.mcp"});
    EXPECT_EQ(body.at("tools").as_array().size(), 2u);
    ASSERT_EQ(policy.asked.size(), 3u);
    EXPECT_EQ(policy.asked[2].first, "tool:hosted.web_search_preview");
}

TEST(OfferedTools, AnthropicToolsByName) {
    FakePolicy policy{{"tool:bash"}};
    auto body = parse(R"({"tools":[{"name":"bash","type":"bash_20250124"},
                                   {"name":"get_weather","input_schema":{"type":"object"}}],
                          "tool_choice":{"type":"tool","name":"bash"}})");
    auto report = filter_offered_tools(body.as_object(), Dialect::kMessages, policy.check());
    ASSERT_FALSE(report.ok());  // the forced tool is the denied one
    body.as_object().erase("tool_choice");
    report = filter_offered_tools(body.as_object(), Dialect::kMessages, policy.check());
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(body.at("tools").as_array().size(), 1u);
}

TEST(OfferedTools, MalformedToolsAreErrorsNotPassThrough) {
    FakePolicy policy;
    for (const char* text : {R"({"tools":{"a":1}})", R"({"tools":[7]})",
                             R"({"tools":[{"type":"function","function":{}}]})",
                             R"({"tools":[{"input_schema":{}}]})"}) {
        auto body = parse(text);
        auto dialect = std::string(text).find("input_schema") != std::string::npos
                           ? Dialect::kMessages
                           : Dialect::kChat;
        auto report = filter_offered_tools(body.as_object(), dialect, policy.check());
        ASSERT_FALSE(report.ok()) << text;
        EXPECT_EQ(report.error().code, "invalid_request_error");
    }
}

TEST(ProposedTools, ChatRefusedCallBecomesTextAndFinishReasonStop) {
    FakePolicy policy{{"tool:rm_rf"}};
    auto answer = parse(R"({"choices":[{"index":0,"finish_reason":"tool_calls",
        "message":{"role":"assistant","content":null,"tool_calls":[
          {"id":"c1","type":"function","function":{"name":"rm_rf","arguments":"{}"}}]}}]})");
    auto report = gate_proposed_tools(answer, Dialect::kChat, policy.check());
    EXPECT_EQ(report.refused, 1u);
    EXPECT_EQ(report.allowed, 0u);
    const auto& choice = answer.at("choices").as_array()[0];
    EXPECT_EQ(choice.at("finish_reason").as_string(), "stop");
    EXPECT_FALSE(choice.at("message").as_object().contains("tool_calls"));
    std::string text(choice.at("message").at("content").as_string());
    EXPECT_NE(text.find("rm_rf"), std::string::npos);
    EXPECT_NE(text.find("denied by rule x"), std::string::npos);
    ASSERT_EQ(policy.asked.size(), 1u);
    EXPECT_EQ(policy.asked[0].second, ToolPhase::kProposed);
}

TEST(ProposedTools, ChatMixedKeepsAllowedCallsAndToolCallsReason) {
    FakePolicy policy{{"tool:b"}};
    auto answer = parse(R"({"choices":[{"index":0,"finish_reason":"tool_calls",
        "message":{"role":"assistant","content":"ok","tool_calls":[
          {"id":"1","type":"function","function":{"name":"a","arguments":"{}"}},
          {"id":"2","type":"function","function":{"name":"b","arguments":"{}"}}]}}]})");
    auto report = gate_proposed_tools(answer, Dialect::kChat, policy.check());
    EXPECT_EQ(report.allowed, 1u);
    EXPECT_EQ(report.refused, 1u);
    const auto& choice = answer.at("choices").as_array()[0];
    EXPECT_EQ(choice.at("finish_reason").as_string(), "tool_calls");
    const auto& calls = choice.at("message").at("tool_calls").as_array();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].at("id").as_string(), "1");
    EXPECT_EQ(std::string(choice.at("message").at("content").as_string()).rfind("ok\n", 0), 0u);
}

// The refusal text goes into "content", which a message may lack or hold as null; adding it
// must not disturb the tool_calls array being rewritten (this once crashed the router).
TEST(ProposedTools, ChatMixedWithNullOrMissingContent) {
    for (const char* content : {R"("content":null,)", ""}) {
        for (const char* denied : {"tool:a", "tool:b"}) {
            FakePolicy policy{{denied}};
            auto answer = parse(std::string(R"({"choices":[{"finish_reason":"tool_calls",
                "message":{"role":"assistant",)") +
                                content + R"("tool_calls":[
                  {"id":"1","type":"function","function":{"name":"a","arguments":"{}"}},
                  {"id":"2","type":"function","function":{"name":"b","arguments":"{}"}},
                  {"id":"3","type":"function","function":{"name":"c","arguments":"{}"}}]}}]})");
            auto report = gate_proposed_tools(answer, Dialect::kChat, policy.check());
            EXPECT_EQ(report.allowed, 2u);
            EXPECT_EQ(report.refused, 1u);
            const auto& message = answer.at("choices").as_array()[0].at("message");
            const auto& calls = message.at("tool_calls").as_array();
            ASSERT_EQ(calls.size(), 2u);
            const std::string refused_name = std::string(denied).substr(5);
            for (const auto& call : calls) {
                EXPECT_NE(call.at("function").at("name").as_string(), refused_name);
            }
            std::string text(message.at("content").as_string());
            EXPECT_NE(text.find(refused_name), std::string::npos) << text;
        }
    }
}

TEST(ProposedTools, ChatCallWithoutNameIsRefused) {
    FakePolicy policy;
    auto answer = parse(R"({"choices":[{"finish_reason":"tool_calls","message":{
        "tool_calls":[{"id":"1","type":"function","function":{"arguments":"{}"}}]}}]})");
    auto report = gate_proposed_tools(answer, Dialect::kChat, policy.check());
    EXPECT_EQ(report.refused, 1u);
}

TEST(ProposedTools, AnthropicToolUseBlockReplacedByText) {
    FakePolicy policy{{"tool:exfiltrate"}};
    auto answer = parse(R"({"type":"message","stop_reason":"tool_use","content":[
        {"type":"text","text":"let me"},
        {"type":"tool_use","id":"t1","name":"exfiltrate","input":{}}]})");
    auto report = gate_proposed_tools(answer, Dialect::kMessages, policy.check());
    EXPECT_EQ(report.refused, 1u);
    EXPECT_EQ(answer.at("stop_reason").as_string(), "end_turn");
    const auto& blocks = answer.at("content").as_array();
    EXPECT_EQ(blocks[1].at("type").as_string(), "text");
    EXPECT_NE(std::string(blocks[1].at("text").as_string()).find("exfiltrate"), std::string::npos);
}

TEST(ProposedTools, ResponsesFunctionCallItemReplacedByMessage) {
    FakePolicy policy{{"tool:pay"}};
    auto answer = parse(R"({"object":"response","output":[
        {"type":"function_call","id":"fc_1","call_id":"call_1","name":"pay","arguments":"{}"},
        {"type":"function_call","id":"fc_2","call_id":"call_2","name":"quote","arguments":"{}"}]})");
    auto report = gate_proposed_tools(answer, Dialect::kResponses, policy.check());
    EXPECT_EQ(report.refused, 1u);
    EXPECT_EQ(report.allowed, 1u);
    const auto& out = answer.at("output").as_array();
    EXPECT_EQ(out[0].at("type").as_string(), "message");
    EXPECT_EQ(out[0].at("id").as_string(), "fc_1");
    EXPECT_EQ(out[1].at("type").as_string(), "function_call");
}

}  // namespace
}  // namespace kars::router::tools
