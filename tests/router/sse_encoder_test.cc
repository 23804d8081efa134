// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/sse/sse_encoder.h"

#include <gtest/gtest.h>

#include <vector>

#include "router/sse/sse_parser.h"

namespace kars::router::sse {
namespace {

std::vector<Event> parse_events(std::string_view input) {
    SseParser parser;
    std::vector<Item> items;
    EXPECT_TRUE(parser.feed(input, items).ok());
    EXPECT_TRUE(parser.finish().ok());
    std::vector<Event> events;
    for (auto& item : items) {
        if (auto* e = std::get_if<Event>(&item)) events.push_back(std::move(*e));
    }
    return events;
}

void expect_same_event(const Event& a, const Event& b) {
    EXPECT_EQ(a.type, b.type);
    EXPECT_EQ(a.data, b.data);
    EXPECT_EQ(a.has_data, b.has_data);
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.retry, b.retry);
}

TEST(SseEncoder, ParsedEventsRoundTrip) {
    const auto events = parse_events(
        "event: content_block_delta\r\n"
        "data: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"hi\"}}\r\n\r\n"
        "id: 42\nretry: 1500\ndata:  leading space\ndata:\ndata: third\n\n"
        "event: message\ndata: [DONE]\n\n"
        "id:\nevent: only-type\n\n");
    ASSERT_EQ(events.size(), 4u);
    for (const auto& event : events) {
        const auto encoded = encode_event(event);
        ASSERT_TRUE(encoded.ok());
        const auto back = parse_events(*encoded);
        ASSERT_EQ(back.size(), 1u) << *encoded;
        expect_same_event(back[0], event);
    }
}

TEST(SseEncoder, WritesLfLinesAndOmitsDefaultType) {
    Event event;
    event.data = "a\nb";
    event.has_data = true;
    EXPECT_EQ(*encode_event(event), "data: a\ndata: b\n\n");
    event.type = "ping";
    event.id = "9";
    EXPECT_EQ(*encode_event(event), "event: ping\nid: 9\ndata: a\ndata: b\n\n");
}

TEST(SseEncoder, CarriageReturnInDataStartsANewDataLine) {
    Event event;
    event.data = "a\r\nb\rc";
    event.has_data = true;
    EXPECT_EQ(*encode_event(event), "data: a\ndata: b\ndata: c\n\n");
}

TEST(SseEncoder, RejectsTypeOrIdThatWouldInjectFields) {
    Event event;
    event.type = "error\ndata: injected";
    EXPECT_EQ(encode_event(event).error().code, "sse_unencodable");
    event.type = "ok";
    event.id = "1\rretry: 0";
    EXPECT_EQ(encode_event(event).error().code, "sse_unencodable");
    event.id = std::string("1\0", 2);
    EXPECT_EQ(encode_event(event).error().code, "sse_unencodable");
}

TEST(SseEncoder, ErrorEventParsesBackAsErrorType) {
    const std::string body = R"({"error":{"message":"blocked","type":"content_policy_violation"}})";
    const auto events = parse_events(encode_error_event(body));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].type, "error");
    EXPECT_EQ(events[0].data, body);
}

TEST(SseEncoder, CommentIsWrittenPerLineAndParsesAsComments) {
    EXPECT_EQ(encode_comment("keepalive"), ":keepalive\n");
    EXPECT_EQ(encode_comment("a\nb"), ":a\n:b\n");
    SseParser parser;
    std::vector<Item> items;
    ASSERT_TRUE(parser.feed(encode_comment(" ping"), items).ok());
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(std::get<Comment>(items[0]).text, " ping");
}

}  // namespace
}  // namespace kars::router::sse
