// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/dev_cmd.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "cli/dev_plan.h"
#include "cli/router_process.h"
#include "sandbox/launcher.h"

namespace kars::cli {
namespace {

namespace fs = std::filesystem;

constexpr int kExitFailed = 1;
constexpr auto kRouterStartTimeout = std::chrono::seconds(15);
constexpr auto kRouterStopGrace = std::chrono::seconds(10);

struct DevFlags {
    DevOptions options;
    bool dry_run = false;
};

[[noreturn]] void fail(const std::string& message) {
    std::cerr << "kars dev: " << message << "\n";
    throw CLI::RuntimeError(kExitFailed);
}

void require(const Status& st) {
    if (!st.ok()) fail(st.error().message);
}

Status write_file(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    out.close();
    if (!out) return make_error("io_error", "cannot write " + path.string());
    chmod(path.c_str(), 0600);
    return ok_status();
}

// The router reads its own snapshot of the manifest, so editing the file while the sandbox
// runs changes nothing until the next `kars dev`.
Status write_state_dir(const DevPlan& plan) {
    std::error_code ec;
    fs::create_directories(plan.state_dir, ec);
    if (ec || chmod(plan.state_dir.c_str(), 0700) != 0) {
        return make_error("io_error", "cannot create state dir " + plan.state_dir.string() +
                                          "; choose another with --state-dir");
    }
    fs::copy_file(plan.manifest, plan.state_dir / "manifest.yaml",
                  fs::copy_options::overwrite_existing, ec);
    if (ec) return make_error("io_error", "cannot copy the manifest: " + ec.message());
    // `kars egress approve` writes here; the router watches it (docs/egress.md).
    fs::create_directories(plan.state_dir / "egress-approvals", ec);
    if (ec) return make_error("io_error", "cannot create egress-approvals: " + ec.message());
    return write_file(plan.router_config, plan.router_config_text);
}

// Dry run: the same plan written into a throw-away directory, so the router validates exactly
// what it would be given, without touching the real state dir.
void dry_run(const DevFlags& flags, const DevPlan& plan) {
    // mkdtemp(3) replaces the six trailing 'X's.
    std::string tmpl = "/tmp/kars-dev-check-" + std::string(6, 'X');
    if (mkdtemp(tmpl.data()) == nullptr) fail(std::string("mkdtemp: ") + std::strerror(errno));
    DevOptions o = flags.options;
    o.state_dir = tmpl;
    auto scratch = make_dev_plan(o);
    Status st = scratch.ok() ? write_state_dir(*scratch) : Status(scratch.error());
    if (st.ok()) st = check_router_config(router_binary(), scratch->router_config);
    std::error_code ec;
    fs::remove_all(tmpl, ec);
    require(st);
    std::cout << "dry run: the plan is valid and the router accepts its configuration; "
                 "nothing was started ("
              << plan.spec.argv.front() << " would run)\n";
}

volatile std::sig_atomic_t g_supervisor = 0;

// ^C or SIGTERM to kars dev: end the sandbox; the normal path then stops the router and
// reports. kill(2) is async-signal-safe.
void forward_stop(int) {
    if (g_supervisor > 0) kill(static_cast<pid_t>(g_supervisor), SIGTERM);
}

void install_stop_handlers(pid_t supervisor) {
    g_supervisor = supervisor;
    struct sigaction sa {};
    sa.sa_handler = forward_stop;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);
}

int run_foreground(const DevPlan& plan) {
    const fs::path router = router_binary();
    require(write_state_dir(plan));
    require(check_router_config(router, plan.router_config));

    // launch() forks; anything buffered would be written twice.
    std::cout << std::flush;
    std::cerr << std::flush;
    auto launched = sandbox::launch(plan.spec);
    if (!launched.ok()) fail(launched.error().message);
    sandbox::Sandbox sandbox = std::move(*launched);
    install_stop_handlers(sandbox.supervisor_pid());

    // fds[0] is 127.0.0.1:8443 inside the sandbox (inference), fds[1] is :8444 (the egress
    // proxy, the agent's HTTPS_PROXY); the router serves both from outside.
    std::vector<int> fds = sandbox.release_listen_fds();
    RouterProcess router_process;
    const Status started =
        fds.empty()
            ? make_error("no_listener", "the sandbox returned no listening sockets")
            : router_process.start(router, plan.router_config, fds[0], fds.size() > 1 ? fds[1] : -1,
                                   plan.router_log, kRouterStartTimeout);
    for (int fd : fds) close(fd);  // the router holds its own copies
    if (!started.ok()) {
        (void)sandbox.terminate();
        (void)sandbox.wait();
        fail(started.error().message);
    }
    write_file(plan.state_dir / "router.pid", std::to_string(router_process.pid()) + "\n");
    write_file(plan.state_dir / "supervisor.pid", std::to_string(sandbox.supervisor_pid()) + "\n");
    std::cerr << "kars dev: sandbox " << plan.name << " running (supervisor pid "
              << sandbox.supervisor_pid() << ", router pid " << router_process.pid()
              << "); agent output follows\n";

    auto report = sandbox.wait();
    g_supervisor = 0;
    const int router_status = router_process.stop(kRouterStopGrace);
    std::error_code ec;
    fs::remove(plan.state_dir / "router.pid", ec);
    fs::remove(plan.state_dir / "supervisor.pid", ec);
    if (!report.ok()) fail("lost track of the sandbox: " + report.error().message);
    std::cerr << "kars dev: agent " << report->describe() << "; router stopped (status "
              << router_status << "); audit log " << plan.audit_log.string() << "\n";
    return report->signaled ? 128 + report->signal : report->exit_code;
}

void run(const DevFlags& flags) {
    auto plan = make_dev_plan(flags.options);
    if (!plan.ok()) fail(plan.error().message);
    std::cout << describe_plan(*plan);
    if (flags.dry_run) {
        dry_run(flags, *plan);
        return;
    }
    if (!plan->launch_blocker.empty()) fail(plan->launch_blocker);
    const int rc = run_foreground(*plan);
    if (rc != 0) throw CLI::RuntimeError(rc);
}

}  // namespace

void register_dev_command(CLI::App& app) {
    auto flags = std::make_shared<DevFlags>();
    CLI::App* dev = app.add_subcommand("dev", "run a sandbox in the foreground, router beside it");
    dev->add_option("-f,--file", flags->options.manifest, "manifest with one KarsSandbox")
        ->required()
        ->check(CLI::ExistingFile);
    dev->add_option("--name", flags->options.name,
                    "local name (state dir, hostname); picks the KarsSandbox when the "
                    "manifest holds several");
    dev->add_option("--replay", flags->options.replay,
                    "serve the model from this cassette instead of a stored credential")
        ->check(CLI::ExistingFile);
    dev->add_option("--state-dir", flags->options.state_dir,
                    "where router.yaml, audit.jsonl, budget.json and router.log go "
                    "(default ~/.kars/sandboxes/NAME)");
    dev->add_flag("--allow-degraded", flags->options.allow_degraded,
                  "run without user namespaces or Landlock when the kernel lacks them");
    dev->add_flag("--dry-run", flags->dry_run,
                  "validate the manifest and router configuration, print the plan, start "
                  "nothing");
    dev->callback([flags] { run(*flags); });
}

}  // namespace kars::cli
