// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// Streamed tool calls: nothing of a call leaves the gate before its name is checked and
// the call is complete, however its fragments are split across events.
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json/serialize.hpp>

#include "core/json/parse.h"
#include "router/tools/stream_gate.h"

namespace kars::router::tools {
namespace {

ToolCheck deny(std::set<std::string> denied, int* calls = nullptr) {
    return [denied = std::move(denied), calls](std::string_view action, ToolPhase) {
        if (calls) ++*calls;
        bool ok = !denied.contains(std::string(action));
        return ToolVerdict{ok, ok ? "ok" : "blocked by test rule"};
    };
}

boost::json::value parse(std::string_view text) {
    auto v = json::parse(text);
    EXPECT_TRUE(v.ok()) << text;
    return v.ok() ? *v : boost::json::value();
}

std::string chunk(std::string_view choice_body) {
    return std::string(R"({"id":"c","object":"chat.completion.chunk","created":1,"model":"m",)") +
           R"("choices":[)" + std::string(choice_body) + "]}";
}

// Chat chunks for one tool call whose name and arguments arrive in the given pieces.
std::vector<std::string> chat_call(const std::string& name, std::vector<std::string> args) {
    std::vector<std::string> out;
    out.push_back(chunk(
        R"({"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":")" +
        name + R"(","arguments":""}}]},"finish_reason":null})"));
    for (const auto& a : args) {
        out.push_back(
            chunk(R"({"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":)" +
                  boost::json::serialize(boost::json::value(a)) + "}}]},\"finish_reason\":null}"));
    }
    out.push_back(chunk(R"({"index":0,"delta":{},"finish_reason":"tool_calls"})"));
    return out;
}

struct Collected {
    std::vector<tools::GatedEvent> events;
    std::string tool_names;
    std::string arguments;
    std::string content;
    std::string finish_reason;
};

Collected run_chat(ToolStreamGate& gate, const std::vector<std::string>& chunks) {
    Collected c;
    for (const auto& text : chunks) {
        std::vector<GatedEvent> out;
        gate.on_event("message", parse(text), text, out);
        for (auto& e : out) c.events.push_back(std::move(e));
    }
    std::vector<GatedEvent> tail;
    gate.finish(tail);
    for (auto& e : tail) c.events.push_back(std::move(e));
    for (const auto& e : c.events) {
        for (const auto& ch : e.data.at("choices").as_array()) {
            const auto& d = ch.at("delta").as_object();
            if (const auto* calls = d.if_contains("tool_calls")) {
                for (const auto& tc : calls->as_array()) {
                    const auto& fn = tc.at("function").as_object();
                    if (const auto* n = fn.if_contains("name")) c.tool_names += n->as_string();
                    if (const auto* a = fn.if_contains("arguments")) c.arguments += a->as_string();
                }
            }
            if (const auto* t = d.if_contains("content"); t && t->is_string()) {
                c.content += t->as_string();
            }
            if (const auto* f = ch.as_object().if_contains("finish_reason"); f && f->is_string()) {
                c.finish_reason = f->as_string();
            }
        }
    }
    return c;
}

TEST(ToolStreamGate, ChatAllowedCallIsReleasedWholeWithSameArguments) {
    ToolStreamGate gate(Dialect::kChat, deny({}));
    auto c = run_chat(gate, chat_call("search", {"{\"q\":", "\"kars", " sandbox\"}"}));
    EXPECT_EQ(c.tool_names, "search");
    EXPECT_EQ(c.arguments, "{\"q\":\"kars sandbox\"}");
    EXPECT_EQ(c.finish_reason, "tool_calls");
    EXPECT_EQ(gate.report().allowed, 1u);
}

TEST(ToolStreamGate, ChatDeniedCallNeverLeavesAnyFragment) {
    int asked = 0;
    ToolStreamGate gate(Dialect::kChat, deny({"tool:steal_keys"}, &asked));
    auto chunks = chat_call("steal_keys", {"{\"path\":", "\"~/.kars\"}"});
    // Before the finish chunk, nothing about the call may have been released.
    std::vector<GatedEvent> early;
    for (std::size_t i = 0; i + 1 < chunks.size(); ++i) {
        gate.on_event("message", parse(chunks[i]), chunks[i], early);
    }
    for (const auto& e : early) {
        std::string text = e.raw.empty() ? boost::json::serialize(e.data) : e.raw;
        EXPECT_EQ(text.find("steal_keys"), std::string::npos) << text;
        EXPECT_EQ(text.find(".kars"), std::string::npos) << text;
    }
    EXPECT_EQ(asked, 0);  // not decided before the call is complete
    ToolStreamGate fresh(Dialect::kChat, deny({"tool:steal_keys"}));
    auto c = run_chat(fresh, chunks);
    EXPECT_TRUE(c.tool_names.empty());
    EXPECT_TRUE(c.arguments.empty());
    EXPECT_NE(c.content.find("steal_keys"), std::string::npos);
    EXPECT_NE(c.content.find("blocked by test rule"), std::string::npos);
    EXPECT_EQ(c.finish_reason, "stop");
    EXPECT_EQ(fresh.report().refused, 1u);
}

TEST(ToolStreamGate, ChatNameSplitAcrossFragmentsIsJoinedBeforeTheCheck) {
    // A server that splits the name must not get "steal" + "_keys" past a rule on
    // "steal_keys" by having each half checked on its own.
    std::vector<std::string> chunks = {
        chunk(
            R"({"index":0,"delta":{"tool_calls":[{"index":0,"id":"x","type":"function","function":{"name":"steal"}}]},"finish_reason":null})"),
        chunk(
            R"({"index":0,"delta":{"tool_calls":[{"index":0,"function":{"name":"_keys","arguments":"{}"}}]},"finish_reason":null})"),
        chunk(R"({"index":0,"delta":{},"finish_reason":"tool_calls"})")};
    ToolStreamGate gate(Dialect::kChat, deny({"tool:steal_keys"}));
    auto c = run_chat(gate, chunks);
    EXPECT_TRUE(c.tool_names.empty());
    EXPECT_EQ(gate.report().refused, 1u);
}

TEST(ToolStreamGate, ChatParallelCallsMixedAreReindexed) {
    std::vector<std::string> chunks = {
        chunk(
            R"({"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","type":"function","function":{"name":"bad","arguments":"{}"}}]},"finish_reason":null})"),
        chunk(
            R"({"index":0,"delta":{"tool_calls":[{"index":1,"id":"b","type":"function","function":{"name":"good","arguments":"{\"k\""}}]},"finish_reason":null})"),
        chunk(
            R"({"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":":1}"}}]},"finish_reason":null})"),
        chunk(R"({"index":0,"delta":{},"finish_reason":"tool_calls"})")};
    ToolStreamGate gate(Dialect::kChat, deny({"tool:bad"}));
    auto c = run_chat(gate, chunks);
    EXPECT_EQ(c.tool_names, "good");
    EXPECT_EQ(c.arguments, "{\"k\":1}");
    EXPECT_EQ(c.finish_reason, "tool_calls");
    bool found_index0 = false;
    for (const auto& e : c.events) {
        for (const auto& ch : e.data.at("choices").as_array()) {
            if (const auto* calls = ch.at("delta").as_object().if_contains("tool_calls")) {
                found_index0 = calls->as_array()[0].at("index").as_int64() == 0;
            }
        }
    }
    EXPECT_TRUE(found_index0);
}

TEST(ToolStreamGate, ChatStreamWithoutFinishReasonIsDecidedAtDone) {
    auto chunks = chat_call("bad", {"{}"});
    chunks.pop_back();  // no finish_reason chunk
    ToolStreamGate gate(Dialect::kChat, deny({"tool:bad"}));
    auto c = run_chat(gate, chunks);
    EXPECT_TRUE(c.tool_names.empty());
    EXPECT_NE(c.content.find("bad"), std::string::npos);
}

TEST(ToolStreamGate, ChatTextOnlyChunksPassUnchanged) {
    ToolStreamGate gate(Dialect::kChat, deny({}));
    std::string text = chunk(R"({"index":0,"delta":{"content":"hi"},"finish_reason":null})");
    std::vector<GatedEvent> out;
    gate.on_event("message", parse(text), text, out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].raw, text);
}

std::vector<GatedEvent> feed(ToolStreamGate& gate,
                             const std::vector<std::pair<std::string, std::string>>& events) {
    std::vector<GatedEvent> out;
    for (const auto& [type, data] : events) gate.on_event(type, parse(data), data, out);
    return out;
}

TEST(ToolStreamGate, AnthropicDeniedToolUseBlockBecomesText) {
    ToolStreamGate gate(Dialect::kMessages, deny({"tool:rm"}));
    auto out = feed(
        gate,
        {
            {"message_start", R"({"type":"message_start","message":{"content":[]}})"},
            {"content_block_start",
             R"({"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"rm","input":{}}})"},
            {"content_block_delta",
             R"({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"p\":"}})"},
            {"content_block_delta",
             R"({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"\"/\"}"}})"},
            {"content_block_stop", R"({"type":"content_block_stop","index":0})"},
            {"message_delta", R"({"type":"message_delta","delta":{"stop_reason":"tool_use"}})"},
        });
    std::string all;
    for (const auto& e : out) all += e.type + " " + boost::json::serialize(e.data) + "\n";
    EXPECT_EQ(all.find("input_json_delta"), std::string::npos) << all;
    EXPECT_NE(all.find("text_delta"), std::string::npos) << all;
    EXPECT_NE(all.find("end_turn"), std::string::npos) << all;
    EXPECT_EQ(all.find("\"tool_use\""), std::string::npos) << all;
}

TEST(ToolStreamGate, AnthropicAllowedToolUseIsReleasedByteForByte) {
    ToolStreamGate gate(Dialect::kMessages, deny({}));
    std::vector<std::pair<std::string, std::string>> events = {
        {"content_block_start",
         R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t","name":"ls","input":{}}})"},
        {"content_block_delta",
         R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{}"}})"},
        {"content_block_stop", R"({"type":"content_block_stop","index":1})"}};
    auto out = feed(gate, events);
    ASSERT_EQ(out.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(out[i].raw, events[i].second);
}

TEST(ToolStreamGate, AnthropicUnfinishedToolUseIsNeverReleased) {
    ToolStreamGate gate(Dialect::kMessages, deny({}));
    auto out = feed(
        gate,
        {{"content_block_start",
          R"({"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"ls","input":{}}})"},
         {"content_block_delta",
          R"({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{"}})"}});
    gate.finish(out);
    EXPECT_TRUE(out.empty());
}

TEST(ToolStreamGate, ResponsesDeniedFunctionCallAndFinalResponseRewritten) {
    ToolStreamGate gate(Dialect::kResponses, deny({"tool:pay"}));
    auto out = feed(
        gate,
        {{"response.output_item.added",
          R"({"type":"response.output_item.added","output_index":0,"sequence_number":3,"item":{"type":"function_call","id":"fc_1","call_id":"c","name":"pay","arguments":""}})"},
         {"response.function_call_arguments.delta",
          R"({"type":"response.function_call_arguments.delta","output_index":0,"item_id":"fc_1","delta":"{\"usd\":1e9}"})"},
         {"response.function_call_arguments.done",
          R"({"type":"response.function_call_arguments.done","output_index":0,"item_id":"fc_1","arguments":"{\"usd\":1e9}"})"},
         {"response.output_item.done",
          R"({"type":"response.output_item.done","output_index":0,"sequence_number":6,"item":{"type":"function_call","id":"fc_1","call_id":"c","name":"pay","arguments":"{\"usd\":1e9}"}})"},
         {"response.completed",
          R"({"type":"response.completed","response":{"output":[{"type":"function_call","id":"fc_1","call_id":"c","name":"pay","arguments":"{\"usd\":1e9}"}]}})"}});
    std::string all;
    for (const auto& e : out) all += e.type + " " + boost::json::serialize(e.data) + "\n";
    EXPECT_EQ(all.find("1e9"), std::string::npos) << all;
    EXPECT_EQ(all.find("function_call"), std::string::npos) << all;
    EXPECT_NE(all.find("blocked by test rule"), std::string::npos) << all;
    EXPECT_EQ(gate.report().refused, 1u);
}

TEST(ToolStreamGate, ResponsesFunctionCallOnlyInFinalResponseIsStillChecked) {
    ToolStreamGate gate(Dialect::kResponses, deny({"tool:pay"}));
    auto out = feed(
        gate,
        {{"response.completed",
          R"({"type":"response.completed","response":{"output":[{"type":"function_call","id":"fc_9","name":"pay","arguments":"{}"}]}})"}});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_TRUE(out[0].raw.empty());
    EXPECT_EQ(out[0].data.at("response").at("output").as_array()[0].at("type").as_string(),
              "message");
}

}  // namespace
}  // namespace kars::router::tools
