// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/egress/approvals.h"

#include <ctime>

namespace kars::egress {

std::string format_utc(Clock::time_point when) {
    const std::time_t seconds = Clock::to_time_t(when);
    std::tm parts{};
    if (gmtime_r(&seconds, &parts) == nullptr) {
        return "?";
    }
    char buffer[32] = {};
    if (std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &parts) == 0) {
        return "?";
    }
    return buffer;
}

Status ApprovalSet::add(std::string name, const std::vector<manifest::Endpoint>& hosts,
                        Clock::time_point expires_at) {
    if (name.empty()) {
        return make_error("invalid_approval", "an EgressApproval grant needs a name");
    }
    if (hosts.empty()) {
        return make_error("invalid_approval", "EgressApproval " + name + " grants no hosts");
    }
    ApprovalGrant grant{std::move(name), {}, expires_at};
    for (std::size_t i = 0; i < hosts.size(); ++i) {
        const std::uint32_t port = hosts[i].port ? *hosts[i].port : kApprovalDefaultPort;
        auto entry =
            parse_allow_entry(hosts[i].host, port,
                              "EgressApproval " + grant.name + " hosts[" + std::to_string(i) + "]");
        if (!entry) {
            return entry.error();
        }
        grant.entries.push_back(std::move(*entry));
    }
    grants_.push_back(std::move(grant));
    return ok_status();
}

Status ApprovalSet::add(const manifest::EgressApproval& approval, Clock::time_point effective_at,
                        Clock::time_point expires_at) {
    if (expires_at > effective_at && expires_at - effective_at > kMaxApprovalLifetime) {
        return make_error("invalid_approval",
                          "EgressApproval " + approval.metadata.name +
                              " lasts longer than the 7 day ceiling (status.effectiveAt " +
                              format_utc(effective_at) + " to status.expiresAt " +
                              format_utc(expires_at) + ")");
    }
    auto st = add(approval.metadata.name, approval.hosts, expires_at);
    if (st.ok()) grants_.back().effective_at = effective_at;
    return st;
}

ApprovalMatch ApprovalSet::match(const CanonicalHost& host, std::uint16_t port,
                                 Clock::time_point now) const {
    for (const auto& grant : grants_) {
        if (now >= grant.expires_at || now < grant.effective_at) {
            continue;
        }
        for (const auto& entry : grant.entries) {
            if (entry_matches(entry, host, port)) {
                return {&grant, &entry};
            }
        }
    }
    return {};
}

ApprovalMatch ApprovalSet::match_expired(const CanonicalHost& host, std::uint16_t port,
                                         Clock::time_point now) const {
    for (const auto& grant : grants_) {
        if (now < grant.expires_at) {
            continue;
        }
        for (const auto& entry : grant.entries) {
            if (entry_matches(entry, host, port)) {
                return {&grant, &entry};
            }
        }
    }
    return {};
}

}  // namespace kars::egress
