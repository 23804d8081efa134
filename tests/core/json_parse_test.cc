// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/json/parse.h"

#include <gtest/gtest.h>

namespace kars::json {
namespace {

// Deeply nested input is refused instead of exhausting the stack.
TEST(JsonParse, RejectsNestingDeeperThanLimit) {
    std::string deep(100, '[');
    deep += std::string(100, ']');
    auto r = parse(deep, ParseLimits{.max_depth = 64});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "invalid_json");
}

TEST(JsonParse, RejectsTrailingGarbage) {
    EXPECT_FALSE(parse(R"({"a":1} x)").ok());
}

TEST(JsonParse, TypedFieldsIgnoreWrongTypes) {
    auto r = parse(R"({"model":"gpt","max_tokens":"12","stream":true,"n":3})");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(string_field(*r, "model"), "gpt");
    EXPECT_EQ(int_field(*r, "max_tokens"), std::nullopt);
    EXPECT_EQ(int_field(*r, "n"), 3);
    EXPECT_EQ(bool_field(*r, "stream"), true);
    EXPECT_EQ(string_field(*r, "missing"), std::nullopt);
}

}  // namespace
TEST(JsonParse, NumbersBeyondADoubleAreRefusedNotTurnedIntoInfinity) {
    for (const char* text : {"1e400", "[1, -1e999]", "{\"a\": {\"b\": 2e308}}"}) {
        auto v = parse(text);
        ASSERT_FALSE(v.ok()) << text;
        EXPECT_NE(v.error().message.find("out of range"), std::string::npos) << text;
    }
    // Large but finite numbers, and integers past int64, stay (as a double, as JSON readers
    // in every language treat them).
    EXPECT_TRUE(parse("[1.7e308, 123456789012345678901234567890]").ok());
}

}  // namespace kars::json
