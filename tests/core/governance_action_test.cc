// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <string>

#include <gtest/gtest.h>

#include "core/governance/action.h"
#include "core/governance/action_pattern.h"

namespace kars::governance {
namespace {

Action parsed(std::string_view text) {
    auto a = parse_action(text);
    EXPECT_TRUE(a.ok()) << text << ": " << (a.ok() ? "" : a.error().message);
    return a.ok() ? *a : Action{};
}

bool refused(std::string_view text) {
    return !parse_action(text).ok();
}

bool match(std::string_view pattern, std::string_view action) {
    auto p = ActionPattern::compile(pattern);
    EXPECT_TRUE(p.ok()) << pattern;
    auto a = parse_action(action);
    EXPECT_TRUE(a.ok()) << action;
    return p.ok() && a.ok() && p->matches(*a);
}

// Each known kind splits into its fixed segments.
TEST(GovernanceAction, ParsesEachKnownKindIntoSegments) {
    Action inf = parsed("inference:chat_completions:gpt-4o");
    EXPECT_EQ(inf.kind(), ActionKind::kInference);
    EXPECT_EQ(inf.segment(2), "gpt-4o");
    Action mcp = parsed("mcp:github:create_issue");
    EXPECT_EQ(mcp.kind(), ActionKind::kMcp);
    EXPECT_EQ(mcp.segment(1), "github");
    EXPECT_EQ(mcp.segment(2), "create_issue");
    Action mem = parsed("memory:write:agent_demo");
    EXPECT_EQ(mem.memory_operation(), "write");
    EXPECT_EQ(mem.memory_scope(), "agent_demo");
    EXPECT_EQ(parsed("egress:api.github.com:443").segment(2), "443");
    EXPECT_EQ(parsed("admin:bulk_delete").kind(), ActionKind::kOther);
}

// The router's tool-schema filter emits tool.invoke:<name>; it is the same action as tool:.
TEST(GovernanceAction, ToolInvokeIsCanonicalisedToTool) {
    Action a = parsed("tool.invoke:web.search");
    EXPECT_EQ(a.kind(), ActionKind::kTool);
    EXPECT_EQ(a.text(), "tool:web.search");
}

TEST(GovernanceAction, ShellMatchTextIsTheCommandWithoutArguments) {
    Action a = parsed("shell:ls -la /tmp");
    EXPECT_EQ(a.match_text(), "shell:ls");
    EXPECT_EQ(a.shell_arguments(), "-la /tmp");
    EXPECT_EQ(parsed("shell:grep 'a|b;c' file").segment(1), "grep");
}

TEST(GovernanceAction, EgressHostIsLowerCased) {
    EXPECT_EQ(parsed("egress:API.GitHub.com:443").text(), "egress:api.github.com:443");
}

TEST(GovernanceAction, RefusesEmptyPartsControlCharactersAndOverlongInput) {
    EXPECT_TRUE(refused(""));
    EXPECT_TRUE(refused("tool"));
    EXPECT_TRUE(refused(":x"));
    EXPECT_TRUE(refused("tool:"));
    EXPECT_TRUE(refused("mcp::tool"));
    EXPECT_TRUE(refused("mcp:server:"));
    EXPECT_TRUE(refused(std::string("tool:a\nb")));
    EXPECT_TRUE(refused(std::string("tool:a\0b", 8)));
    EXPECT_TRUE(refused("tool:a\x7f"));
    EXPECT_TRUE(refused("tool:" + std::string(252, 'a')));
    EXPECT_FALSE(refused("tool:" + std::string(251, 'a')));
}

// A name that carries ':' would shift segments; fixed arities make that a parse error.
TEST(GovernanceAction, RefusesSeparatorsSmuggledIntoNames) {
    EXPECT_TRUE(refused("mcp:github:evil:create_issue"));
    EXPECT_TRUE(refused("tool:a:b:c"));
    EXPECT_TRUE(refused("inference:chat_completions:llama3:8b"));
    EXPECT_TRUE(refused("image_generation:a:b"));
    EXPECT_TRUE(refused("tool:we b"));
    EXPECT_TRUE(refused("tool:*"));
    EXPECT_TRUE(refused("tool:w\xc3\xa9"));  // non-ASCII: no lookalike names
    EXPECT_TRUE(refused("Tool:x"));
}

TEST(GovernanceAction, RefusesShellCommandsWithOperatorsOrSubstitution) {
    EXPECT_TRUE(refused("shell:ls; rm -rf /"));
    EXPECT_TRUE(refused("shell:ls;rm"));
    EXPECT_TRUE(refused("shell:cat x | sh"));
    EXPECT_TRUE(refused("shell:echo $(id)"));
    EXPECT_TRUE(refused("shell:echo \"`id`\""));
    EXPECT_TRUE(refused("shell:cat x > /etc/passwd"));
    EXPECT_TRUE(refused("shell:echo 'unterminated"));
    EXPECT_TRUE(refused("shell: ls"));
    EXPECT_FALSE(refused("shell:echo 'a;b|c'"));
    EXPECT_FALSE(refused("shell:awk '{print $1}' f"));
}

TEST(GovernanceAction, RefusesMalformedEgressAndMemory) {
    EXPECT_TRUE(refused("egress:example.com:0"));
    EXPECT_TRUE(refused("egress:example.com:65536"));
    EXPECT_TRUE(refused("egress:example.com:0443"));
    EXPECT_TRUE(refused("egress:example..com:443"));
    EXPECT_TRUE(refused("egress:[::1]:443"));
    EXPECT_TRUE(refused("egress:example.com"));
    EXPECT_TRUE(refused("memory:steal:agent_x"));
    EXPECT_TRUE(refused("memory:read"));
    EXPECT_TRUE(refused("memory:read:"));
}

TEST(GovernancePattern, StarStaysWithinOneSegment) {
    EXPECT_TRUE(match("mcp:*:read_file", "mcp:fs:read_file"));
    EXPECT_FALSE(match("mcp:*:read_file", "mcp:fs:write_file"));
    EXPECT_TRUE(match("egress:*.example.com:443", "egress:a.b.example.com:443"));
    EXPECT_FALSE(match("egress:*.example.com:443", "egress:example.com:443"));
    EXPECT_FALSE(match("egress:*.example.com:443", "egress:evil-example.com:443"));
    EXPECT_FALSE(match("egress:*.example.com:443", "egress:a.example.com:444"));
    EXPECT_TRUE(match("tool:web.*", "tool:web.search"));
}

// A trailing '*' covers the rest of the action, as the reference profiles assume.
TEST(GovernancePattern, TrailingStarMatchesLaterSegments) {
    EXPECT_TRUE(match("inference:*", "inference:chat_completions:gpt-4o"));
    EXPECT_TRUE(match("admin:bulk*", "admin:bulk_delete"));
    EXPECT_TRUE(match("admin:bulk*", "admin:bulk:all"));
    EXPECT_FALSE(match("admin:bulk*", "admin:promote"));
    EXPECT_TRUE(match("*", "shell:ls"));
    EXPECT_TRUE(match("mcp:github:*", "mcp:github:create_issue"));
    EXPECT_FALSE(match("mcp:github:*", "mcp:github-evil:create_issue"));
}

TEST(GovernancePattern, ExactPatternsMatchOnlyTheirSegments) {
    EXPECT_TRUE(match("shell:rm", "shell:rm -rf /"));
    EXPECT_FALSE(match("shell:rm", "shell:rmdir x"));
    EXPECT_FALSE(match("tool:web", "tool:web.search"));
    EXPECT_TRUE(match("tool.invoke:x", "tool:x"));
    EXPECT_FALSE(match("mcp:github", "mcp:github:create_issue"));
}

TEST(GovernancePattern, RefusesMalformedPatterns) {
    EXPECT_FALSE(ActionPattern::compile("").ok());
    EXPECT_FALSE(ActionPattern::compile("tool:**").ok());
    EXPECT_FALSE(ActionPattern::compile("tool::x").ok());
    EXPECT_FALSE(ActionPattern::compile("tool:a b").ok());
    EXPECT_FALSE(ActionPattern::compile("Tool:x").ok());
    EXPECT_FALSE(ActionPattern::compile("tool:*a*b*c*d*e*f*g*h*i").ok());
}

TEST(GovernancePattern, GlobMatchHandlesBacktrackingWithoutBlowup) {
    EXPECT_TRUE(glob_match_segment("*a*b", "xxaxxaxxb", false));
    EXPECT_FALSE(glob_match_segment("*a*a*a*b", std::string(200, 'a'), false));
    EXPECT_TRUE(glob_match_segment("ab", "abc", true));
    EXPECT_FALSE(glob_match_segment("ab", "abc", false));
}

}  // namespace
}  // namespace kars::governance
