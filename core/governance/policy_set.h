// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// PolicySet: every profile file and ToolPolicy in force, merged and indexed, immutable.
//
// A set is built in one step from all of its inputs; any bad input fails the whole build
// and names the file and field, so a caller that swaps sets only on success always keeps
// a complete, previously valid policy (never "the files that happened to parse").
//
// Merge: rules from all sources are ordered by priority (higher first), then by the order
// the sources were given, then by position in the source. That order is the "rule id" the
// evaluator uses to break ties; docs/governance.md describes evaluation.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/governance/rule.h"
#include "core/governance/tool_policy.h"
#include "core/result.h"

namespace kars::governance {

inline constexpr std::size_t kMaxRulesPerSet = 100'000;

struct ProfileSource {
    std::string name;  // shown in errors and decisions, e.g. the file name
    std::string text;  // YAML
};

namespace detail {

enum class PatternRole : std::uint8_t { kAllow, kDeny, kApproval, kRateLimit };

struct PatternRef {
    std::uint32_t rule;     // index into PolicyIndex::rules (evaluation order)
    std::uint32_t pattern;  // index into that rule's list for `role`
    PatternRole role;
};

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// Globs keyed by a literal prefix or suffix of segment 1, one map per distinct length, so
// a lookup costs one hash probe per length instead of one glob match per pattern.
struct AffixIndex {
    std::vector<std::pair<std::size_t, StringMap<std::vector<PatternRef>>>> by_length;
    void add(std::string_view affix, PatternRef ref);
};

// Patterns of one action kind.
struct KindBucket {
    StringMap<std::vector<PatternRef>> exact;        // by full pattern text
    StringMap<std::vector<PatternRef>> by_segment1;  // globs whose segment 1 is literal
    AffixIndex by_prefix;                            // globs with a literal segment-1 prefix
    AffixIndex by_suffix;                            // ... or else a literal suffix
    std::vector<PatternRef> globs;                   // every other glob, by rule id
    std::vector<std::uint32_t> allowlists;           // capability rules allow-listing the kind
};

struct PolicyIndex {
    std::vector<Rule> rules;             // evaluation order
    std::vector<std::string> limit_ids;  // per rule: "<source>#<name>", stable across reloads
    std::vector<ToolPolicy> tool_policies;
    StringMap<KindBucket> kinds;
    KindBucket any_kind;  // patterns whose kind segment is a glob
};

}  // namespace detail

class PolicySet {
public:
    // An empty set: every action gets its kind's default.
    PolicySet();

    static Result<PolicySet> build(std::span<const ProfileSource> profiles,
                                   std::span<const ToolPolicy> tool_policies = {});

    std::size_t rule_count() const { return index_->rules.size(); }
    std::size_t tool_policy_count() const { return index_->tool_policies.size(); }
    // Rules in evaluation order.
    const std::vector<Rule>& rules() const { return index_->rules; }
    const detail::PolicyIndex& index() const { return *index_; }

private:
    explicit PolicySet(std::shared_ptr<const detail::PolicyIndex> index)
        : index_(std::move(index)) {}

    std::shared_ptr<const detail::PolicyIndex> index_;
};

}  // namespace kars::governance
