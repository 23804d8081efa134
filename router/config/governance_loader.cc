// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/config/governance_loader.h"

#include <fstream>
#include <sstream>

#include "core/governance/builtin_profile.h"
#include "core/governance/profile_loader.h"
#include "core/governance/tool_policy.h"

namespace kars::router::config {

namespace {

Result<std::string> read_profile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error("invalid_profile", "cannot read governance profile " + path);
    std::string text;
    char buf[8192];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        text.append(buf, static_cast<std::size_t>(in.gcount()));
        if (text.size() > governance::kMaxProfileBytes) {
            return make_error(
                "invalid_profile",
                path + ": larger than " + std::to_string(governance::kMaxProfileBytes) + " bytes");
        }
    }
    return text;
}

}  // namespace

Result<GovernancePolicy> build_governance_policy(const RouterConfig& cfg,
                                                 const manifest::Manifest* manifest) {
    GovernancePolicy out;
    std::vector<governance::ProfileSource> profiles;
    if (cfg.governance.use_builtin_default) {
        profiles.push_back({std::string(governance::kBuiltinProfileName),
                            std::string(governance::builtin_default_profile())});
    }
    for (const auto& path : cfg.governance.profiles) {
        auto text = read_profile(path);
        if (!text.ok()) return text.error();
        profiles.push_back({path, std::move(*text)});
    }
    std::vector<governance::ToolPolicy> tool_policies;
    if (manifest) {
        for (const auto& resource : manifest->tool_policies) {
            auto compiled = governance::compile_tool_policy(resource);
            if (!compiled.ok()) return compiled.error();
            tool_policies.push_back(std::move(*compiled));
        }
    }
    for (const auto& p : profiles) out.sources.push_back(p.name);
    for (const auto& t : tool_policies) out.sources.push_back(t.source);
    auto set = governance::PolicySet::build(profiles, tool_policies);
    if (!set.ok()) return set.error();
    out.set = std::move(*set);
    return out;
}

}  // namespace kars::router::config
