// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The action grammar: what an agent wants to do, as one string, e.g. "tool:web.search",
// "mcp:github:create_issue", "shell:ls -la", "egress:api.github.com:443",
// "memory:read:agent_demo". docs/governance.md has the full grammar; in short:
//
//   action  = kind ":" detail            at most kMaxActionBytes, no control characters
//   kind    = [a-z][a-z0-9_.]*           "tool.invoke" is a synonym of "tool"
//   segment = 1*name-char                name-char = ASCII letter, digit or one of _-./@+=~,
//
// Each known kind fixes how many segments follow it, so a name can never carry a ':' and
// be mistaken for two segments by a pattern. Parsing yields a canonical text; patterns
// match the segments of that text, never the raw input.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace kars::governance {

inline constexpr std::size_t kMaxActionBytes = 256;
inline constexpr std::size_t kMaxSegments = 8;

enum class ActionKind {
    kInference,        // inference:<api>:<model>
    kImageGeneration,  // image_generation:<deployment>
    kTool,             // tool:<name>[:<param>]   (tool.invoke:<name> is the same action)
    kMcp,              // mcp:<server>:<tool>
    kShell,            // shell:<command>[ <arguments>]   one simple command, no operators
    kEgress,           // egress:<host>:<port>
    kMemory,           // memory:<read|write|search|delete>:<scope>
    kOutput,           // output:<text>          free text, matched as one segment
    kOther,            // any other kind: 1 to kMaxSegments-1 name segments
};

class Action {
public:
    ActionKind kind() const { return kind_; }
    // Canonical text: kind spelled canonically, egress host in lower case.
    const std::string& text() const { return text_; }
    // The part patterns match: text() without shell arguments ("shell:ls" for "shell:ls -l").
    std::string_view match_text() const { return std::string_view(text_).substr(0, match_len_); }
    std::size_t segment_count() const { return count_; }
    // Segment 0 is the kind; for shell, segment 1 is the command without arguments.
    std::string_view segment(std::size_t i) const;
    // Shell only: the arguments after the command, empty when none.
    std::string_view shell_arguments() const;
    // Memory only: the operation and the scope exactly as given (the scope may hold any
    // printable ASCII so the scope guard, not the grammar, explains why it is refused).
    std::string_view memory_operation() const { return segment(1); }
    std::string_view memory_scope() const { return segment(2); }

private:
    friend Result<Action> parse_action(std::string_view input);

    struct Span {
        std::uint16_t offset = 0;
        std::uint16_t length = 0;
    };

    ActionKind kind_ = ActionKind::kOther;
    std::string text_;
    std::size_t match_len_ = 0;
    std::size_t count_ = 0;
    std::array<Span, kMaxSegments> spans_{};
};

// Validates and canonicalises an action string. Errors have code "invalid_action" and a
// message naming the offending part.
Result<Action> parse_action(std::string_view input);

// The canonical spelling of a kind ("tool.invoke" -> "tool"); other kinds are unchanged.
std::string_view canonical_kind(std::string_view kind);

// True for the characters allowed in a name segment.
bool is_name_char(char c);

}  // namespace kars::governance
