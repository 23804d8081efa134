// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/router_state.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "core/manifest/manifest.h"
#include "router/server/egress_policy_loader.h"

namespace kars::router::server {

namespace {

Result<providers::ProviderConfig> to_upstream(const config::ProviderConfig& p) {
    auto kind = providers::parse_provider_kind(p.kind);
    if (!kind.ok()) return kind.error();
    providers::ProviderConfig out;
    out.kind = *kind;
    out.base_url = p.base_url;
    out.credential = p.api_key;
    out.azure_auth =
        p.auth == "bearer" ? providers::AzureAuth::kEntraToken : providers::AzureAuth::kApiKey;
    out.azure_url_style = p.url_style == "deployments" ? providers::AzureUrlStyle::kDeployment
                                                       : providers::AzureUrlStyle::kV1;
    if (p.url_style == "deployments") out.azure_api_version = p.api_version;
    out.anthropic_version = p.anthropic_version;
    auto st = providers::validate_and_resolve(out);
    if (!st.ok())
        return make_error(st.error().code, "provider " + p.name + ": " + st.error().message);
    return out;
}

Status load_policy(Snapshot& snap) {
    const auto& cfg = snap.config;
    std::optional<manifest::Manifest> m;
    if (!cfg.manifest.empty()) {
        auto loaded = manifest::load_manifest_file(cfg.manifest);
        if (!loaded.ok()) return loaded.error();
        m = std::move(*loaded);
    }
    auto governance = config::build_governance_policy(cfg, m ? &*m : nullptr);
    if (!governance.ok()) return governance.error();
    snap.governance = std::move(*governance);
    if (!cfg.governance.approvals_dir.empty()) {
        snap.approvals = std::make_shared<approvals::ApprovalStore>(cfg.governance.approvals_dir);
    }
    auto mcp_servers = config::build_mcp_plans(cfg, m ? &*m : nullptr);
    if (!mcp_servers.ok()) return mcp_servers.error();
    snap.mcp_servers = std::move(*mcp_servers);
    if (!m) return ok_status();
    manifest::SandboxIdentity who;
    who.name = cfg.sandbox_name;
    who.namespace_name = cfg.sandbox_namespace;
    for (const auto& [k, v] : cfg.sandbox_labels) who.labels[k] = v;
    auto picked = manifest::select_inference_policy(m->inference_policies, who, "chat");
    if (!picked.ok()) return picked.error();
    if (*picked != nullptr) {
        if ((*picked)->bundle_ref) {
            return make_error("unsupported_policy",
                              "InferencePolicy " + (*picked)->metadata.name +
                                  " is distributed as a signed bundle; kars-router needs the "
                                  "policy inline");
        }
        snap.inference_policy = (*picked)->policy;
        snap.policy_source = "InferencePolicy/" + (*picked)->metadata.name;
    }
    return ok_status();
}

}  // namespace

Result<std::shared_ptr<const Snapshot>> build_snapshot(const std::string& config_path) {
    auto cfg = config::load_router_config(config_path);
    if (!cfg.ok()) return cfg.error();
    auto snap = std::make_shared<Snapshot>();
    snap->config = std::move(*cfg);
    for (const auto& p : snap->config.providers) {
        ProviderEntry entry;
        entry.source = p;
        if (p.kind == "replay") {
            auto cassette = replay::Cassette::load_file(p.cassette);
            if (!cassette.ok()) return cassette.error();
            entry.cassette = std::make_shared<const replay::Cassette>(std::move(*cassette));
        } else {
            auto upstream = to_upstream(p);
            if (!upstream.ok()) return upstream.error();
            entry.upstream = std::move(*upstream);
        }
        snap->providers.emplace(p.name, std::move(entry));
    }
    auto st = load_policy(*snap);
    if (!st.ok()) return st.error();
    // Every credential the router holds for someone else: provider keys and the bearer
    // tokens of remote MCP servers.
    std::vector<std::string> secrets;
    for (const auto& p : snap->config.providers) secrets.push_back(p.api_key);
    for (const auto& plan : snap->mcp_servers) secrets.push_back(plan.bearer);
    snap->redactor = providers::SecretRedactor(std::move(secrets));
    const auto& rl = snap->config.rate_limit;
    if (rl.requests_per_second > 0) {
        snap->rate_limiter = std::make_shared<budget::RateLimiter>(budget::RateLimiterOptions{
            .requests_per_second = rl.requests_per_second, .burst = rl.burst});
    }
    auto egress_policy = build_egress_policy(snap->config);
    if (!egress_policy.ok()) return egress_policy.error();
    snap->egress_policy = std::move(*egress_policy);
    return std::shared_ptr<const Snapshot>(std::move(snap));
}

RouterState::RouterState(boost::asio::io_context& io, std::string config_path,
                         std::shared_ptr<const Snapshot> first,
                         std::shared_ptr<budget::BudgetLedger> ledger,
                         std::unique_ptr<audit::AuditLog> audit)
    : io_(io),
      config_path_(std::move(config_path)),
      sandbox_(first->config.sandbox_name),
      ledger_(std::move(ledger)),
      audit_(std::move(audit)),
      upstream_(
          std::make_unique<UpstreamClient>(io.get_executor(), first->config.upstream.ca_file)) {
    apply(first);
}

void RouterState::apply(const std::shared_ptr<const Snapshot>& snap) {
    if (snap->inference_policy && snap->inference_policy->token_budget) {
        ledger_->set_limits(sandbox_, *snap->inference_policy->token_budget);
    } else {
        ledger_->set_limits(sandbox_, policy::TokenBudget{});
    }
    governance_.replace(snap->governance.set);
    std::lock_guard lock(mu_);
    snapshot_ = snap;
}

GovernedDecision RouterState::decide(std::string_view action, const Attributes* attributes) {
    GovernedDecision out{evaluate(action, attributes), std::nullopt};
    auto& d = out.decision;
    if (d.verdict != governance::Verdict::kRequiresApproval) return out;
    auto snap = snapshot();
    if (!snap->approvals) {
        d.reason += "; no approvals directory is configured, so it cannot be approved";
        return out;
    }
    const std::string act(action);
    const auto now = approvals::Clock::now();
    auto used = snap->approvals->consume(act, now);
    if (!used.ok()) {
        spdlog::error("approvals: {}", used.error().message);
        d.reason += "; the approval store failed: " + used.error().message;
        return out;
    }
    if (*used) {
        d.verdict = governance::Verdict::kAllowed;
        d.reason = "approved by an operator (approval " + (*used)->id +
                   ((*used)->note.empty() ? std::string() : ": " + (*used)->note) + "); " +
                   d.reason;
        out.approval = std::move(**used);
        return out;
    }
    auto filed = snap->approvals->request(sandbox_, act, d.rule.rule, d.reason,
                                          snap->config.governance.approval_timeout, now);
    if (!filed.ok()) {
        spdlog::error("approvals: {}", filed.error().message);
        d.reason += "; the approval store failed: " + filed.error().message;
        return out;
    }
    d.reason += "; pending approval " + filed->id + " (kars approvals approve " + sandbox_ + " " +
                filed->id + ")";
    out.approval = std::move(*filed);
    return out;
}

governance::Decision RouterState::peek(std::string_view action) {
    auto snap = snapshot();
    governance::EvalContext ctx;
    ctx.sandbox = sandbox_;
    ctx.sandbox_labels = &snap->config.sandbox_labels;
    ctx.now = std::chrono::steady_clock::now();
    ctx.consume_limits = false;
    return governance_.evaluate(action, ctx);
}

governance::Decision RouterState::evaluate(std::string_view action, const Attributes* attributes) {
    auto snap = snapshot();
    governance::EvalContext ctx;
    ctx.sandbox = sandbox_;
    ctx.sandbox_labels = &snap->config.sandbox_labels;
    ctx.attributes = attributes;
    ctx.now = std::chrono::steady_clock::now();
    return governance_.evaluate(action, ctx);
}

std::shared_ptr<const Snapshot> RouterState::snapshot() const {
    std::lock_guard lock(mu_);
    return snapshot_;
}

Status RouterState::reload() {
    const std::lock_guard reload_lock(reload_mu_);
    auto next = build_snapshot(config_path_);
    if (!next.ok()) return next.error();
    auto old = snapshot();
    if (next.value()->config.sandbox_name != sandbox_) {
        return make_error("bad_config",
                          "sandbox.name cannot change on reload (was " + sandbox_ + ")");
    }
    // Keep the live limiter when its settings did not change.
    const auto& a = old->config.rate_limit;
    const auto& b = next.value()->config.rate_limit;
    if (a.requests_per_second == b.requests_per_second && a.burst == b.burst) {
        auto copy = std::make_shared<Snapshot>(*next.value());
        copy->rate_limiter = old->rate_limiter;
        apply(copy);
    } else {
        apply(next.value());
    }
    return ok_status();
}

Status RouterState::reload_egress() {
    const std::lock_guard reload_lock(reload_mu_);
    auto old = snapshot();
    auto policy = build_egress_policy(old->config);
    if (!policy.ok()) return policy.error();
    auto next = std::make_shared<Snapshot>(*old);
    next->egress_policy = std::move(*policy);
    std::lock_guard lock(mu_);
    snapshot_ = std::move(next);
    return ok_status();
}

bool RouterState::record(audit::Event event) {
    auto st = audit_->append(std::move(event), [this](Result<audit::Receipt> r) {
        if (!r.ok()) {
            audit_healthy_.store(false);
            metrics_.audit_failure();
            spdlog::error("audit write failed: {}", r.error().message);
        }
    });
    if (!st.ok()) {
        audit_healthy_.store(false);
        metrics_.audit_failure();
        spdlog::error("audit append refused: {}", st.error().message);
        return false;
    }
    return audit_healthy_.load();
}

void RouterState::start_budget_flusher(std::chrono::milliseconds interval) {
    flush_interval_ = interval;
    flush_timer_ = std::make_unique<boost::asio::steady_timer>(io_);
    schedule_flush();
}

void RouterState::schedule_flush() {
    flush_timer_->expires_after(flush_interval_);
    flush_timer_->async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        boost::asio::post(blocking_, [this] {
            auto st = ledger_->flush();
            if (!st.ok()) spdlog::error("budget state not saved: {}", st.error().message);
        });
        schedule_flush();
    });
}

void RouterState::flush_budgets() {
    if (flush_timer_) flush_timer_->cancel();
    blocking_.join();
    auto st = ledger_->flush();
    if (!st.ok()) spdlog::error("budget state not saved at shutdown: {}", st.error().message);
}

bool RouterState::ready() const {
    return audit_healthy_.load() && snapshot() != nullptr;
}

}  // namespace kars::router::server
