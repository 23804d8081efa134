// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/governance/tool_policy.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include <boost/json.hpp>

#include "core/governance/action_pattern.h"
#include "core/governance/money.h"
#include "core/governance/profile_loader.h"
#include "core/manifest/spec_reader.h"

namespace kars::governance {
namespace {

namespace json = boost::json;

using manifest::SpecReader;

// A CRD money string ("12.50 USD"), with the money parser's reason on failure.
std::optional<Money> read_money(SpecReader& r, const json::object& obj, std::string_view key,
                                const std::string& path) {
    auto text = r.string(obj, key, path);
    if (!text) return std::nullopt;
    auto parsed = parse_money(*text);
    if (!parsed) {
        r.fail(path, parsed.error().message);
        return std::nullopt;
    }
    return *parsed;
}

void read_applies_to(SpecReader& r, const json::object& spec, ToolPolicy& p) {
    const json::object* applies = r.object(spec, "appliesTo", "spec.appliesTo");
    if (!applies) {
        if (r.ok()) r.fail("spec.appliesTo", "required field is missing");
        return;
    }
    r.known_keys(*applies, "spec.appliesTo", {"tool", "mcpServer", "sandboxMatchLabels"});
    p.tool = r.string(*applies, "tool", "spec.appliesTo.tool").value_or("");
    p.mcp_server = r.string(*applies, "mcpServer", "spec.appliesTo.mcpServer").value_or("");
    if (!p.tool.empty() && p.tool != "*") {
        bool ok = std::all_of(p.tool.begin(), p.tool.end(),
                              [](char c) { return c == '*' || is_name_char(c); });
        if (!ok) r.fail("spec.appliesTo.tool", "'" + p.tool + "' is not a tool name or glob");
    }
    if (!p.mcp_server.empty() &&
        !std::all_of(p.mcp_server.begin(), p.mcp_server.end(), is_name_char)) {
        r.fail("spec.appliesTo.mcpServer", "'" + p.mcp_server + "' is not a server name");
    }
    auto labels = r.labels(*applies, "sandboxMatchLabels", "spec.appliesTo.sandboxMatchLabels");
    if (labels) p.sandbox_match_labels = std::move(*labels);
    // The CRD's admission rule: a ToolPolicy that selects every sandbox must say so with a
    // label, not by omission.
    if (r.ok() && p.sandbox_match_labels.empty()) {
        r.fail("spec.appliesTo.sandboxMatchLabels", "must contain at least one label");
    }
}

void read_rate_limit(SpecReader& r, const json::object& spec, ToolPolicy& p) {
    const json::object* rl = r.object(spec, "rateLimit", "spec.rateLimit");
    if (!rl) return;
    r.known_keys(*rl, "spec.rateLimit", {"rps", "burst", "window"});
    auto rps = r.uint32(*rl, "rps", "spec.rateLimit.rps");
    auto burst = r.uint32(*rl, "burst", "spec.rateLimit.burst");
    auto window = r.string(*rl, "window", "spec.rateLimit.window");
    if (!r.ok()) return;
    if (rps && *rps == 0)
        return r.fail("spec.rateLimit.rps",
                      "0 would refuse every call; use a "
                      "capability deny instead");
    if (burst && *burst == 0) return r.fail("spec.rateLimit.burst", "must be at least 1");
    ToolRateLimit limit;
    if (rps) {
        // rps is the refill rate; window only matters when there is no rps.
        limit.per_second = *rps;
        limit.capacity = burst ? *burst : *rps;
    } else if (burst && window) {
        auto w = parse_window(*window);
        if (!w) return r.fail("spec.rateLimit.window", w.error().message);
        limit.capacity = *burst;
        limit.per_second = *burst / std::chrono::duration<double>(*w).count();
    } else if (window || burst) {
        return r.fail("spec.rateLimit", "needs rps, or burst together with window");
    } else {
        return;  // an empty rateLimit object limits nothing
    }
    p.rate_limit = limit;
}

void read_approval(SpecReader& r, const json::object& spec, ToolPolicy& p) {
    const json::object* ap = r.object(spec, "approval", "spec.approval");
    std::optional<std::string> mode;
    if (ap) {
        r.known_keys(*ap, "spec.approval", {"mode", "threshold", "channel"});
        mode = r.string(*ap, "mode", "spec.approval.mode");
        p.approval_threshold = read_money(r, *ap, "threshold", "spec.approval.threshold");
        p.approval_channel = r.string(*ap, "channel", "spec.approval.channel").value_or("");
    }
    if (!r.ok()) return;
    if (!mode) {
        // CRD: the default is aboveThreshold when commerce is set; without a threshold
        // nothing is above it, so only the commerce caps apply.
        p.approval_mode = p.commerce ? ApprovalMode::kAboveThreshold : ApprovalMode::kNever;
        return;
    }
    if (*mode == "never") {
        p.approval_mode = ApprovalMode::kNever;
    } else if (*mode == "always") {
        p.approval_mode = ApprovalMode::kAlways;
    } else if (*mode == "aboveThreshold") {
        p.approval_mode = ApprovalMode::kAboveThreshold;
        if (!p.approval_threshold) {
            r.fail("spec.approval.threshold", "required when mode is aboveThreshold");
        }
    } else {
        r.fail("spec.approval.mode", "'" + *mode + "' is not never, always or aboveThreshold");
    }
}

void read_commerce(SpecReader& r, const json::object& spec, ToolPolicy& p) {
    const json::object* c = r.object(spec, "commerce", "spec.commerce");
    if (!c) return;
    r.known_keys(*c, "spec.commerce",
                 {"counterpartyAllowlist", "dailyCap", "monthlyCap", "perTransferCap"});
    CommerceCaps caps;
    if (const json::value* list = r.get(*c, "counterpartyAllowlist")) {
        if (!list->is_array())
            return r.fail("spec.commerce.counterpartyAllowlist", "expected array");
        for (std::size_t i = 0; i < list->get_array().size(); ++i) {
            const json::value& item = list->get_array()[i];
            if (!item.is_string() || item.get_string().empty()) {
                return r.fail("spec.commerce.counterpartyAllowlist[" + std::to_string(i) + "]",
                              "expected a non-empty string");
            }
            caps.counterparty_allowlist.emplace_back(item.get_string());
        }
    }
    caps.per_transfer_cap = read_money(r, *c, "perTransferCap", "spec.commerce.perTransferCap");
    caps.daily_cap = read_money(r, *c, "dailyCap", "spec.commerce.dailyCap");
    caps.monthly_cap = read_money(r, *c, "monthlyCap", "spec.commerce.monthlyCap");
    if (!r.ok()) return;
    if (caps.daily_cap && caps.monthly_cap) {
        if (caps.daily_cap->currency != caps.monthly_cap->currency) {
            return r.fail("spec.commerce.monthlyCap", "currency differs from dailyCap");
        }
        if (caps.monthly_cap->minor_units < caps.daily_cap->minor_units) {
            return r.fail("spec.commerce.monthlyCap", "must be >= dailyCap");
        }
    }
    p.commerce = std::move(caps);
}

void read_agt_profile(SpecReader& r, const json::object& spec, ToolPolicy& p) {
    const json::object* agt = r.object(spec, "agtProfile", "spec.agtProfile");
    if (!agt) return;
    r.known_keys(*agt, "spec.agtProfile", {"inline", "bundleRef"});
    auto text = r.string(*agt, "inline", "spec.agtProfile.inline");
    const json::object* bundle = r.object(*agt, "bundleRef", "spec.agtProfile.bundleRef");
    if (!r.ok()) return;
    if (text && bundle) {
        return r.fail("spec.agtProfile", "inline and bundleRef are mutually exclusive");
    }
    if (bundle) {
        p.bundle_ref_digest =
            r.string(*bundle, "digest", "spec.agtProfile.bundleRef.digest").value_or("");
        return;
    }
    if (!text) return;
    if (text->empty()) return r.fail("spec.agtProfile.inline", "is empty");
    auto profile =
        load_profile(p.source + ": spec.agtProfile.inline", *text, PolicyKind::kToolPolicy);
    if (!profile) return r.fail("spec.agtProfile.inline", profile.error().message);
    for (Rule& rule : profile->rules) {
        rule.source = p.source;
        rule.sandbox_selector = p.sandbox_match_labels;
    }
    p.inline_rules = std::move(profile->rules);
}

}  // namespace

Result<ToolPolicy> compile_tool_policy(const manifest::ObjectMeta& metadata,
                                       const boost::json::value& spec) {
    ToolPolicy p;
    p.source = SpecReader::source_of(manifest::kToolPolicyKind, metadata);
    SpecReader r("invalid_tool_policy", p.source);
    if (!spec.is_object()) {
        r.fail("spec", "expected object");
        return r.error();
    }
    const json::object& obj = spec.get_object();
    r.known_keys(obj, "spec",
                 {"appliesTo", "rateLimit", "approval", "commerce", "agtProfile", "displayName"});
    p.display_name = r.string(obj, "displayName", "spec.displayName").value_or("");
    read_applies_to(r, obj, p);
    read_rate_limit(r, obj, p);
    read_commerce(r, obj, p);
    read_approval(r, obj, p);
    read_agt_profile(r, obj, p);
    if (!r.ok()) return r.error();
    return p;
}

Result<ToolPolicy> compile_tool_policy(const manifest::OpaqueResource& resource) {
    return compile_tool_policy(resource.metadata, resource.spec);
}

bool labels_match(const Labels& selector, const Labels* labels) {
    if (selector.empty()) return true;
    if (!labels) return false;
    for (const auto& [key, value] : selector) {
        auto it = labels->find(key);
        if (it == labels->end() || it->second != value) return false;
    }
    return true;
}

bool tool_policy_applies(const ToolPolicy& policy, const Action& action,
                         const Labels* sandbox_labels) {
    std::string_view tool;
    std::string_view server;
    if (action.kind() == ActionKind::kTool) {
        tool = action.segment(1);
    } else if (action.kind() == ActionKind::kMcp) {
        server = action.segment(1);
        tool = action.segment(2);
    } else {
        return false;
    }
    if (!policy.mcp_server.empty() && policy.mcp_server != server) return false;
    if (!policy.tool.empty() && policy.tool != "*" &&
        !glob_match_segment(policy.tool, tool, false)) {
        return false;
    }
    return labels_match(policy.sandbox_match_labels, sandbox_labels);
}

int tool_policy_specificity(const ToolPolicy& policy) {
    int score = 0;
    if (!policy.tool.empty() && policy.tool != "*") {
        score += policy.tool.find('*') == std::string::npos ? 400 : 200;
    }
    if (!policy.mcp_server.empty()) score += 100;
    score += static_cast<int>(std::min<std::size_t>(policy.sandbox_match_labels.size(), 99));
    return score;
}

}  // namespace kars::governance
