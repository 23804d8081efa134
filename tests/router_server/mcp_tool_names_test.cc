// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/mcp/tool_names.h"

#include <gtest/gtest.h>

namespace kars::router::mcp {
namespace {

TEST(McpToolNames, RoundTrip) {
    auto name = exposed_tool_name("github", "create_issue");
    EXPECT_EQ(name, "github__create_issue");
    auto parts = split_tool_name(name);
    ASSERT_TRUE(parts.has_value());
    EXPECT_EQ(parts->first, "github");
    EXPECT_EQ(parts->second, "create_issue");
}

TEST(McpToolNames, TheFirstSeparatorSplits) {
    // Server names cannot hold '_', so a tool whose own name has "__" still splits right.
    auto parts = split_tool_name("fs__read__all");
    ASSERT_TRUE(parts.has_value());
    EXPECT_EQ(parts->first, "fs");
    EXPECT_EQ(parts->second, "read__all");
}

TEST(McpToolNames, MalformedNamesDoNotSplit) {
    for (const char* bad : {"echo", "__echo", "fs__", "", "fs_echo"}) {
        EXPECT_FALSE(split_tool_name(bad).has_value()) << bad;
    }
}

TEST(McpToolNames, Validity) {
    EXPECT_TRUE(valid_tool_name("get-sum"));
    EXPECT_TRUE(valid_tool_name("a.b_c-D9"));
    EXPECT_TRUE(valid_tool_name(std::string(128, 'x')));
    EXPECT_FALSE(valid_tool_name(std::string(129, 'x')));
    EXPECT_FALSE(valid_tool_name(""));
    EXPECT_FALSE(valid_tool_name("has space"));
    EXPECT_FALSE(valid_tool_name("colon:inside"));
    EXPECT_FALSE(valid_tool_name("slash/inside"));
    EXPECT_EQ(tool_action("fs", "read"), "mcp:fs:read");
}

}  // namespace
}  // namespace kars::router::mcp
