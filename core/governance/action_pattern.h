// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Glob patterns over actions, compiled once at load time.
//
// A pattern is split on ':' into segments and matched segment by segment against the
// parsed action, so a name can never be stretched across a separator:
//   - '*' inside a segment matches any run of characters of that one segment;
//   - a '*' that ends the whole pattern also matches every later segment, so
//     "inference:*" covers "inference:chat_completions:gpt-4o" and "admin:bulk*" covers
//     "admin:bulk_delete" (this keeps the meaning the reference profiles were written for);
//   - "**" is refused: the trailing '*' already means "and everything after".
// Everything else is literal and case-sensitive, except egress hosts, which are lower-cased
// on both sides.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/governance/action.h"
#include "core/result.h"

namespace kars::governance {

inline constexpr std::size_t kMaxStarsPerPattern = 8;

class ActionPattern {
public:
    // Errors have code "invalid_pattern" and say what is wrong with `text`.
    static Result<ActionPattern> compile(std::string_view text);

    bool matches(const Action& action) const;
    // Same, with segment 1 replaced; used to match a shell command's basename.
    bool matches_with_command(const Action& action, std::string_view command) const;

    // Canonical text of the pattern (kind synonyms resolved, egress host lower-cased).
    const std::string& text() const { return text_; }
    // No '*' at all: the pattern matches exactly one match_text() and can be indexed.
    bool exact() const { return exact_; }
    // The kind segment when it is literal, else empty (the pattern may match any kind).
    std::string_view literal_kind() const;
    // Segment 1 when it is fully literal (no '*', not cut short by a trailing '*'), else
    // empty; lets the index find "mcp:github:*" from the action's server name.
    std::string_view literal_segment1() const;
    // Literal text segment 1 of a matching action must start (resp. end) with; empty when
    // the pattern does not constrain it that way. Used to index globs by affix.
    std::string_view segment1_required_prefix() const;
    std::string_view segment1_required_suffix() const;
    // Whether the kind segment of this pattern accepts `kind`.
    bool kind_matches(std::string_view kind) const;

private:
    bool match_segments(const Action& action, std::string_view command_override) const;

    std::string text_;
    std::vector<std::string> segments_;  // the trailing '*' of a rest pattern is removed
    // Per segment, the literal text before the first '*' and after the last one: a cheap
    // rejection before the glob runs, which is what keeps 1,000-rule sets fast.
    struct Literals {
        std::uint16_t prefix = 0;
        std::uint16_t suffix = 0;
        bool glob = false;
    };
    std::vector<Literals> literals_;
    bool rest_ = false;  // the pattern ended with '*'
    bool exact_ = true;
};

// Glob match of one segment: '*' matches any run of characters; with `prefix_only` the
// pattern only has to match a prefix of `text`.
bool glob_match_segment(std::string_view pattern, std::string_view text, bool prefix_only);

}  // namespace kars::governance
