// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/governance/action_pattern.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace kars::governance {
namespace {

Error invalid(std::string_view text, const std::string& why) {
    return make_error("invalid_pattern", "pattern '" + std::string(text) + "': " + why);
}

bool is_pattern_char(char c, bool kind_segment) {
    if (c == '*') return true;
    if (kind_segment)
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    return is_name_char(c);
}

}  // namespace

bool glob_match_segment(std::string_view pattern, std::string_view text, bool prefix_only) {
    // Iterative wildcard match with a single backtrack point: linear in practice, and never
    // recursive, so a pattern like "*a*a*a*b" cannot blow the stack.
    std::size_t p = 0;
    std::size_t t = 0;
    std::size_t star = std::string_view::npos;
    std::size_t star_t = 0;
    while (t < text.size()) {
        if (p == pattern.size() && prefix_only) return true;
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            star_t = t;
        } else if (p < pattern.size() && pattern[p] == text[t]) {
            ++p;
            ++t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++star_t;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

Result<ActionPattern> ActionPattern::compile(std::string_view text) {
    if (text.empty()) return invalid(text, "is empty");
    if (text.size() > kMaxActionBytes) {
        return invalid(text.substr(0, 40),
                       "is longer than " + std::to_string(kMaxActionBytes) + " bytes");
    }
    if (text.find("**") != std::string_view::npos) {
        return invalid(text, "'**' is not supported; a trailing '*' already matches the rest");
    }
    std::size_t stars = 0;
    ActionPattern pattern;
    std::size_t start = 0;
    while (true) {
        std::size_t end = text.find(':', start);
        std::string segment(text.substr(start, end - start));
        bool kind_segment = pattern.segments_.empty();
        if (segment.empty()) return invalid(text, "has an empty segment");
        for (char c : segment) {
            if (!is_pattern_char(c, kind_segment)) {
                return invalid(text, std::string("has the character '") + c + "' in " +
                                         (kind_segment ? "its kind" : "a segment"));
            }
            if (c == '*') ++stars;
        }
        if (kind_segment) segment = std::string(canonical_kind(segment));
        if (pattern.segments_.size() == kMaxSegments) {
            return invalid(text, "has more than " + std::to_string(kMaxSegments) + " segments");
        }
        pattern.segments_.push_back(std::move(segment));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    if (stars > kMaxStarsPerPattern) {
        return invalid(text, "has more than " + std::to_string(kMaxStarsPerPattern) + " '*'");
    }
    if (pattern.segments_[0] == "egress" && pattern.segments_.size() > 1) {
        for (char& c : pattern.segments_[1]) {
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
    }

    pattern.exact_ = stars == 0;
    for (std::size_t i = 0; i < pattern.segments_.size(); ++i) {
        if (i) pattern.text_.push_back(':');
        pattern.text_.append(pattern.segments_[i]);
    }
    std::string& last = pattern.segments_.back();
    if (last.back() == '*') {
        pattern.rest_ = true;
        last.pop_back();
    }
    for (const std::string& seg : pattern.segments_) {
        Literals lit;
        std::size_t first = seg.find('*');
        lit.glob = first != std::string::npos;
        lit.prefix = static_cast<std::uint16_t>(lit.glob ? first : seg.size());
        lit.suffix = static_cast<std::uint16_t>(lit.glob ? seg.size() - seg.rfind('*') - 1 : 0);
        pattern.literals_.push_back(lit);
    }
    return pattern;
}

std::string_view ActionPattern::literal_kind() const {
    const std::string& kind = segments_.front();
    bool literal = kind.find('*') == std::string::npos && !(rest_ && segments_.size() == 1);
    return literal ? std::string_view(kind) : std::string_view();
}

std::string_view ActionPattern::literal_segment1() const {
    if (segments_.size() < 2 || (rest_ && segments_.size() == 2)) return {};
    const std::string& seg = segments_[1];
    return seg.find('*') == std::string::npos ? std::string_view(seg) : std::string_view();
}

std::string_view ActionPattern::segment1_required_prefix() const {
    if (segments_.size() < 2) return {};
    return std::string_view(segments_[1]).substr(0, literals_[1].prefix);
}

std::string_view ActionPattern::segment1_required_suffix() const {
    bool prefix_only = rest_ && segments_.size() == 2;
    if (segments_.size() < 2 || prefix_only || !literals_[1].glob) return {};
    const std::string& seg = segments_[1];
    return std::string_view(seg).substr(seg.size() - literals_[1].suffix);
}

bool ActionPattern::kind_matches(std::string_view kind) const {
    bool prefix = rest_ && segments_.size() == 1;
    return glob_match_segment(segments_.front(), kind, prefix);
}

bool ActionPattern::matches(const Action& action) const {
    return match_segments(action, {});
}

bool ActionPattern::matches_with_command(const Action& action, std::string_view command) const {
    return match_segments(action, command);
}

bool ActionPattern::match_segments(const Action& action, std::string_view command) const {
    const std::size_t n = segments_.size();
    const std::size_t count = action.segment_count();
    if (rest_ ? count < n : count != n) return false;
    for (std::size_t i = 0; i < n; ++i) {
        std::string_view seg = (i == 1 && !command.empty()) ? command : action.segment(i);
        bool prefix_only = rest_ && i + 1 == n;
        const std::string& pat = segments_[i];
        const Literals& lit = literals_[i];
        if (!lit.glob) {
            bool same = prefix_only ? seg.substr(0, pat.size()) == pat : seg == pat;
            if (!same) return false;
            continue;
        }
        if (seg.size() < lit.prefix + lit.suffix ||
            seg.compare(0, lit.prefix, pat, 0, lit.prefix) != 0) {
            return false;
        }
        if (!prefix_only && seg.compare(seg.size() - lit.suffix, lit.suffix, pat,
                                        pat.size() - lit.suffix, lit.suffix) != 0) {
            return false;
        }
        if (!glob_match_segment(pat, seg, prefix_only)) return false;
    }
    return true;
}

}  // namespace kars::governance
