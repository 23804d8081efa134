// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/governance/policy_set.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "core/governance/profile_loader.h"

namespace kars::governance {
namespace {

using detail::KindBucket;
using detail::PatternRef;
using detail::PatternRole;
using detail::PolicyIndex;

void index_pattern(PolicyIndex& index, const ActionPattern& pattern, PatternRef ref) {
    std::string_view kind = pattern.literal_kind();
    KindBucket& bucket = kind.empty() ? index.any_kind : index.kinds[std::string(kind)];
    if (pattern.exact()) {
        bucket.exact[pattern.text()].push_back(ref);
    } else if (std::string_view seg = pattern.literal_segment1(); !seg.empty()) {
        bucket.by_segment1[std::string(seg)].push_back(ref);
    } else if (std::string_view pre = pattern.segment1_required_prefix(); !pre.empty()) {
        bucket.by_prefix.add(pre, ref);
    } else if (std::string_view suf = pattern.segment1_required_suffix(); !suf.empty()) {
        bucket.by_suffix.add(suf, ref);
    } else {
        bucket.globs.push_back(ref);
    }
}

void index_rule(PolicyIndex& index, std::uint32_t id) {
    const Rule& rule = index.rules[id];
    auto add_all = [&](const std::vector<ActionPattern>& list, PatternRole role) {
        for (std::uint32_t i = 0; i < list.size(); ++i)
            index_pattern(index, list[i], {id, i, role});
    };
    add_all(rule.allowed, PatternRole::kAllow);
    add_all(rule.denied, PatternRole::kDeny);
    add_all(rule.actions,
            rule.type == RuleType::kApproval ? PatternRole::kApproval : PatternRole::kRateLimit);

    // An allow list makes its rule the gatekeeper of every kind it names: an action of that
    // kind that no allowed pattern matches is "not in allowlist" at the rule's priority.
    std::set<std::string, std::less<>> kinds;
    bool any = false;
    for (const ActionPattern& p : rule.allowed) {
        if (p.literal_kind().empty()) {
            any = true;
        } else {
            kinds.insert(std::string(p.literal_kind()));
        }
    }
    for (const std::string& k : kinds) index.kinds[k].allowlists.push_back(id);
    if (any) index.any_kind.allowlists.push_back(id);
}

}  // namespace

void detail::AffixIndex::add(std::string_view affix, PatternRef ref) {
    for (auto& [length, map] : by_length) {
        if (length == affix.size()) {
            map[std::string(affix)].push_back(ref);
            return;
        }
    }
    by_length.emplace_back(affix.size(), StringMap<std::vector<PatternRef>>{});
    by_length.back().second[std::string(affix)].push_back(ref);
}

PolicySet::PolicySet() : index_(std::make_shared<const PolicyIndex>()) {}

Result<PolicySet> PolicySet::build(std::span<const ProfileSource> profiles,
                                   std::span<const ToolPolicy> tool_policies) {
    auto index = std::make_shared<PolicyIndex>();
    std::set<std::string, std::less<>> sources;
    for (const ProfileSource& src : profiles) {
        if (!sources.insert(src.name).second) {
            return make_error("invalid_profile",
                              src.name + ": given twice; each source needs a distinct name");
        }
        auto profile = load_profile(src.name, src.text);
        if (!profile) return profile.error();
        for (Rule& r : profile->rules) index->rules.push_back(std::move(r));
    }
    for (const ToolPolicy& tp : tool_policies) {
        if (!sources.insert(tp.source).second) {
            return make_error("invalid_tool_policy", tp.source + ": given twice");
        }
        for (const Rule& r : tp.inline_rules) index->rules.push_back(r);
        index->tool_policies.push_back(tp);
    }
    if (index->rules.size() > kMaxRulesPerSet) {
        return make_error("invalid_profile",
                          "policy set has " + std::to_string(index->rules.size()) +
                              " rules, more than " + std::to_string(kMaxRulesPerSet));
    }

    // Sources were appended in the order given and rules in file order, so a stable sort
    // on priority alone yields (priority desc, source order, position).
    std::stable_sort(index->rules.begin(), index->rules.end(),
                     [](const Rule& a, const Rule& b) { return a.priority > b.priority; });
    index->limit_ids.reserve(index->rules.size());
    for (std::uint32_t id = 0; id < index->rules.size(); ++id) {
        index->limit_ids.push_back(index->rules[id].source + "#" + index->rules[id].name);
        index_rule(*index, id);
    }
    return PolicySet(std::move(index));
}

}  // namespace kars::governance
