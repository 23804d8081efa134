// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/json/parse.h"
#include "router/translate/messages_stream.h"

namespace kars::router::translate {
namespace {

boost::json::value j(std::string_view text) {
    return json::parse(text).value();
}

// Feeds chunks then the end of stream, collecting every event.
std::vector<SseEvent> run(ChatToMessagesStream& t, const std::vector<std::string>& chunks,
                          bool end = true) {
    std::vector<SseEvent> all;
    for (const auto& c : chunks) {
        for (auto& e : t.on_chunk(j(c))) all.push_back(std::move(e));
    }
    if (end) {
        for (auto& e : t.on_end()) all.push_back(std::move(e));
    }
    return all;
}

std::vector<std::string> names(const std::vector<SseEvent>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.event);
    return out;
}

struct Block {
    std::string type;
    std::string id;
    std::string name;
    std::string payload;  // concatenated text or partial_json
};

// Checks the invariants an Anthropic SDK relies on (message_start first, one block open at a
// time, consecutive indices, start/delta/stop per block, message_delta then message_stop)
// and returns the blocks in index order.
std::vector<Block> blocks_of(const std::vector<SseEvent>& events) {
    std::vector<Block> blocks;
    EXPECT_FALSE(events.empty());
    if (events.empty()) return blocks;
    EXPECT_EQ(events.front().event, "message_start");
    int open = -1;
    for (const auto& e : events) {
        EXPECT_EQ(e.data.at("type"), e.event.c_str());
        if (e.event == "content_block_start") {
            EXPECT_EQ(open, -1) << "block started while another is open";
            open = static_cast<int>(e.data.at("index").as_int64());
            EXPECT_EQ(open, static_cast<int>(blocks.size())) << "indices must be consecutive";
            const auto& cb = e.data.at("content_block");
            Block b;
            b.type = std::string(cb.at("type").as_string());
            if (b.type == "tool_use") {
                b.id = std::string(cb.at("id").as_string());
                b.name = std::string(cb.at("name").as_string());
                EXPECT_EQ(cb.at("input"), boost::json::object{});
            }
            blocks.push_back(b);
        } else if (e.event == "content_block_delta") {
            EXPECT_EQ(e.data.at("index").as_int64(), open);
            const auto& d = e.data.at("delta");
            if (blocks.back().type == "text") {
                EXPECT_EQ(d.at("type"), "text_delta");
                blocks.back().payload += std::string(d.at("text").as_string());
            } else {
                EXPECT_EQ(d.at("type"), "input_json_delta");
                blocks.back().payload += std::string(d.at("partial_json").as_string());
            }
        } else if (e.event == "content_block_stop") {
            EXPECT_EQ(e.data.at("index").as_int64(), open);
            open = -1;
        } else if (e.event == "message_delta") {
            EXPECT_EQ(open, -1) << "message_delta with a block still open";
        }
    }
    return blocks;
}

const std::vector<std::string> kTextStream = {
    R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o",
        "choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},
        "logprobs":null,"finish_reason":null}],"usage":null})",
    R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o",
        "choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}],"usage":null})",
    R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o",
        "choices":[{"index":0,"delta":{"content":"lo!"},"finish_reason":null}],"usage":null})",
    R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o",
        "choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null})",
    R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o",
        "choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}})",
};

TEST(TranslateStream, TextStreamProducesFullEventSequence) {
    ChatToMessagesStream t("requested");
    auto events = run(t, kTextStream);
    EXPECT_EQ(names(events),
              (std::vector<std::string>{"message_start", "content_block_start",
                                        "content_block_delta", "content_block_delta",
                                        "content_block_stop", "message_delta", "message_stop"}));
    EXPECT_EQ(events[0].data, j(R"({"type":"message_start","message":{"id":"msg_chatcmpl-1",
        "type":"message","role":"assistant","content":[],"model":"gpt-4o","stop_reason":null,
        "stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}}})"));
    EXPECT_EQ(events[1].data, j(R"({"type":"content_block_start","index":0,
        "content_block":{"type":"text","text":""}})"));
    EXPECT_EQ(events[2].data, j(R"({"type":"content_block_delta","index":0,
        "delta":{"type":"text_delta","text":"Hel"}})"));
    EXPECT_EQ(events[4].data, j(R"({"type":"content_block_stop","index":0})"));
    EXPECT_EQ(events[5].data, j(R"({"type":"message_delta",
        "delta":{"stop_reason":"end_turn","stop_sequence":null},
        "usage":{"output_tokens":2,"input_tokens":9}})"));
    EXPECT_EQ(events[6].data, j(R"({"type":"message_stop"})"));
    auto blocks = blocks_of(events);
    ASSERT_EQ(blocks.size(), 1u);
    EXPECT_EQ(blocks[0].payload, "Hello!");
    EXPECT_TRUE(t.finished());
    EXPECT_TRUE(t.on_end().empty());
}

std::string tool_chunk(std::string_view calls, std::string_view finish = "null") {
    return R"({"id":"chatcmpl-2","object":"chat.completion.chunk","model":"gpt-4o",
        "choices":[{"index":0,"delta":{"tool_calls":)" +
           std::string(calls) + R"(},"finish_reason":)" + std::string(finish) + "}]}";
}

TEST(TranslateStream, InterleavedToolCallsBecomeSeparateBlocksWithExactArguments) {
    const std::string args_a = R"({"city":"Paris","unit":"c"})";
    const std::string args_b = R"({"tz":"CET"})";
    std::vector<std::string> chunks = {
        R"({"id":"chatcmpl-2","object":"chat.completion.chunk","model":"gpt-4o",
            "choices":[{"index":0,"delta":{"role":"assistant","content":null},
            "finish_reason":null}]})",
        tool_chunk(R"([{"index":0,"id":"call_a","type":"function",
            "function":{"name":"get_weather","arguments":""}}])"),
        tool_chunk(R"([{"index":1,"id":"call_b","type":"function",
            "function":{"name":"get_time","arguments":""}}])"),
        tool_chunk(R"([{"index":0,"function":{"arguments":"{\"ci"}}])"),
        tool_chunk(R"([{"index":1,"function":{"arguments":"{\"tz\":"}}])"),
        tool_chunk(R"([{"index":0,"function":{"arguments":"ty\":\"Paris\","}}])"),
        tool_chunk(R"([{"index":1,"function":{"arguments":"\"CET\"}"}}])"),
        tool_chunk(R"([{"index":0,"function":{"arguments":"\"unit\":\"c\"}"}}])"),
        R"({"id":"chatcmpl-2","object":"chat.completion.chunk","model":"gpt-4o",
            "choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})",
        R"({"id":"chatcmpl-2","choices":[],"usage":{"prompt_tokens":40,"completion_tokens":30}})",
    };
    ChatToMessagesStream t;
    auto events = run(t, chunks);
    auto blocks = blocks_of(events);
    ASSERT_EQ(blocks.size(), 2u);
    EXPECT_EQ(blocks[0].type, "tool_use");
    EXPECT_EQ(blocks[0].id, "call_a");
    EXPECT_EQ(blocks[0].name, "get_weather");
    EXPECT_EQ(blocks[0].payload, args_a);
    EXPECT_EQ(blocks[1].id, "call_b");
    EXPECT_EQ(blocks[1].name, "get_time");
    EXPECT_EQ(blocks[1].payload, args_b);
    EXPECT_EQ(json::parse(blocks[0].payload).value(), j(args_a));
    ASSERT_GE(events.size(), 2u);
    EXPECT_EQ(events[events.size() - 2].data.at("delta").at("stop_reason"), "tool_use");
    EXPECT_EQ(events.back().event, "message_stop");
}

TEST(TranslateStream, TextThenToolCallStreamsBothLiveInOrder) {
    std::vector<std::string> chunks = {
        R"({"id":"c3","model":"m","choices":[{"index":0,"delta":{"content":"Let me check."}}]})",
        tool_chunk(
            R"([{"index":0,"id":"call_x","function":{"name":"search","arguments":"{\"q\""}}])"),
        tool_chunk(R"([{"index":0,"function":{"arguments":":\"kars\"}"}}])"),
        tool_chunk("[]", R"("tool_calls")"),
    };
    ChatToMessagesStream t;
    std::vector<SseEvent> first = t.on_chunk(j(chunks[0]));
    std::vector<SseEvent> second = t.on_chunk(j(chunks[1]));
    // The tool block opens as soon as its first fragment arrives, closing the text block.
    EXPECT_EQ(names(second), (std::vector<std::string>{"content_block_stop", "content_block_start",
                                                       "content_block_delta"}));
    std::vector<SseEvent> all = first;
    for (auto& e : second) all.push_back(std::move(e));
    for (auto& e : run(t, {chunks[2], chunks[3]})) all.push_back(std::move(e));
    auto blocks = blocks_of(all);
    ASSERT_EQ(blocks.size(), 2u);
    EXPECT_EQ(blocks[0].type, "text");
    EXPECT_EQ(blocks[0].payload, "Let me check.");
    EXPECT_EQ(blocks[1].payload, R"({"q":"kars"})");
}

TEST(TranslateStream, ContentFilterFinishIsRefusal) {
    ChatToMessagesStream t;
    auto events =
        run(t, {
                   R"({"id":"c4","model":"m","choices":[{"index":0,"delta":{"content":"I can"}}]})",
                   R"({"id":"c4","model":"m","choices":[{"index":0,"delta":{},
            "finish_reason":"content_filter"}]})",
               });
    ASSERT_GE(events.size(), 2u);
    EXPECT_EQ(events[events.size() - 2].data.at("delta").at("stop_reason"), "refusal");
    EXPECT_EQ(events.back().event, "message_stop");
}

TEST(TranslateStream, StreamEndingWithoutFinishReasonIsAnError) {
    ChatToMessagesStream t;
    std::vector<std::string> truncated(kTextStream.begin(), kTextStream.begin() + 3);
    auto events = run(t, truncated);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back().event, "error");
    EXPECT_EQ(events.back().data, j(R"({"type":"error","error":{"type":"api_error",
        "message":"upstream stream ended before completion"}})"));
    for (const auto& e : events) {
        EXPECT_NE(e.event, "message_stop");
        EXPECT_NE(e.event, "message_delta");
    }
    EXPECT_TRUE(t.finished());
}

TEST(TranslateStream, EmptyStreamIsAnError) {
    ChatToMessagesStream t;
    auto events = t.on_end();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].event, "error");
}

TEST(TranslateStream, InBandErrorChunkBecomesErrorEventAndEndsTranslation) {
    ChatToMessagesStream t;
    auto events = run(t, {kTextStream[0], kTextStream[1],
                          R"({"error":{"message":"The server is overloaded","type":"server_error",
                              "code":null}})",
                          kTextStream[2], kTextStream[3]});
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back().data, j(R"({"type":"error","error":{"type":"api_error",
        "message":"The server is overloaded"}})"));
    EXPECT_TRUE(t.finished());
}

TEST(TranslateStream, FinishReasonStopWithToolCallsStillReportsToolUse) {
    ChatToMessagesStream t;
    auto events = run(t, {tool_chunk(R"([{"index":0,"id":"c","function":{"name":"f",
                              "arguments":"{}"}}])"),
                          tool_chunk("[]", R"("stop")")});
    ASSERT_GE(events.size(), 2u);
    EXPECT_EQ(events[events.size() - 2].data.at("delta").at("stop_reason"), "tool_use");
}

TEST(TranslateStream, OtherChoicesAndGarbageChunksAreIgnored) {
    ChatToMessagesStream t;
    auto events =
        run(t, {
                   R"({"id":"c5","model":"m","choices":[{"index":1,"delta":{"content":"other"}}]})",
                   "[1,2]",
                   R"("text")",
                   R"({"id":"c5","model":"m","choices":[{"index":0,"delta":{"content":"mine"},
            "finish_reason":"length"}]})",
               });
    auto blocks = blocks_of(events);
    ASSERT_EQ(blocks.size(), 1u);
    EXPECT_EQ(blocks[0].payload, "mine");
    EXPECT_EQ(events[events.size() - 2].data.at("delta").at("stop_reason"), "max_tokens");
}

}  // namespace
}  // namespace kars::router::translate

namespace kars::router::translate {
namespace {

// Azure's first chunk carries only prompt annotations (empty id, model and choices); the
// translated message_start must wait for the chunk that names the message.
TEST(TranslateStreamAzure, MessageStartSkipsAnnotationOnlyChunk) {
    ChatToMessagesStream s("gpt-req");
    auto first = s.on_chunk(*json::parse(
        R"({"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}]})"));
    EXPECT_TRUE(first.empty());
    auto second = s.on_chunk(*json::parse(
        R"({"id":"chatcmpl-9","model":"gpt-4.1","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]})"));
    ASSERT_FALSE(second.empty());
    EXPECT_EQ(second[0].event, "message_start");
    const auto& msg = second[0].data.at("message");
    EXPECT_EQ(msg.at("model").as_string(), "gpt-4.1");
    EXPECT_NE(msg.at("id").as_string().find("chatcmpl-9"), std::string::npos);
}

}  // namespace
}  // namespace kars::router::translate
