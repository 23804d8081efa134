// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/replay/cassette.h"

#include <gtest/gtest.h>

namespace kars::router::replay {
namespace {

constexpr const char* kCassette =
    R"({"match":{"path":"/v1/chat/completions","stream":false,"body_contains":"weather"},"response":{"status":200,"body":{"id":"a"}}}
{"match":{"path":"/v1/chat/completions","body_excludes":["tool_call_id"]},"response":{"status":200,"events":[{"data":{"x":1},"delay_ms":3},{"data":"[DONE]"}]}}

{"match":{"path":"/v1/chat/completions"},"response":{"status":429,"headers":{"retry-after":"2"},"body":"slow down"}}
)";

TEST(Cassette, MatchesFirstExchangeWhoseMatchersAllAccept) {
    auto c = Cassette::parse(kCassette, "t");
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->size(), 3u);
    const auto* a = c->match("POST", "/v1/chat/completions", "m", false, R"({"q":"weather"})");
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->body, R"({"id":"a"})");
    const auto* b = c->match("POST", "/v1/chat/completions", "m", true, R"({"q":"hi"})");
    ASSERT_NE(b, nullptr);
    ASSERT_EQ(b->events.size(), 2u);
    EXPECT_EQ(b->events[0].data, R"({"x":1})");
    EXPECT_EQ(b->events[0].delay.count(), 3);
    EXPECT_EQ(b->events[1].data, "[DONE]");
    const auto* c3 = c->match("POST", "/v1/chat/completions", "m", true, R"({"tool_call_id":1})");
    ASSERT_NE(c3, nullptr);
    EXPECT_EQ(c3->status, 429);
    EXPECT_EQ(c->match("POST", "/v1/embeddings", "m", false, "{}"), nullptr);
}

TEST(Cassette, ErrorsNameTheLine) {
    auto c = Cassette::parse("{\"match\":{},\"response\":{}}\n{bad\n", "demo.jsonl");
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.error().message.find("demo.jsonl:2"), std::string::npos);
    EXPECT_FALSE(Cassette::parse(R"({"match":{}})", "x").ok());
    EXPECT_FALSE(Cassette::parse(R"({"match":{},"response":{"status":99}})", "x").ok());
}

TEST(Cassette, LineRoundTrips) {
    Exchange ex;
    ex.method = "POST";
    ex.path = "/v1/messages";
    ex.stream = true;
    ex.status = 200;
    ex.events.push_back(
        {"message_start", R"({"type":"message_start"})", std::chrono::milliseconds(7)});
    auto c = Cassette::parse(to_line(ex), "x");
    ASSERT_TRUE(c.ok()) << c.error().message;
    const auto* back = c->match("POST", "/v1/messages", "", true, "");
    ASSERT_NE(back, nullptr);
    ASSERT_EQ(back->events.size(), 1u);
    EXPECT_EQ(back->events[0].event, "message_start");
    EXPECT_EQ(back->events[0].delay.count(), 7);
}

}  // namespace
}  // namespace kars::router::replay
