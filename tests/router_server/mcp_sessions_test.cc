// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/mcp/sessions.h"

#include <set>

#include <gtest/gtest.h>

namespace kars::router::mcp {
namespace {

using namespace std::chrono_literals;
using Clock = SessionTable::Clock;

TEST(McpSessions, IdsAreRandom64HexAndBoundToTheSandbox) {
    SessionTable t(16, 60s);
    std::set<std::string> seen;
    for (int i = 0; i < 8; ++i) {
        auto id = t.open("sb", "2025-11-25", "client");
        EXPECT_EQ(id.size(), 64U);
        EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
        seen.insert(id);
    }
    EXPECT_EQ(seen.size(), 8U);
    auto id = *seen.begin();
    EXPECT_TRUE(t.touch(id, "sb").has_value());
    EXPECT_FALSE(t.touch(id, "other-sandbox").has_value());
    EXPECT_FALSE(t.close(id, "other-sandbox"));
    EXPECT_TRUE(t.touch(id, "sb").has_value());
}

TEST(McpSessions, UnknownClosedAndIdleSessionsAreGone) {
    SessionTable t(16, 60s);
    auto now = Clock::now();
    auto a = t.open("sb", "v", "c", now);
    auto b = t.open("sb", "v", "c", now);
    EXPECT_FALSE(t.touch(std::string(64, 'f'), "sb", now).has_value());
    EXPECT_TRUE(t.close(a, "sb"));
    EXPECT_FALSE(t.touch(a, "sb", now).has_value());
    EXPECT_FALSE(t.close(a, "sb"));
    EXPECT_TRUE(t.touch(b, "sb", now + 59s).has_value());  // use resets the idle clock
    EXPECT_TRUE(t.touch(b, "sb", now + 118s).has_value());
    EXPECT_FALSE(t.touch(b, "sb", now + 179s).has_value());
    EXPECT_EQ(t.size(), 0U);
}

TEST(McpSessions, AFullTableEvictsTheLongestIdle) {
    SessionTable t(2, 3600s);
    auto now = Clock::now();
    auto oldest = t.open("sb", "v", "c", now);
    auto recent = t.open("sb", "v", "c", now + 1s);
    auto fresh = t.open("sb", "v", "c", now + 2s);
    EXPECT_EQ(t.size(), 2U);
    EXPECT_FALSE(t.touch(oldest, "sb", now + 3s).has_value());
    EXPECT_TRUE(t.touch(recent, "sb", now + 3s).has_value());
    EXPECT_TRUE(t.touch(fresh, "sb", now + 3s).has_value());
}

}  // namespace
}  // namespace kars::router::mcp
