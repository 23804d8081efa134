// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/sse/sse_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace kars::router::sse {
namespace {

// An Azure OpenAI chat completion stream as it arrives on the wire: the prompt annotation
// chunk with empty choices, role chunk, content chunks, usage chunk, [DONE].
constexpr std::string_view kOpenAiStream =
    R"(data: {"choices":[],"created":0,"id":"","model":"","object":"",)"
    R"("prompt_filter_results":[{"prompt_index":0,)"
    R"("content_filter_results":{"hate":{"filtered":false,"severity":"safe"},)"
    R"("jailbreak":{"filtered":false,"detected":false},"self_harm":{"filtered":false,)"
    R"("severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},)"
    R"("violence":{"filtered":false,"severity":"safe"}}}]})"
    "\n\n"
    R"(data: {"choices":[{"content_filter_results":{},"delta":{"content":"","role":"assistant"},)"
    R"("finish_reason":null,"index":0,"logprobs":null}],"created":1767225600,)"
    R"("id":"chatcmpl-AbC123","model":"gpt-4o-2024-08-06","object":"chat.completion.chunk",)"
    R"("system_fingerprint":"fp_5f2e7a"})"
    "\n\n"
    R"(data: {"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},)"
    R"("self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,)"
    R"("severity":"safe"},"violence":{"filtered":false,"severity":"safe"}},)"
    R"("delta":{"content":"Bonjour, ça va ? €"},"finish_reason":null,"index":0,"logprobs":null}],)"
    R"("created":1767225600,"id":"chatcmpl-AbC123","model":"gpt-4o-2024-08-06",)"
    R"("object":"chat.completion.chunk","system_fingerprint":"fp_5f2e7a"})"
    "\n\n"
    R"(data: {"choices":[{"content_filter_results":{},"delta":{},"finish_reason":"stop",)"
    R"("index":0,"logprobs":null}],"created":1767225600,"id":"chatcmpl-AbC123",)"
    R"("model":"gpt-4o-2024-08-06","object":"chat.completion.chunk",)"
    R"("system_fingerprint":"fp_5f2e7a"})"
    "\n\n"
    R"(data: {"choices":[],"created":1767225600,"id":"chatcmpl-AbC123",)"
    R"("model":"gpt-4o-2024-08-06","object":"chat.completion.chunk",)"
    R"("usage":{"completion_tokens":9,"prompt_tokens":21,"total_tokens":30}})"
    "\n\n"
    "data: [DONE]\n\n";

// An Anthropic Messages stream with a keepalive comment and a non-ASCII text delta.
constexpr std::string_view kAnthropicStream =
    "event: message_start\n"
    R"(data: {"type":"message_start","message":{"id":"msg_01XyZ","type":"message",)"
    R"("role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,)"
    R"("stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}})"
    "\n\n"
    "event: content_block_start\n"
    R"(data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"
    "\n\n"
    "event: ping\n"
    R"(data: {"type": "ping"})"
    "\n\n"
    ": keepalive\n\n"
    "event: content_block_delta\n"
    R"(data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta",)"
    R"("text":"Grüße 👋"}})"
    "\n\n"
    "event: content_block_stop\n"
    R"(data: {"type":"content_block_stop","index":0})"
    "\n\n"
    "event: message_delta\n"
    R"(data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},)"
    R"("usage":{"output_tokens":15}})"
    "\n\n"
    "event: message_stop\n"
    R"(data: {"type":"message_stop"})"
    "\n\n";

std::string with_crlf(std::string_view lf) {
    std::string out;
    for (const char c : lf) {
        if (c == '\n') out.push_back('\r');
        out.push_back(c);
    }
    return out;
}

struct Parsed {
    std::vector<Item> items;
    std::string feed_error;    // error code from feed, empty when every feed succeeded
    std::string finish_error;  // error code from finish, empty when the stream ended cleanly
};

Parsed parse_chunks(const std::vector<std::string_view>& chunks, Limits limits = {}) {
    SseParser parser(limits);
    Parsed parsed;
    for (const auto chunk : chunks) {
        if (Status s = parser.feed(chunk, parsed.items); !s.ok()) {
            parsed.feed_error = s.error().code;
            break;
        }
    }
    if (Status s = parser.finish(); !s.ok()) parsed.finish_error = s.error().code;
    return parsed;
}

Parsed parse_whole(std::string_view input, Limits limits = {}) {
    return parse_chunks({input}, limits);
}

Parsed parse_split_at(std::string_view input, const std::vector<std::size_t>& cuts) {
    std::vector<std::string_view> chunks;
    std::size_t start = 0;
    for (const std::size_t cut : cuts) {
        chunks.push_back(input.substr(start, cut - start));
        start = cut;
    }
    chunks.push_back(input.substr(start));
    return parse_chunks(chunks);
}

// Everything a client can observe about an item; `raw` is compared separately because a
// CRLF split across reads moves its LF into the next item.
std::string describe(const Item& item) {
    if (const auto* c = std::get_if<Comment>(&item)) return "comment[" + c->text + "]";
    const auto& e = std::get<Event>(item);
    std::string out = "event[" + e.type + "|" + e.data + "|" + (e.has_data ? "d" : "-") + "|" +
                      (e.id ? "id=" + *e.id : "noid") + "|" + e.last_event_id + "|" +
                      (e.retry ? std::to_string(*e.retry) : "-");
    for (const auto& c : e.comments) out += "|:" + c;
    return out + "]";
}

std::vector<std::string> describe_all(const Parsed& parsed) {
    std::vector<std::string> out;
    for (const auto& item : parsed.items) out.push_back(describe(item));
    return out;
}

std::string concat_raw(const Parsed& parsed) {
    std::string out;
    for (const auto& item : parsed.items) out.append(raw_bytes(item));
    return out;
}

const Event& event_at(const Parsed& parsed, std::size_t i) {
    return std::get<Event>(parsed.items.at(i));
}

void expect_split_invariant(std::string_view input) {
    const Parsed whole = parse_whole(input);
    ASSERT_TRUE(whole.feed_error.empty());
    const auto expected = describe_all(whole);

    for (std::size_t cut = 0; cut <= input.size(); ++cut) {
        const Parsed split = parse_split_at(input, {cut});
        ASSERT_EQ(describe_all(split), expected) << "split at byte " << cut;
        // Raw bytes are exact; only a CRLF cut between its CR and LF can leave that LF
        // pending at the very end instead of inside the last item.
        const std::string raw = concat_raw(split);
        ASSERT_EQ(input.substr(0, raw.size()), raw) << "split at byte " << cut;
        ASSERT_LE(concat_raw(whole).size() - raw.size(), 1u) << "split at byte " << cut;
        ASSERT_EQ(split.finish_error, whole.finish_error) << "split at byte " << cut;
    }

    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < input.size(); ++i) bytes.push_back(input.substr(i, 1));
    const Parsed byte_by_byte = parse_chunks(bytes);
    EXPECT_EQ(describe_all(byte_by_byte), expected);
    const std::string raw = concat_raw(byte_by_byte);
    EXPECT_EQ(input.substr(0, raw.size()), raw);
    EXPECT_LE(concat_raw(whole).size() - raw.size(), 1u);

    std::mt19937 rng(20260101);
    for (int round = 0; round < 200; ++round) {
        std::vector<std::size_t> cuts;
        std::uniform_int_distribution<std::size_t> pick(0, input.size());
        for (int k = 0; k < 6; ++k) cuts.push_back(pick(rng));
        std::sort(cuts.begin(), cuts.end());
        ASSERT_EQ(describe_all(parse_split_at(input, cuts)), expected) << "round " << round;
    }
}

TEST(SseParser, OpenAiStreamParsesIntoChunksEndingWithDone) {
    const Parsed parsed = parse_whole(kOpenAiStream);
    ASSERT_EQ(parsed.items.size(), 6u);
    EXPECT_TRUE(parsed.finish_error.empty());
    EXPECT_EQ(event_at(parsed, 0).type, "message");
    EXPECT_NE(event_at(parsed, 0).data.find("prompt_filter_results"), std::string::npos);
    EXPECT_NE(event_at(parsed, 2).data.find("Bonjour, ça va ? €"), std::string::npos);
    EXPECT_FALSE(is_done_marker(event_at(parsed, 4).data));
    EXPECT_TRUE(is_done_marker(event_at(parsed, 5).data));
    EXPECT_EQ(concat_raw(parsed), kOpenAiStream);
}

TEST(SseParser, AnthropicStreamKeepsEventTypesAndKeepaliveComment) {
    const Parsed parsed = parse_whole(kAnthropicStream);
    const std::vector<std::string> expected_types = {
        "message_start",       "content_block_start", "ping",          "comment",
        "content_block_delta", "content_block_stop",  "message_delta", "message_stop"};
    ASSERT_EQ(parsed.items.size(), expected_types.size());
    for (std::size_t i = 0; i < expected_types.size(); ++i) {
        if (const auto* c = std::get_if<Comment>(&parsed.items[i])) {
            EXPECT_EQ(expected_types[i], "comment");
            EXPECT_EQ(c->text, " keepalive");
            EXPECT_EQ(c->raw, ": keepalive\n");
        } else {
            EXPECT_EQ(event_at(parsed, i).type, expected_types[i]);
        }
    }
    EXPECT_NE(event_at(parsed, 4).data.find("Grüße 👋"), std::string::npos);
    // The blank line after the keepalive is forwarded in front of the next event.
    EXPECT_EQ(event_at(parsed, 4).raw.substr(0, 27), "\nevent: content_block_delta");
}

TEST(SseParser, OpenAiStreamIsSplitInvariant) {
    expect_split_invariant(kOpenAiStream);
}

TEST(SseParser, AnthropicStreamIsSplitInvariant) {
    expect_split_invariant(kAnthropicStream);
}

TEST(SseParser, CrlfStreamsAreSplitInvariantAndMatchLfStreams) {
    const std::string crlf = with_crlf(kAnthropicStream);
    expect_split_invariant(crlf);
    EXPECT_EQ(describe_all(parse_whole(crlf)), describe_all(parse_whole(kAnthropicStream)));
}

TEST(SseParser, CrlfSplitAcrossChunksIsOneLineEnd) {
    const Parsed parsed = parse_chunks({"data: a\r", "\ndata: b\r", "\n\r", "\n"});
    ASSERT_EQ(parsed.items.size(), 1u);
    EXPECT_EQ(event_at(parsed, 0).data, "a\nb");
    EXPECT_TRUE(parsed.finish_error.empty());
}

TEST(SseParser, CrFollowedByCrlfAcrossChunksIsTwoLineEnds) {
    // "\r" | "\r\n": the second CR is a new (blank) line, so the event dispatches.
    const Parsed parsed = parse_chunks({"data: a\r", "\r\n"});
    ASSERT_EQ(parsed.items.size(), 1u);
    EXPECT_EQ(event_at(parsed, 0).data, "a");
}

TEST(SseParser, CrOnlyLineEndsAreAccepted) {
    const Parsed parsed = parse_whole("event: x\rdata: 1\rdata: 2\r\r");
    ASSERT_EQ(parsed.items.size(), 1u);
    EXPECT_EQ(event_at(parsed, 0).type, "x");
    EXPECT_EQ(event_at(parsed, 0).data, "1\n2");
}

TEST(SseParser, EventIsEmittedAtItsBlankLineWithoutWaitingForMoreInput) {
    SseParser parser;
    std::vector<Item> items;
    ASSERT_TRUE(parser.feed("data: now\r\n\r", items).ok());
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(std::get<Event>(items[0]).data, "now");
    ASSERT_TRUE(parser.feed("\n", items).ok());
    EXPECT_EQ(items.size(), 1u);
    EXPECT_TRUE(parser.finish().ok());
}

TEST(SseParser, MultiLineDataIsJoinedWithLineFeeds) {
    const Parsed parsed = parse_whole("data: first\ndata:second\ndata\ndata:  indented\n\n");
    ASSERT_EQ(parsed.items.size(), 1u);
    EXPECT_EQ(event_at(parsed, 0).data, "first\nsecond\n\n indented");
}

TEST(SseParser, FieldWithoutColonUsesEmptyValue) {
    const Parsed parsed = parse_whole("event\ndata\n\n");
    ASSERT_EQ(parsed.items.size(), 1u);
    EXPECT_EQ(event_at(parsed, 0).type, "message");
    EXPECT_TRUE(event_at(parsed, 0).has_data);
    EXPECT_EQ(event_at(parsed, 0).data, "");
}

TEST(SseParser, OnlyFirstColonSplitsFieldAndValue) {
    const Parsed parsed = parse_whole("data: {\"a\": \"b:c\"}\n\n");
    ASSERT_EQ(parsed.items.size(), 1u);
    EXPECT_EQ(event_at(parsed, 0).data, R"({"a": "b:c"})");
}

TEST(SseParser, UnknownFieldsAreIgnoredButTheBlockIsStillForwarded) {
    const Parsed parsed = parse_whole("foo: bar\nDATA: x\n\n");
    ASSERT_EQ(parsed.items.size(), 1u);
    EXPECT_FALSE(event_at(parsed, 0).has_data);
    EXPECT_EQ(event_at(parsed, 0).raw, "foo: bar\nDATA: x\n\n");
}

TEST(SseParser, CommentsInsideAnEventStayWithTheEvent) {
    const Parsed parsed = parse_whole(":lead\ndata: a\n: mid\ndata: b\n\n");
    ASSERT_EQ(parsed.items.size(), 2u);
    EXPECT_EQ(std::get<Comment>(parsed.items[0]).text, "lead");
    const Event& e = event_at(parsed, 1);
    EXPECT_EQ(e.data, "a\nb");
    ASSERT_EQ(e.comments.size(), 1u);
    EXPECT_EQ(e.comments[0], " mid");
    EXPECT_EQ(e.raw, "data: a\n: mid\ndata: b\n\n");
}

TEST(SseParser, LeadingBomIsStrippedEvenWhenSplit) {
    const std::string input =
        "\xEF\xBB\xBF"
        "data: a\n\n";
    for (std::size_t cut = 0; cut <= 4; ++cut) {
        const Parsed parsed = parse_split_at(input, {cut});
        ASSERT_EQ(parsed.items.size(), 1u) << cut;
        EXPECT_EQ(event_at(parsed, 0).data, "a") << cut;
        EXPECT_EQ(event_at(parsed, 0).raw, input) << cut;
    }
}

TEST(SseParser, SecondBomIsContentNotStripped) {
    // Only one BOM is stripped; the second makes the field name "\uFEFFdata", which is
    // ignored, so the block carries no data.
    const Parsed parsed = parse_whole(
        "\xEF\xBB\xBF\xEF\xBB\xBF"
        "data: a\n\n");
    ASSERT_EQ(parsed.items.size(), 1u);
    EXPECT_FALSE(event_at(parsed, 0).has_data);
}

TEST(SseParser, PartialBomPrefixIsLineContent) {
    const Parsed parsed = parse_chunks({"\xEF\xBB", "data: a\n\n"});
    ASSERT_EQ(parsed.items.size(), 1u);
    EXPECT_FALSE(event_at(parsed, 0).has_data);
    EXPECT_EQ(event_at(parsed, 0).raw,
              "\xEF\xBB"
              "data: a\n\n");
}

TEST(SseParser, AnthropicInBandErrorEventIsReported) {
    const Parsed parsed = parse_whole(
        "event: error\n"
        R"(data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"
        "\n\n");
    ASSERT_EQ(parsed.items.size(), 1u);
    EXPECT_EQ(event_at(parsed, 0).type, "error");
    EXPECT_NE(event_at(parsed, 0).data.find("overloaded_error"), std::string::npos);
}

TEST(SseParser, DoneMarkerIsExact) {
    EXPECT_TRUE(is_done_marker("[DONE]"));
    EXPECT_FALSE(is_done_marker(" [DONE]"));
    EXPECT_FALSE(is_done_marker("[DONE]\n"));
    EXPECT_FALSE(is_done_marker("[done]"));
}

TEST(SseParser, MultiByteCharacterSplitAcrossReadsDecodesOnce) {
    const std::string input = "data: é€👋\n\n";  // 2-, 3- and 4-byte sequences
    for (std::size_t cut = 6; cut < 6 + 9; ++cut) {
        const Parsed parsed = parse_split_at(input, {cut});
        ASSERT_EQ(parsed.items.size(), 1u) << cut;
        EXPECT_EQ(event_at(parsed, 0).data, "é€👋") << cut;
    }
}

TEST(SseParser, InvalidUtf8IsReplacedInFieldsButKeptInRaw) {
    const std::string input =
        "data: a\xFF"
        "b\xE2\x82"
        "c\n\n";
    const Parsed parsed = parse_whole(input);
    ASSERT_EQ(parsed.items.size(), 1u);
    EXPECT_EQ(event_at(parsed, 0).data,
              "a\xEF\xBF\xBD"
              "b\xEF\xBF\xBD"
              "c");
    EXPECT_EQ(event_at(parsed, 0).raw, input);
}

TEST(SseParser, LastEventIdPersistsAcrossEvents) {
    const Parsed parsed = parse_whole("id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n");
    ASSERT_EQ(parsed.items.size(), 3u);
    EXPECT_EQ(event_at(parsed, 0).last_event_id, "7");
    EXPECT_EQ(event_at(parsed, 1).last_event_id, "7");
    EXPECT_FALSE(event_at(parsed, 1).id.has_value());
    EXPECT_EQ(event_at(parsed, 2).last_event_id, "");
}

TEST(SseParser, IdContainingNulIsIgnored) {
    SseParser parser;
    std::vector<Item> items;
    ASSERT_TRUE(parser.feed(std::string_view("id: 1\0x\ndata: a\n\n", 17), items).ok());
    ASSERT_EQ(items.size(), 1u);
    EXPECT_FALSE(std::get<Event>(items[0]).id.has_value());
    EXPECT_EQ(parser.last_event_id(), "");
}

TEST(SseParser, RetryAcceptsOnlyAsciiDigits) {
    SseParser parser;
    std::vector<Item> items;
    ASSERT_TRUE(parser.feed("retry: 2500\n\nretry: 12a\n\nretry: -1\n\n", items).ok());
    ASSERT_TRUE(parser.feed("retry: 99999999999999999999999\n\nretry:\n\n", items).ok());
    ASSERT_EQ(items.size(), 5u);
    EXPECT_EQ(std::get<Event>(items[0]).retry, 2500u);
    for (std::size_t i = 1; i < items.size(); ++i) {
        EXPECT_FALSE(std::get<Event>(items[i]).retry.has_value()) << i;
    }
    EXPECT_EQ(parser.retry_ms(), 2500u);
}

TEST(SseParser, LineOverLimitIsAnErrorAndStaysOne) {
    SseParser parser(Limits{.max_line_bytes = 16, .max_event_bytes = 1024});
    std::vector<Item> items;
    ASSERT_TRUE(parser.feed("data: ok\n\ndata: 0123456789", items).ok());
    const Status s = parser.feed("abcdef", items);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, "sse_line_too_long");
    EXPECT_EQ(items.size(), 1u);  // the complete event before the long line was delivered
    EXPECT_TRUE(parser.failed());
    EXPECT_EQ(parser.feed("\n\n", items).error().code, "sse_line_too_long");
    EXPECT_EQ(parser.finish().error().code, "sse_line_too_long");
}

TEST(SseParser, EventOverLimitIsAnError) {
    const Parsed parsed = parse_whole("data: 0123456789\ndata: 0123456789\ndata: 0123456789\n\n",
                                      Limits{.max_line_bytes = 64, .max_event_bytes = 40});
    EXPECT_EQ(parsed.feed_error, "sse_event_too_large");
    EXPECT_TRUE(parsed.items.empty());
}

TEST(SseParser, EventExactlyAtLimitIsAccepted) {
    // "data: 0123\n" is 11 counted bytes and the blank line 1: 12 in all.
    const Parsed parsed =
        parse_whole("data: 0123\n\n", Limits{.max_line_bytes = 10, .max_event_bytes = 12});
    EXPECT_TRUE(parsed.feed_error.empty());
    ASSERT_EQ(parsed.items.size(), 1u);
    const Parsed over =
        parse_whole("data: 01234\n\n", Limits{.max_line_bytes = 11, .max_event_bytes = 12});
    EXPECT_EQ(over.feed_error, "sse_event_too_large");
}

TEST(SseParser, UnboundedLineFedInSmallReadsFailsWithoutBuffering) {
    SseParser parser(Limits{.max_line_bytes = 1024, .max_event_bytes = 4096});
    std::vector<Item> items;
    const std::string block(4096, 'x');
    Status s = ok_status();
    int reads = 0;
    while (s.ok() && reads < 10000) {
        s = parser.feed(block, items);
        ++reads;
    }
    EXPECT_EQ(reads, 1);
    EXPECT_EQ(s.error().code, "sse_line_too_long");
}

TEST(SseParser, BlankLineFloodIsBounded) {
    const Parsed parsed = parse_whole(std::string(100, '\n'), Limits{.max_event_bytes = 64});
    EXPECT_EQ(parsed.feed_error, "sse_event_too_large");
}

TEST(SseParser, FinishReportsStreamEndingInsideAnEvent) {
    EXPECT_EQ(parse_whole("data: a\n\ndata: b\n").finish_error, "sse_truncated");
    EXPECT_EQ(parse_whole("data: a\n\ndata: {\"partial").finish_error, "sse_truncated");
    EXPECT_EQ(parse_whole("\xEF").finish_error, "sse_truncated");
    EXPECT_EQ(parse_whole("data: a\n\n").finish_error, "");
    EXPECT_EQ(parse_whole("data: a\n\n\n\n: bye\n").finish_error, "");
    EXPECT_EQ(parse_whole("").finish_error, "");
}

TEST(SseParser, RawBytesOfAllItemsReproduceTheInput) {
    const std::string input = "\xEF\xBB\xBF\r\n: hi\r\nid: 1\r\n\r\ndata: x\n\n";
    const Parsed parsed = parse_whole(input);
    EXPECT_EQ(concat_raw(parsed), input);
    ASSERT_EQ(parsed.items.size(), 3u);
    EXPECT_EQ(std::get<Comment>(parsed.items[0]).raw, "\xEF\xBB\xBF\r\n: hi\r\n");
}

}  // namespace
}  // namespace kars::router::sse
