// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/mcp/log_text.h"

#include <gtest/gtest.h>

namespace kars::router::mcp {
namespace {

TEST(McpLogText, ControlBytesBecomeQuestionMarks) {
    EXPECT_EQ(log_text("a\nb\x1b[31m\x7f", 100), "a?b?[31m?");
}

TEST(McpLogText, LongTextIsCutWithACount) {
    EXPECT_EQ(log_text("abcdefgh", 3), "abc...(5 more bytes)");
    EXPECT_EQ(log_text("abc", 3), "abc");
}

TEST(McpLogText, TheCutNeverSplitsAUtf8Character) {
    // "é" is two bytes and "€" three: a cut inside either backs off to the character's start,
    // so the result stays valid UTF-8 for the audit log.
    EXPECT_EQ(log_text("a\xc3\xa9z", 2), "a...(3 more bytes)");
    EXPECT_EQ(log_text("\xe2\x82\xac\xe2\x82\xac", 5), "\xe2\x82\xac...(3 more bytes)");
    EXPECT_EQ(log_text("\xe2\x82\xac\xe2\x82\xac", 6), "\xe2\x82\xac\xe2\x82\xac");
}

}  // namespace
}  // namespace kars::router::mcp
