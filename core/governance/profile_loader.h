// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Reads an AGT-format governance profile (version, agent, policies[]) from YAML text into
// compiled rules. The format is the one of /opt/kars profiles such as kars-default.yaml:
//
//   policies:
//     - name: shell-destructive-deny     required, unique in the file
//       type: capability | approval | rate_limit
//       allowed_actions / denied_actions: [pattern]   capability
//       actions: [pattern]                            approval, rate_limit
//       min_approvals: <n >= 1>                       approval (default 1)
//       max_calls: <n >= 1>   window: "<n>[s|m|h]"    rate_limit
//       conditions: {key: value | [values]}           optional, all must hold
//       priority: <0..1000000>                        default 0
//       scope: <string>                               accepted, not used
//
// Unknown keys are errors: a misspelt "denied_action" must not silently allow everything.
// Errors (code "invalid_profile") read "<source>: <field path>: <reason>".

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/governance/rule.h"
#include "core/result.h"

namespace kars::governance {

inline constexpr std::size_t kMaxProfileBytes = 1024 * 1024;
inline constexpr std::size_t kMaxRulesPerProfile = 10'000;
inline constexpr std::uint32_t kMaxPriority = 1'000'000;

struct Profile {
    std::string source;
    std::string agent;  // the profile's `agent` name, empty when absent
    std::vector<Rule> rules;
};

// `kind` is stamped on every rule (kGovernanceProfile for files, kToolPolicy for inline
// profiles). Nothing throws.
Result<Profile> load_profile(std::string_view source, std::string_view yaml_text,
                             PolicyKind kind = PolicyKind::kGovernanceProfile);

// "<digits>[s|m|h]", bare digits meaning seconds; at most 31 days, more than zero.
Result<std::chrono::nanoseconds> parse_window(std::string_view text);

}  // namespace kars::governance
