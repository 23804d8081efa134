// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/sandbox_session.h"

#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <thread>

#include "cli/router_process.h"

namespace kars::cli {
namespace {

namespace fs = std::filesystem;

constexpr auto kRouterStartTimeout = std::chrono::seconds(15);
constexpr auto kRouterStopGrace = std::chrono::seconds(10);
constexpr auto kCgroupRetryFor = std::chrono::milliseconds(2000);

volatile std::sig_atomic_t g_supervisor = 0;
volatile std::sig_atomic_t g_stop_requested = 0;

// A stop that arrives while the sandbox is still being launched is remembered and acted on
// as soon as there is a supervisor to tell. kill(2) is async-signal-safe.
void forward_stop(int) {
    g_stop_requested = 1;
    if (g_supervisor > 0) kill(static_cast<pid_t>(g_supervisor), SIGTERM);
}

void install_stop_handlers() {
    struct sigaction sa {};
    sa.sa_handler = forward_stop;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);
}

// A supervisor killed before its report leaves its cgroups behind (it removes them itself
// otherwise). The sandbox's processes are gone by then: its PID 1 dies with the supervisor.
void remove_orphaned_cgroups(const std::vector<std::string>& dirs) {
    for (const auto& dir : dirs) {
        const auto deadline = std::chrono::steady_clock::now() + kCgroupRetryFor;
        while (rmdir(dir.c_str()) != 0 && errno == EBUSY &&
               std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        (void)rmdir(fs::path(dir).parent_path().c_str());
    }
}

Status record_or_warn(const fs::path& run_dir, const RunRecord& record) {
    Status st = write_run_record(run_dir, record);
    if (!st.ok()) std::cerr << "kars dev: " << st.error().message << "\n";
    return st;
}

std::vector<std::string> router_addresses(const sandbox::SandboxSpec& spec) {
    std::vector<std::string> out;
    for (const auto& l : spec.listen_sockets) {
        out.push_back(l.address + ":" + std::to_string(l.port));
    }
    return out;
}

void fill_join_template(const sandbox::SandboxSpec& spec, JoinTemplate* join) {
    join->uid = spec.uid;
    join->gid = spec.gid;
    join->writable_paths.clear();
    for (const auto& w : spec.writable_paths) join->writable_paths.push_back(w.path);
    join->seccomp_profile = spec.seccomp_profile_path;
    join->allow_degraded = spec.allow_degraded;
    join->working_dir = spec.working_dir;
    join->open_files = spec.limits.open_files;
    join->env = sandbox::build_environment(spec);
}

}  // namespace

SandboxEnd end_from_report(const sandbox::ExitReport& report, bool stop_requested) {
    SandboxEnd end;
    end.ended_at = unix_now();
    if (report.signaled) {
        end.state = "killed";
        end.signal = report.signal;
    } else {
        end.state = report.supervisor_lost ? "failed" : "exited";
        end.exit_code = report.exit_code;
    }
    if (report.supervisor_lost) {
        end.detail = report.describe();
    } else if (stop_requested) {
        end.detail = "stopped on request (kars destroy, or a signal to kars dev)";
    }
    return end;
}

Result<sandbox::ExitReport> run_session(const DevPlan& plan, const fs::path& run_dir,
                                        RunRecord record, const SessionIo& io,
                                        const std::function<void(const RunRecord&)>& on_running) {
    sandbox::SandboxSpec spec = plan.spec;
    spec.stdin_fd = io.stdin_fd;
    spec.stdout_fd = io.stdout_fd;
    spec.stderr_fd = io.stderr_fd;
    spec.exit_record_path = supervisor_exit_path(run_dir).string();
    fill_join_template(spec, &record.join);
    record.router_addresses = router_addresses(spec);
    install_stop_handlers();

    // launch() forks; anything buffered would be written twice.
    std::cout << std::flush;
    std::cerr << std::flush;
    auto launched = sandbox::launch(spec);
    if (!launched.ok()) {
        record.end = SandboxEnd{"failed", 0, 0, launched.error().message, unix_now()};
        (void)record_or_warn(run_dir, record);
        return launched.error();
    }
    sandbox::Sandbox sandbox = std::move(*launched);
    g_supervisor = sandbox.supervisor_pid();
    if (g_stop_requested) (void)sandbox.terminate();

    record.supervisor = sandbox::read_process_identity(sandbox.supervisor_pid())
                            .value_or(sandbox::ProcessIdentity{sandbox.supervisor_pid(), 0});
    record.init = sandbox::read_process_identity(sandbox.location().init_pid)
                      .value_or(sandbox::ProcessIdentity{sandbox.location().init_pid, 0});
    record.cgroup_dirs = sandbox.location().cgroup_dirs;
    (void)record_or_warn(run_dir, record);

    // fds[0] is 127.0.0.1:8443 inside the sandbox (inference), fds[1] is :8444 (the egress
    // proxy, the agent's HTTPS_PROXY); the router serves both from outside.
    std::vector<int> fds = sandbox.release_listen_fds();
    RouterProcess router_process;
    const Status started =
        fds.empty() ? make_error("no_listener", "the sandbox returned no listening sockets")
                    : router_process.start(router_binary(), plan.router_config, fds[0],
                                           fds.size() > 1 ? fds[1] : -1, plan.router_log,
                                           kRouterStartTimeout);
    for (int fd : fds) close(fd);  // the router holds its own copies
    if (!started.ok()) {
        (void)sandbox.terminate();
        auto report = sandbox.wait();
        record.end = SandboxEnd{"failed", 0, 0, started.error().message, unix_now()};
        (void)record_or_warn(run_dir, record);
        return started.error();
    }
    record.router = sandbox::read_process_identity(router_process.pid())
                        .value_or(sandbox::ProcessIdentity{router_process.pid(), 0});
    (void)record_or_warn(run_dir, record);
    on_running(record);

    auto report = sandbox.wait();
    g_supervisor = 0;
    (void)router_process.stop(kRouterStopGrace);
    if (!report.ok()) {
        record.end = SandboxEnd{"failed", 0, 0, report.error().message, unix_now()};
        (void)record_or_warn(run_dir, record);
        return report.error();
    }
    if (report->supervisor_lost) remove_orphaned_cgroups(record.cgroup_dirs);
    record.end = end_from_report(*report, g_stop_requested != 0);
    (void)record_or_warn(run_dir, record);
    return *report;
}

}  // namespace kars::cli
