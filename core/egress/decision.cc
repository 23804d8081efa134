// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/egress/decision.h"

#include "core/egress/special_ranges.h"

namespace kars::egress {
namespace {

constexpr std::uint32_t kMaxPort = 65535;

std::string target_text(const Decision& d) {
    const std::string host =
        d.canonical ? d.canonical->authority_text() : (d.host.empty() ? "<empty>" : d.host);
    return host + ":" + std::to_string(d.port);
}

Decision& allow(Decision& d, DecidedBy by, std::string rule, std::string why) {
    d.verdict = Verdict::kAllowed;
    d.decided_by = by;
    d.rule = std::move(rule);
    d.reason = "egress to " + target_text(d) + " allowed by " + d.rule + why;
    return d;
}

Decision& deny(Decision& d, DecidedBy by, std::string rule, std::string why) {
    d.verdict = Verdict::kDenied;
    d.decided_by = by;
    d.rule = std::move(rule);
    d.reason = "egress to " + target_text(d) + " denied: " + why;
    return d;
}

std::string sanitise(std::string_view raw) {
    std::string shown(raw.substr(0, 128));
    for (char& c : shown) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7f) {
            c = '?';
        }
    }
    return shown;
}

std::string entry_rule(const AllowEntry& entry) {
    return entry.origin + " " + entry.display();
}

std::string ports_text(const std::vector<std::uint16_t>& ports) {
    std::string text;
    for (auto port : ports) {
        text += (text.empty() ? "" : ", ") + std::to_string(port);
    }
    return text;
}

// Step 3: special-purpose addresses and loopback names. Only the baseline allowlist can open
// them, by naming the address or a range holding it: approvals and learn mode never do.
std::optional<Decision> decide_special(const EgressPolicy& policy, Decision& d) {
    const CanonicalHost& host = *d.canonical;
    if (host.is_ip()) {
        const auto special = classify_special(*host.address);
        if (!special) {
            return std::nullopt;
        }
        if (const AllowEntry* entry = policy.allowlist.match_address(*host.address, d.port)) {
            return allow(d, DecidedBy::kAllowlist, entry_rule(*entry),
                         " (explicitly allowlisted " + describe_special(*special) + ")");
        }
        return deny(d, DecidedBy::kSpecialAddress, describe_special(*special),
                    "address is in " + describe_special(*special) +
                        " and not in allowlist (a special-purpose address needs an "
                        "allowedEndpoints entry naming it or a CIDR range holding it)");
    }
    if (!is_loopback_name(host.text)) {
        return std::nullopt;
    }
    const AllowEntry* entry = policy.allowlist.match(host, d.port);
    if (entry != nullptr && entry->kind == EntryKind::kExactName) {
        return allow(d, DecidedBy::kAllowlist, entry_rule(*entry),
                     " (explicitly allowlisted loopback name)");
    }
    return deny(d, DecidedBy::kSpecialAddress, "loopback name (RFC 6761 section 6.3)",
                "name is reserved for loopback (RFC 6761 section 6.3) and not in allowlist");
}

Decision decide_not_allowlisted(const EgressPolicy& policy, Decision& d, Clock::time_point now) {
    std::string why = "host not in allowlist";
    const auto ports = policy.allowlist.ports_for(*d.canonical);
    if (!ports.empty()) {
        why += " for port " + std::to_string(d.port) +
               " (allowlisted ports for this host: " + ports_text(ports) + ")";
    }
    const ApprovalMatch expired = policy.approvals.match_expired(*d.canonical, d.port, now);
    if (expired.grant != nullptr) {
        why += "; EgressApproval " + expired.grant->name + " expired at " +
               format_utc(expired.grant->expires_at);
    }
    if (ports.empty() && expired.grant == nullptr) {
        why += " (no allowedEndpoints entry or active EgressApproval admits it)";
    }
    return deny(d, DecidedBy::kNotAllowlisted, "default deny", why);
}

}  // namespace

std::string_view Decision::policy_kind() const {
    switch (decided_by) {
        case DecidedBy::kApproval:
            return "EgressApproval";
        case DecidedBy::kBlocklist:
            return "EgressBlocklist";
        case DecidedBy::kLearnMode:
            return "EgressLearnMode";
        default:
            return "EgressAllowlist";
    }
}

std::string_view Decision::code() const {
    switch (decided_by) {
        case DecidedBy::kAllowlist:
            return "allowlist";
        case DecidedBy::kApproval:
            return "approval";
        case DecidedBy::kLearnMode:
            return "learn_mode";
        case DecidedBy::kBlocklist:
            return "blocklist";
        case DecidedBy::kSpecialAddress:
            return "special_address";
        case DecidedBy::kNotAllowlisted:
            return "not_allowlisted";
        case DecidedBy::kInvalidHost:
            return "invalid_host";
        case DecidedBy::kInvalidPort:
            return "invalid_port";
        case DecidedBy::kResolution:
            return "resolution";
    }
    return "unknown";
}

Decision decide(const EgressPolicy& policy, std::string_view host, std::uint32_t port,
                Clock::time_point now) {
    Decision d;
    d.port = port <= kMaxPort ? static_cast<std::uint16_t>(port) : 0;

    auto canonical = canonicalize_host(host);
    if (!canonical) {
        d.host = sanitise(host);
        return deny(d, DecidedBy::kInvalidHost, "invalid host", canonical.error().message);
    }
    d.host = canonical->text;
    d.canonical = std::move(*canonical);
    if (port == 0 || port > kMaxPort) {
        return deny(d, DecidedBy::kInvalidPort, "invalid port",
                    "port " + std::to_string(port) + " is outside 1-65535");
    }

    if (auto blocked = policy.blocklist.match(*d.canonical)) {
        return deny(d, DecidedBy::kBlocklist,
                    "blocklist " + blocked->source + " line " + std::to_string(blocked->line),
                    "host is blocked by blocklist " + blocked->source + " line " +
                        std::to_string(blocked->line) + " (lists '" + blocked->domain +
                        "'); the blocklist outranks the allowlist and approvals");
    }
    if (auto special = decide_special(policy, d)) {
        return std::move(*special);
    }
    if (const AllowEntry* entry = policy.allowlist.match(*d.canonical, d.port)) {
        return allow(d, DecidedBy::kAllowlist, entry_rule(*entry), "");
    }
    const ApprovalMatch approval = policy.approvals.match(*d.canonical, d.port, now);
    if (approval.grant != nullptr) {
        d.expires_at = approval.grant->expires_at;
        return allow(d, DecidedBy::kApproval,
                     "EgressApproval " + approval.grant->name + " " + approval.entry->display(),
                     " (expires " + format_utc(approval.grant->expires_at) + ")");
    }
    if (policy.mode == EgressMode::kLearn) {
        return allow(d, DecidedBy::kLearnMode, "learn mode",
                     " (no allowlist entry; recorded for the learned allowlist)");
    }
    return decide_not_allowlisted(policy, d, now);
}

ResolvedDecision decide_resolved(const EgressPolicy& policy, const Decision& name_decision,
                                 std::span<const IpAddress> addresses, Clock::time_point now) {
    if (!name_decision.allowed() || !name_decision.canonical) {
        return {name_decision, std::nullopt, std::nullopt};
    }
    // Decide the name again: an approval may have expired since, and a caller must not be able
    // to hand in a Decision it built itself.
    ResolvedDecision out{decide(policy, name_decision.host, name_decision.port, now), std::nullopt,
                         std::nullopt};
    Decision& d = out.decision;
    if (!d.allowed()) {
        return out;
    }

    if (d.canonical->is_ip()) {
        for (const auto& address : addresses) {
            if (address != *d.canonical->address) {
                out.refused_address = address;
                deny(d, DecidedBy::kResolution, "IP literal",
                     "an IP-literal host is dialled as given, but " + format_ip(address) +
                         " was supplied");
                return out;
            }
        }
        out.connect_to = *d.canonical->address;
        return out;
    }
    if (addresses.empty()) {
        deny(d, DecidedBy::kResolution, "resolution", "the name resolved to no address");
        return out;
    }

    for (const auto& address : addresses) {
        if (auto blocked = policy.blocklist.match_address(address)) {
            out.refused_address = address;
            deny(d, DecidedBy::kBlocklist,
                 "blocklist " + blocked->source + " line " + std::to_string(blocked->line),
                 "it resolved to " + format_ip(address) + ", which blocklist " + blocked->source +
                     " line " + std::to_string(blocked->line) + " lists");
            return out;
        }
        const auto special = classify_special(address);
        if (special && policy.allowlist.match_address(address, d.port) == nullptr) {
            out.refused_address = address;
            deny(d, DecidedBy::kSpecialAddress, describe_special(*special),
                 "it resolved to " + format_ip(address) + ", which is in " +
                     describe_special(*special) +
                     " and not in allowlist (every resolved address is checked: DNS rebinding "
                     "defence)");
            return out;
        }
    }
    out.connect_to = addresses.front();
    return out;
}

}  // namespace kars::egress
