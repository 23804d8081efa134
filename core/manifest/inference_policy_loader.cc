// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/manifest/inference_policy_loader.h"

#include <algorithm>
#include <cctype>
#include <tuple>
#include <utility>

namespace kars::manifest {
namespace {

std::optional<policy::Severity> read_severity(FieldReader& r, const Field& f) {
    auto text = r.string(f);
    if (!text) return std::nullopt;
    auto severity = parse_severity(*text);
    if (!severity) r.fail(f.path, "must be one of Safe, Low, Medium, High; got \"" + *text + "\"");
    return severity;
}

policy::TokenBudget read_token_budget(FieldReader& r, const Field& f) {
    policy::TokenBudget b;
    b.per_request_tokens = r.uint(f.at("perRequestTokens")).value_or(0);
    b.daily_tokens = r.uint(f.at("dailyTokens")).value_or(0);
    b.monthly_tokens = r.uint(f.at("monthlyTokens")).value_or(0);
    // The CRD's admission rules, kept here so a manifest applied without the API server
    // cannot carry a monthly cap that a single day or request could never reach.
    if (r.ok() && b.monthly_tokens != 0 && b.daily_tokens > b.monthly_tokens) {
        r.fail(f.at("monthlyTokens").path, "must be >= spec.tokenBudget.dailyTokens");
    }
    if (r.ok() && b.monthly_tokens != 0 && b.per_request_tokens > b.monthly_tokens) {
        r.fail(f.at("monthlyTokens").path, "must be >= spec.tokenBudget.perRequestTokens");
    }
    return b;
}

policy::ContentSafety read_content_safety(FieldReader& r, const Field& f) {
    policy::ContentSafety c;
    c.hate = read_severity(r, f.at("hate"));
    c.self_harm = read_severity(r, f.at("selfHarm"));
    c.sexual = read_severity(r, f.at("sexual"));
    c.violence = read_severity(r, f.at("violence"));
    c.require_prompt_shields = r.boolean(f.at("requirePromptShields")).value_or(false);
    return c;
}

policy::ModelTarget read_model_target(FieldReader& r, const Field& f) {
    policy::ModelTarget t;
    if (!r.require(f) || !r.mapping(f)) return t;
    t.provider = r.required_string(f.at("provider"));
    t.deployment = r.required_string(f.at("deployment"));
    if (r.ok() && (t.provider.empty() || t.deployment.empty())) {
        r.fail(f.path, "requires non-empty provider and deployment");
    }
    return t;
}

policy::ModelPreference read_model_preference(FieldReader& r, const Field& f) {
    policy::ModelPreference m;
    m.primary = read_model_target(r, f.at("primary"));
    Field fallback = f.at("fallback");
    if (r.sequence(fallback)) {
        for (std::size_t i = 0; r.ok() && i < fallback.node.size(); ++i) {
            m.fallback.push_back(read_model_target(r, fallback.at(i)));
        }
    }
    return m;
}

AppliesTo read_applies_to(FieldReader& r, const Field& f) {
    AppliesTo a;
    if (!r.require(f) || !r.mapping(f)) return a;
    a.sandbox_name = r.string(f.at("sandboxName"));
    if (a.sandbox_name && a.sandbox_name->empty()) a.sandbox_name.reset();
    a.sandbox_match_labels = r.string_map(f.at("sandboxMatchLabels"));
    a.action = r.enumerated(f.at("action"), {"chat", "responses", "image", "embeddings", "*"});
    return a;
}

bool matches(const InferencePolicyResource& p, const SandboxIdentity& s, std::string_view action) {
    if (p.metadata.namespace_name != s.namespace_name) return false;
    const AppliesTo& a = p.applies_to;
    if (a.sandbox_name && *a.sandbox_name != s.name) return false;
    for (const auto& [key, value] : a.sandbox_match_labels) {
        auto it = s.labels.find(key);
        if (it == s.labels.end() || it->second != value) return false;
    }
    if (a.action && *a.action != "*" && *a.action != action) return false;
    return true;
}

// Larger is more specific; see select_inference_policy in the header for the order.
std::tuple<bool, std::size_t, bool> specificity(const InferencePolicyResource& p) {
    const AppliesTo& a = p.applies_to;
    return {a.sandbox_name.has_value(), a.sandbox_match_labels.size(),
            a.action.has_value() && *a.action != "*"};
}

std::string describe(const InferencePolicyResource& p) {
    std::string out = "InferencePolicy/" + p.metadata.name;
    if (!p.source.file.empty()) {
        out += " (" + p.source.file + " document " + std::to_string(p.source.document) + ")";
    }
    return out;
}

}  // namespace

std::optional<policy::Severity> parse_severity(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "safe") return policy::Severity::kSafe;
    if (lower == "low") return policy::Severity::kLow;
    if (lower == "medium") return policy::Severity::kMedium;
    if (lower == "high") return policy::Severity::kHigh;
    return std::nullopt;
}

InferencePolicyResource read_inference_policy(FieldReader& r, const Field& document) {
    InferencePolicyResource p;
    p.metadata = read_object_meta(r, document);
    p.policy.name = p.metadata.name;
    Field spec = document.at("spec");
    if (!r.require(spec) || !r.mapping(spec)) return p;

    p.applies_to = read_applies_to(r, spec.at("appliesTo"));
    p.display_name = r.string(spec.at("displayName"));
    Field budget = spec.at("tokenBudget");
    if (r.mapping(budget)) p.policy.token_budget = read_token_budget(r, budget);
    Field safety = spec.at("contentSafety");
    if (r.mapping(safety)) p.policy.content_safety = read_content_safety(r, safety);
    Field models = spec.at("modelPreference");
    if (r.mapping(models)) p.policy.model_preference = read_model_preference(r, models);

    Field bundle = spec.at("bundleRef");
    if (bundle.present()) {
        p.bundle_ref = read_artifact_ref(r, bundle);
        // Inline content next to a bundle would leave two sources of truth for one policy.
        if (r.ok() &&
            (budget.present() || safety.present() || models.present() || p.display_name)) {
            r.fail(bundle.path,
                   "mutually exclusive with tokenBudget, contentSafety, modelPreference and "
                   "displayName");
        }
    }
    return p;
}

Result<const InferencePolicyResource*> select_inference_policy(
    const std::vector<InferencePolicyResource>& policies, const SandboxIdentity& sandbox,
    std::string_view action) {
    const InferencePolicyResource* best = nullptr;
    const InferencePolicyResource* tied = nullptr;
    for (const auto& p : policies) {
        if (!matches(p, sandbox, action)) continue;
        if (best == nullptr || specificity(p) > specificity(*best)) {
            best = &p;
            tied = nullptr;
        } else if (specificity(p) == specificity(*best)) {
            tied = &p;
        }
    }
    if (tied != nullptr) {
        return make_error("ambiguous_inference_policy",
                          "sandbox " + sandbox.name + " is matched equally by " + describe(*best) +
                              " and " + describe(*tied) +
                              "; make one selector more specific or remove one policy");
    }
    return best;
}

}  // namespace kars::manifest
