// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// kars-router: the per-sandbox policy enforcement point. Start-up errors exit non-zero
// with one line naming what is wrong; after start-up the process only logs (JSON, stderr).

#include <cstdio>
#include <iostream>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include <boost/asio/steady_timer.hpp>
#include <csignal>

#include "router/server/egress_learn.h"
#include "router/server/egress_proxy.h"
#include "router/server/governance_routes.h"
#include "router/server/http_server.h"
#include "router/server/inference_routes.h"
#include "router/server/input_watch.h"
#include "router/server/logging.h"
#include "router/server/mcp_routes.h"
#include "router/server/ops_routes.h"
#include "router/server/router_state.h"

namespace {

namespace net = boost::asio;
using namespace kars::router::server;

ServerLimits limits_from(const kars::router::config::RouterConfig& cfg) {
    ServerLimits l;
    l.max_body_bytes = cfg.limits.max_body_bytes;
    l.max_header_bytes = cfg.limits.max_header_bytes;
    l.max_header_count = cfg.limits.max_header_count;
    l.header_timeout = cfg.limits.header_timeout;
    l.body_timeout = cfg.limits.body_timeout;
    return l;
}

int fail(const std::string& message) {
    std::fprintf(stderr, "kars-router: %s\n", message.c_str());
    return 2;
}

// SIGTERM: stop accepting, let in-flight requests finish for up to `drain`, then stop.
// SIGHUP: reload the config; a bad config is logged and the running one stays.
// Owned by main() so nothing it holds outlives the io_context (no self-referencing handler).
class SignalWatcher {
public:
    SignalWatcher(net::io_context& io, HttpServer& server, RouterState& state,
                  std::chrono::seconds drain, EgressProxy* egress)
        : io_(io),
          signals_(io, SIGTERM, SIGINT, SIGHUP),
          server_(server),
          state_(state),
          drain_(drain),
          egress_(egress) {
        arm();
    }

private:
    void arm() {
        signals_.async_wait([this](boost::system::error_code ec, int sig) { on_signal(ec, sig); });
    }

    void on_signal(boost::system::error_code ec, int sig) {
        if (ec) return;
        if (sig == SIGHUP) {
            auto st = state_.reload();
            if (st.ok()) {
                server_.set_limits(limits_from(state_.snapshot()->config));
                spdlog::info("configuration reloaded");
                if (egress_ != nullptr) {
                    announce_egress_mode(*state_.snapshot()->egress_policy, "after reload");
                }
            } else {
                spdlog::error("reload refused, previous configuration stays: {}",
                              st.error().message);
            }
            arm();
            return;
        }
        spdlog::info("signal {}: draining {} connections", sig, server_.active_connections());
        server_.stop_accepting();
        if (egress_ != nullptr) egress_->stop_accepting();
        net::co_spawn(io_, drain_then_stop(), net::detached);
    }

    net::awaitable<void> drain_then_stop() {
        net::steady_timer timer(io_);
        auto deadline = std::chrono::steady_clock::now() + drain_;
        while (server_.active_connections() > 0 && std::chrono::steady_clock::now() < deadline) {
            timer.expires_after(std::chrono::milliseconds(50));
            co_await timer.async_wait(net::use_awaitable);
        }
        io_.stop();
    }

    net::io_context& io_;
    net::signal_set signals_;
    HttpServer& server_;
    RouterState& state_;
    std::chrono::seconds drain_;
    EgressProxy* egress_;
};

// The egress proxy reads its policy and limits from the current snapshot for every new
// connection, so a SIGHUP reload applies to the next tunnel without a restart.
kars::Result<std::pair<std::unique_ptr<EgressProxy>, std::string>> start_egress(
    net::io_context& io, RouterState& state, const std::vector<std::uint16_t>& router_ports,
    int egress_fd, LearnRecorder& learner) {
    EgressHooks hooks;
    hooks.sandbox = state.sandbox();
    hooks.current = [&state] {
        auto snap = state.snapshot();
        return EgressView{snap->egress_policy, egress_limits_from(snap->config)};
    };
    hooks.record = [&state](kars::audit::Event e) { return state.record(std::move(e)); };
    hooks.metrics = &state.metrics();
    hooks.learned = [&state, &learner](const kars::egress::Decision& d) {
        learner.record(d, state.snapshot()->config.egress.learn_file);
    };
    auto proxy = std::make_unique<EgressProxy>(io, std::move(hooks));

    const auto& cfg = state.snapshot()->config;
    for (auto port : router_ports) proxy->protect_port(port);
    std::string where;
    if (egress_fd >= 0) {
        auto st = proxy->adopt_listener(egress_fd);
        if (!st.ok()) return st.error();
        where = "inherited fd " + std::to_string(egress_fd);
    } else {
        auto bound = proxy->listen(cfg.egress.listen_host, cfg.egress.listen_port);
        if (!bound.ok()) return bound.error();
        where = bound->address().to_string() + ":" + std::to_string(bound->port());
    }
    proxy->start();
    return std::make_pair(std::move(proxy), where);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"kars-router: per-sandbox policy enforcement point for agent traffic"};
    std::string config_path;
    bool check_only = false;
    std::string log_level = "info";
    int drain_seconds = 25;
    std::vector<int> listen_fds;
    int egress_listen_fd = -1;
    app.add_option("--config,-c", config_path, "router configuration (YAML)")->required();
    app.add_flag("--check", check_only, "validate the configuration and exit");
    app.add_option("--log-level", log_level, "trace|debug|info|warn|error");
    app.add_option("--drain-seconds", drain_seconds, "grace period for in-flight requests");
    app.add_option("--listen-fd", listen_fds,
                   "serve an inherited listening socket (the sandbox supervisor creates them "
                   "inside the sandbox's network namespace); replaces `listen`");
    app.add_option("--egress-listen-fd", egress_listen_fd,
                   "serve the egress proxy on an inherited listening socket (the sandbox's "
                   "8444); replaces `egress.listen`");
    CLI11_PARSE(app, argc, argv);

    init_json_logging("kars-router", log_level);
    // A write to a pipe whose reader is gone (an MCP server that closed its stdin or died)
    // must be an error on that write, not a signal that ends the router. Sockets already
    // send with MSG_NOSIGNAL; pipes have no such flag.
    std::signal(SIGPIPE, SIG_IGN);

    auto snapshot = build_snapshot(config_path);
    if (!snapshot.ok()) return fail(snapshot.error().message);
    const auto& cfg = snapshot.value()->config;
    if (check_only) {
        std::printf("configuration ok: sandbox %s, %zu providers, %zu model routes\n",
                    cfg.sandbox_name.c_str(), cfg.providers.size(), cfg.models.size());
        return 0;
    }

    auto opened = kars::router::budget::BudgetLedger::open({.state_file = cfg.budget_state});
    if (!opened.ok()) return fail(opened.error().message);
    // Declared before the io_context so it outlives it: a request still suspended when the
    // drain period ends is destroyed with the io_context (after RouterState), and its
    // budget reservation is released into this ledger as it goes.
    std::shared_ptr<kars::router::budget::BudgetLedger> ledger = std::move(*opened);

    kars::audit::LogOptions audit_options;
    audit_options.path = cfg.audit.path;
    audit_options.signing_key_path = cfg.audit.signing_key;
    audit_options.checkpoint_every = cfg.audit.checkpoint_every;
    audit_options.checkpoint_interval = cfg.audit.checkpoint_interval;
    auto audit = kars::audit::AuditLog::open(audit_options);
    if (!audit.ok()) return fail(audit.error().message);

    net::io_context io(static_cast<int>(cfg.threads));
    RouterState state(io, config_path, *snapshot, ledger, std::move(*audit));

    HttpServer server(io, limits_from(cfg));
    register_ops_routes(server, state);
    register_inference_routes(server, state);
    register_governance_routes(server, state);
    McpService mcp(state);
    mcp.register_routes(server);
    std::string where;
    std::vector<std::uint16_t> router_ports;
    if (listen_fds.empty()) {
        auto bound = server.listen(cfg.listen_host, cfg.listen_port);
        if (!bound.ok()) return fail(bound.error().message);
        where = bound->address().to_string() + ":" + std::to_string(bound->port());
        router_ports.push_back(bound->port());
    } else {
        for (int fd : listen_fds) {
            router_ports.push_back(bound_port_of(fd));
            auto st = server.adopt_listener(fd);
            if (!st.ok()) return fail(st.error().message);
        }
        where = "inherited fd " + std::to_string(listen_fds.front());
    }
    server.start();

    std::unique_ptr<EgressProxy> egress;
    std::string egress_where;
    LearnRecorder learner(state.sandbox());
    InputWatch egress_watch(
        io, state,
        {.what = "egress policy",
         .fingerprint = egress_inputs_fingerprint,
         .interval =
             [](const kars::router::config::RouterConfig& c) { return c.egress.watch_interval; },
         .reload = [&state] { return state.reload_egress(); },
         .reloaded =
             [&state] {
                 const auto& policy = *state.snapshot()->egress_policy;
                 spdlog::info(
                     "egress policy reloaded: an input file changed ({} allowlist entries, {} "
                     "blocklisted domains, {} approvals)",
                     policy.allowlist.entries().size(), policy.blocklist.size(),
                     policy.approvals.grants().size());
                 announce_egress_mode(policy, "after reload");
             }});
    // Profiles and the manifest (ToolPolicy, McpServer, InferencePolicy) reload the whole
    // configuration, as SIGHUP does; a bad file keeps the running policy.
    InputWatch policy_watch(
        io, state,
        {.what = "governance policy",
         .fingerprint = policy_inputs_fingerprint,
         .interval =
             [](const kars::router::config::RouterConfig& c) {
                 return c.governance.watch_interval;
             },
         .reload = [&state] { return state.reload(); },
         .reloaded =
             [] { spdlog::info("configuration reloaded: a profile or the manifest changed"); }});
    policy_watch.start();
    if (egress_listen_fd >= 0 || cfg.egress.listen_set) {
        auto started = start_egress(io, state, router_ports, egress_listen_fd, learner);
        if (!started.ok()) return fail(started.error().message);
        egress = std::move(started->first);
        egress_where = started->second;
        announce_egress_mode(*state.snapshot()->egress_policy, "at start");
        egress_watch.start();
    }
    SignalWatcher signal_watcher(io, server, state, std::chrono::seconds(drain_seconds),
                                 egress.get());
    state.start_budget_flusher(std::chrono::milliseconds(200));

    // The one line on stdout: where the router listens, so a supervisor or test that asked
    // for port 0 can find it.
    std::cout << "kars-router listening on " << where << std::endl;
    if (egress) std::cout << "kars-router egress proxy on " << egress_where << std::endl;
    spdlog::info("listening on {} for sandbox {}", where, cfg.sandbox_name);

    std::vector<std::thread> workers;
    for (unsigned i = 1; i < cfg.threads; ++i) workers.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : workers) t.join();
    mcp.shutdown();
    state.flush_budgets();
    state.audit().close();
    spdlog::info("stopped");
    return 0;
}
