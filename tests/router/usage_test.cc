// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/accounting/usage.h"

#include <gtest/gtest.h>

#include "core/json/parse.h"

namespace kars::router::accounting {
namespace {

Usage read(const char* text) {
    return read_usage(*json::parse(text));
}

TEST(Usage, ReadsEachApisShape) {
    auto chat = read(R"({"usage":{"prompt_tokens":12,"completion_tokens":4,"total_tokens":16}})");
    EXPECT_EQ(chat.input, 12);
    EXPECT_EQ(chat.output, 4);
    auto responses = read(
        R"({"type":"response.completed","response":{"usage":{"input_tokens":5,"output_tokens":6}}})");
    EXPECT_EQ(responses.total(), 11);
    auto start = read(
        R"({"type":"message_start","message":{"usage":{"input_tokens":25,"output_tokens":1}}})");
    auto delta = read(R"({"type":"message_delta","usage":{"output_tokens":15}})");
    EXPECT_EQ(start.input, 25);
    EXPECT_EQ(delta.output, 15);
}

// Anthropic streams report input tokens first and the final output count later.
TEST(Usage, MergeKeepsFirstKnownValues) {
    Usage u{std::nullopt, std::nullopt};
    u.merge(Usage{25, 1});
    u.merge(Usage{std::nullopt, 15});
    EXPECT_EQ(u.input, 25);
    EXPECT_EQ(u.output, 1);
}

TEST(Usage, IgnoresNegativeAndWrongTypes) {
    auto u = read(R"({"usage":{"prompt_tokens":-5,"completion_tokens":"9"}})");
    EXPECT_FALSE(u.any());
    EXPECT_FALSE(read(R"({"usage":null})").any());
    EXPECT_FALSE(read(R"([1,2])").any());
}

}  // namespace
}  // namespace kars::router::accounting
