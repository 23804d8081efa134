// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/egress_cmd.h"

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "cli/credential_store.h"
#include "cli/egress_approve.h"
#include "cli/egress_records.h"
#include "core/egress/decision.h"
#include "router/config/router_config.h"
#include "router/server/egress_policy_loader.h"

namespace kars::cli {
namespace {

namespace fs = std::filesystem;
using router::config::RouterConfig;
constexpr int kExitFailed = 1;

[[noreturn]] void fail(const std::string& message) {
    std::cerr << "kars egress: " << printable(message) << "\n";
    throw CLI::RuntimeError(kExitFailed);
}

// Flags every verb takes to find NAME's files.
struct Where {
    std::string name;
    std::string state_dir;
    std::string config;
    std::string audit;

    void add_to(CLI::App* cmd) {
        cmd->add_option("name", name, "sandbox name (as given to kars dev)")->required();
        add_flags(cmd);
    }

    void add_flags(CLI::App* cmd) {
        cmd->add_option("--state-dir", state_dir,
                        "state directory (default ~/.kars/sandboxes/NAME)");
        cmd->add_option("--config", config, "router config (default STATE_DIR/router.yaml)");
        cmd->add_option("--audit", audit, "audit log (default: the router config's audit.path)");
    }

    fs::path state() const {
        auto dir = sandbox_state_dir(name, state_dir);
        if (!dir.ok()) fail(dir.error().message);
        return *dir;
    }

    fs::path config_path() const {
        return config.empty() ? state() / "router.yaml" : fs::path(config);
    }

    RouterConfig load_config() const {
        const auto path = config_path();
        std::error_code ec;
        if (!fs::exists(path, ec)) {
            fail(
                fmt::format("no router config at {} (start the sandbox with `kars dev`, or pass "
                            "--config FILE / --state-dir DIR)",
                            path.string()));
        }
        auto cfg = router::config::load_router_config(path.string());
        if (!cfg.ok()) fail(path.string() + ": " + cfg.error().message);
        return std::move(*cfg);
    }

    // The config when the audit log's location depends on it; none when --audit says.
    std::optional<RouterConfig> maybe_config() const {
        if (!audit.empty() && config.empty()) return std::nullopt;
        return load_config();
    }

    fs::path audit_path(const std::optional<RouterConfig>& cfg) const {
        if (!audit.empty()) return audit;
        return cfg && !cfg->audit.path.empty() ? fs::path(cfg->audit.path)
                                               : state() / "audit.jsonl";
    }

    // The identity the router records: the KarsSandbox name, which `kars dev --name` may
    // have given another local name.
    std::string sandbox(const std::optional<RouterConfig>& cfg) const {
        return cfg && !cfg->sandbox_name.empty() ? cfg->sandbox_name : name;
    }
};

std::string remaining(egress::Clock::time_point expires, egress::Clock::time_point now) {
    auto minutes = std::chrono::duration_cast<std::chrono::minutes>(expires - now).count();
    if (minutes >= 120) return fmt::format("{}h{}m left", minutes / 60, minutes % 60);
    return fmt::format("{}m left", minutes);
}

void show(const Where& where) {
    const auto cfg = where.load_config();
    auto policy = router::server::build_egress_policy(cfg);
    if (!policy.ok()) fail("the router would refuse this egress policy: " + policy.error().message);
    const auto& p = **policy;
    const auto now = egress::Clock::now();

    std::cout << fmt::format("sandbox {}: egress {} mode ({})\n", printable(cfg.sandbox_name),
                             p.mode == egress::EgressMode::kLearn ? "LEARN" : "enforce",
                             printable(p.mode_origin));
    if (p.mode == egress::EgressMode::kLearn) {
        std::cout << "  WARNING: learn mode allows every host that is not blocklisted; see "
                     "`kars egress learned "
                  << printable(where.name) << "`\n";
    }
    std::cout << fmt::format("allowlist ({} entries):\n", p.allowlist.entries().size());
    for (const auto& e : p.allowlist.entries()) {
        std::cout << fmt::format("  {:<40} {}\n", printable(e.display()), printable(e.origin));
    }
    std::cout << fmt::format("approvals ({}, from {}):\n", p.approvals.grants().size(),
                             cfg.egress.approvals_dir.empty() ? std::string("none configured")
                                                              : cfg.egress.approvals_dir);
    for (const auto& g : p.approvals.grants()) {
        const bool expired = now >= g.expires_at;
        for (const auto& e : g.entries) {
            std::cout << fmt::format("  {:<40} {}  {} {}{}\n", printable(e.display()),
                                     printable(g.name), expired ? "EXPIRED" : "expires",
                                     egress::format_utc(g.expires_at),
                                     expired ? "" : " (" + remaining(g.expires_at, now) + ")");
        }
    }
    std::cout << fmt::format("blocklists ({} domains):", p.blocklist.size());
    if (cfg.egress.blocklists.empty()) std::cout << " none";
    std::cout << "\n";
    for (const auto& bl : cfg.egress.blocklists) {
        std::cout << fmt::format("  {} ({})\n", printable(bl.path), bl.format);
    }
}

struct ApproveArgs {
    std::string target;
    std::string ttl = "1h";
    std::string reason;
    std::string ticket;
    std::string approval_name;
};

void approve(const Where& where, const ApproveArgs& a) {
    auto cfg = where.load_config();
    if (cfg.egress.approvals_dir.empty()) {
        fail(where.config_path().string() +
             " sets no egress.approvals_dir; the router would not see an approval");
    }
    auto ttl = parse_ttl(a.ttl);
    if (!ttl.ok()) fail(ttl.error().message);
    ApprovalRequest base;
    base.sandbox = cfg.sandbox_name;
    base.namespace_name = cfg.sandbox_namespace;
    base.ttl = *ttl;
    base.reason = a.reason;
    base.ticket = a.ticket;
    base.name = a.approval_name;
    auto request = parse_approval_target(a.target, base);
    if (!request.ok()) fail(request.error().message);
    const auto now = egress::Clock::now();
    auto written = write_approval(cfg.egress.approvals_dir, *request, now);
    if (!written.ok()) fail(written.error().message);

    // The policy the router will build from this directory, and what it now says.
    auto policy = router::server::build_egress_policy(cfg);
    if (!policy.ok()) {
        fail("wrote " + written->string() +
             ", but the router refuses the approvals directory: " + policy.error().message);
    }
    auto decision = egress::decide(**policy, request->host, request->port, now);
    std::cout << fmt::format("wrote {}\n{}: {}\n", printable(written->string()),
                             decision.allowed() ? "now allowed" : "still denied",
                             printable(decision.reason));
    const auto watch = cfg.egress.watch_interval.count();
    if (watch > 0) {
        std::cout << fmt::format("a running router picks it up within {} ms\n", watch);
    } else {
        std::cout << "egress.watch_interval_ms is 0: send the router SIGHUP to pick it up\n";
    }
}

void denied(const Where& where, std::size_t limit) {
    const auto cfg = where.maybe_config();
    const auto path = where.audit_path(cfg);
    auto denials = read_egress_denials(path, where.sandbox(cfg), limit);
    if (!denials.ok()) fail(denials.error().message);
    if (denials->empty()) {
        std::cout << fmt::format("no egress denials for {} in {}\n", printable(where.sandbox(cfg)),
                                 printable(path.string()));
        return;
    }
    for (const auto& d : *denials) {
        std::cout << fmt::format("{}  seq {}  {}  {}: {}\n", printable(d.ts), d.seq,
                                 printable(d.target), printable(d.policy_kind),
                                 printable(d.reason));
    }
}

void learned(const Where& where, const std::string& learn_file) {
    const auto cfg = where.maybe_config();
    fs::path file = learn_file;
    if (file.empty() && cfg) file = cfg->egress.learn_file;
    if (file.empty() && where.audit.empty()) file = where.state() / "egress-learned.json";
    std::error_code ec;
    Result<LearnedRecord> record = make_error("none", "no learn record");
    if (!file.empty() && fs::exists(file, ec)) {
        record = read_learn_file(file);
    } else {
        // No learn file (a router without egress.learn_file): the audit log has every allow.
        record = learned_from_audit(where.audit_path(cfg), where.sandbox(cfg));
    }
    if (!record.ok()) fail(record.error().message);
    std::cout << allowed_endpoints_yaml(*record, where.sandbox(cfg));
}

}  // namespace

void register_egress_commands(CLI::App& app) {
    CLI::App* group = app.add_subcommand(
        "egress", "a sandbox's egress policy: show, approve, denied, learned (docs/egress.md)");
    // `kars egress NAME` is `kars egress show NAME`.
    auto bare = std::make_shared<Where>();
    group->add_option("name", bare->name, "sandbox name: show its egress policy");
    bare->add_flags(group);
    group->require_subcommand(0, 1);
    group->callback([group, bare] {
        if (!group->get_subcommands().empty()) return;
        if (bare->name.empty()) throw CLI::CallForHelp();
        show(*bare);
    });

    auto show_where = std::make_shared<Where>();
    CLI::App* show_cmd =
        group->add_subcommand("show", "effective allowlist, approvals with expiry, blocklists");
    show_where->add_to(show_cmd);
    show_cmd->callback([show_where] { show(*show_where); });

    auto approve_where = std::make_shared<Where>();
    auto args = std::make_shared<ApproveArgs>();
    CLI::App* approve_cmd = group->add_subcommand(
        "approve", "grant HOST[:PORT] (default port 443) for a limited time (EgressApproval)");
    approve_where->add_to(approve_cmd);
    approve_cmd->add_option("target", args->target, "HOST[:PORT]")->required();
    approve_cmd->add_option("--ttl", args->ttl, "lifetime: 90s, 15m, 1h, 2d, PT1H (max 7d)")
        ->capture_default_str();
    approve_cmd->add_option("--reason", args->reason, "why (audited)")->required();
    approve_cmd->add_option("--ticket", args->ticket, "ticket or incident reference");
    approve_cmd->add_option("--name", args->approval_name, "metadata.name of the approval");
    approve_cmd->callback([approve_where, args] { approve(*approve_where, *args); });

    auto denied_where = std::make_shared<Where>();
    auto limit = std::make_shared<std::size_t>(20);
    CLI::App* denied_cmd = group->add_subcommand("denied", "recent egress denials (audit log)");
    denied_where->add_to(denied_cmd);
    denied_cmd->add_option("--limit", *limit, "how many, newest last")->capture_default_str();
    denied_cmd->callback([denied_where, limit] { denied(*denied_where, *limit); });

    auto learned_where = std::make_shared<Where>();
    auto learn_file = std::make_shared<std::string>();
    CLI::App* learned_cmd = group->add_subcommand(
        "learned", "learn mode's record as a spec.networkPolicy.allowedEndpoints snippet");
    learned_where->add_to(learned_cmd);
    learned_cmd->add_option("--learned", *learn_file,
                            "learn file (default: the router config's egress.learn_file)");
    learned_cmd->callback([learned_where, learn_file] { learned(*learned_where, *learn_file); });
}

}  // namespace kars::cli
