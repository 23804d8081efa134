// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Everything a request handler needs, split by lifetime: the Snapshot is the reloadable
// configuration (swapped whole on SIGHUP, so a request sees one consistent version), the
// rest lives as long as the process (budgets, rate limits, audit log, metrics).

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "core/approvals/approval_store.h"
#include "core/audit/audit_log.h"
#include "core/egress/decision.h"
#include "core/governance/policy_engine.h"
#include "core/policy/inference_policy.h"
#include "router/budget/rate_limiter.h"
#include "router/budget/token_budget.h"
#include "router/config/governance_loader.h"
#include "router/config/mcp_loader.h"
#include "router/config/router_config.h"
#include "router/providers/provider_config.h"
#include "router/providers/secret_redactor.h"
#include "router/replay/cassette.h"
#include "router/server/metrics.h"
#include "router/server/upstream_client.h"

namespace kars::router::server {

struct ProviderEntry {
    config::ProviderConfig source;
    std::optional<providers::ProviderConfig> upstream;  // unset for replay
    std::shared_ptr<const replay::Cassette> cassette;   // set for replay
};

struct Snapshot {
    config::RouterConfig config;
    std::map<std::string, ProviderEntry> providers;
    std::optional<policy::InferencePolicy> inference_policy;
    std::string policy_source;  // which InferencePolicy applies, for audit reasons
    // Null when rate limiting is off. Kept across reloads while its settings are unchanged,
    // so a reload never hands an agent a fresh burst.
    std::shared_ptr<budget::RateLimiter> rate_limiter;
    // What the egress proxy enforces; rebuilt on every reload (blocklists, approvals, manifest).
    std::shared_ptr<const egress::EgressPolicy> egress_policy;
    // Governance profiles + ToolPolicies; installed into the long-lived engine on apply.
    config::GovernancePolicy governance;
    // Null when governance.approvals_dir is not set.
    std::shared_ptr<approvals::ApprovalStore> approvals;
    // The MCP servers the gateway fronts for this sandbox, credentials resolved.
    std::vector<config::McpServerPlan> mcp_servers;
    // Provider keys and MCP bearer tokens, to strip from whatever an upstream or an MCP
    // server sends back to the agent.
    providers::SecretRedactor redactor;
};

// A governance decision after approvals: a RequiresApproval action with an approved,
// unused approval is Allowed (and the approval used up); without one a request is filed.
struct GovernedDecision {
    governance::Decision decision;
    std::optional<approvals::Approval> approval;  // the one used, or the one filed
};

// Builds a snapshot from a config file: providers validated, cassettes and the sandbox
// manifest loaded. Any error leaves the caller's current snapshot in force.
Result<std::shared_ptr<const Snapshot>> build_snapshot(const std::string& config_path);

class RouterState {
public:
    RouterState(boost::asio::io_context& io, std::string config_path,
                std::shared_ptr<const Snapshot> first, std::shared_ptr<budget::BudgetLedger> ledger,
                std::unique_ptr<audit::AuditLog> audit);

    std::shared_ptr<const Snapshot> snapshot() const;
    // Re-reads the config file; on error the old snapshot stays and the error is returned.
    Status reload();
    // Rebuilds only the egress policy from the current config (blocklists, approvals,
    // manifest changed on disk); on error the old policy stays and the error is returned.
    Status reload_egress();

    const std::string& sandbox() const { return sandbox_; }
    budget::BudgetLedger& ledger() { return *ledger_; }
    audit::AuditLog& audit() { return *audit_; }
    Metrics& metrics() { return metrics_; }
    UpstreamClient& upstream() { return *upstream_; }
    boost::asio::io_context& io() { return io_; }
    // Blocking work (fsync of budget state) runs here, never on an I/O thread.
    boost::asio::thread_pool& blocking() { return blocking_; }

    // Records a decision in the audit log. Returns false if the log refused it; callers on
    // the request path then refuse the request (the audit trail is not optional).
    bool record(audit::Event event);

    bool ready() const;

    // Asks the governance engine about one action of this sandbox (rate-limit state is
    // kept across reloads). Does not audit: callers record the decision with their context.
    using Attributes = std::map<std::string, std::string, std::less<>>;
    governance::Decision evaluate(std::string_view action, const Attributes* attributes = nullptr);
    // evaluate() for "may this be used at all" (offered or listed tools): rate limits are
    // not charged.
    governance::Decision peek(std::string_view action);
    // evaluate() plus the approval store. The store is files under a lock; it is touched
    // only for actions a rule holds for approval.
    GovernedDecision decide(std::string_view action, const Attributes* attributes = nullptr);

    // Writes the budget ledger to disk every `interval` (when it changed), on the blocking
    // pool. Settles on the request path only touch memory; this bounds what a crash loses.
    void start_budget_flusher(std::chrono::milliseconds interval);
    // Final synchronous flush, at shutdown.
    void flush_budgets();

private:
    void apply(const std::shared_ptr<const Snapshot>& snap);

    boost::asio::io_context& io_;
    std::string config_path_;
    std::string sandbox_;  // fixed for the process: identity never changes on reload
    mutable std::mutex mu_;
    std::mutex reload_mu_;  // one reload at a time, so a SIGHUP and a file change never race
    std::shared_ptr<const Snapshot> snapshot_;
    // Shared so the caller can keep it alive past the io_context: a request still suspended
    // at exit is destroyed with the io_context, and its reservation releases into this.
    std::shared_ptr<budget::BudgetLedger> ledger_;
    std::unique_ptr<audit::AuditLog> audit_;
    Metrics metrics_;
    governance::PolicyEngine governance_;
    std::unique_ptr<UpstreamClient> upstream_;
    boost::asio::thread_pool blocking_{1};
    std::atomic<bool> audit_healthy_{true};
    std::unique_ptr<boost::asio::steady_timer> flush_timer_;
    std::chrono::milliseconds flush_interval_{200};
    void schedule_flush();
};

}  // namespace kars::router::server
