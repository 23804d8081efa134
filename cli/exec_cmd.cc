// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/exec_cmd.h"

#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "cli/pty_relay.h"
#include "cli/run_record.h"
#include "sandbox/join.h"

namespace kars::cli {
namespace {

namespace fs = std::filesystem;

constexpr int kExitFailed = 1;

struct ExecFlags {
    std::string name;
    std::vector<std::string> command;
    bool tty = false;
    std::string shell = "/bin/sh";
};

volatile std::sig_atomic_t g_command = 0;

// Without a pty the command is in its own session, out of reach of the terminal's ^C; the
// signals that would have ended `kars exec` are passed on instead.
void forward_signal(int sig) {
    if (g_command > 0) kill(static_cast<pid_t>(g_command), sig);
}

void install_forwarding(pid_t command) {
    g_command = command;
    struct sigaction sa {};
    sa.sa_handler = forward_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaction(sig, &sa, nullptr);
}

[[noreturn]] void fail(const std::string& verb, const std::string& message,
                       int code = kExitFailed) {
    std::cerr << "kars " << verb << ": " << message << "\n";
    throw CLI::RuntimeError(code);
}

sandbox::JoinSpec join_spec(const std::string& verb, const std::string& name) {
    auto dir = run_dir(name);
    if (!dir.ok()) fail(verb, dir.error().message);
    std::error_code ec;
    if (!fs::exists(record_path(*dir), ec)) {
        fail(verb, "no sandbox named " + name + " (`kars list` shows them)");
    }
    auto record = read_run_record(*dir);
    if (!record.ok()) fail(verb, record.error().message);
    const ObservedState seen = observe(*record, *dir);
    if (seen.state != "running") {
        fail(verb, "sandbox " + name + " is not running (" + seen.describe() + ")");
    }
    sandbox::JoinSpec spec;
    spec.init = record->init;
    spec.cgroup_dirs = record->cgroup_dirs;
    spec.envp = record->join.env;
    spec.uid = record->join.uid;
    spec.gid = record->join.gid;
    spec.writable_paths = record->join.writable_paths;
    spec.seccomp_profile_path = record->join.seccomp_profile;
    spec.allow_degraded = record->join.allow_degraded;
    spec.working_dir = record->join.working_dir;
    spec.limits.open_files = record->join.open_files;
    return spec;
}

int exit_code_of(const sandbox::ExitReport& report) {
    return report.signaled ? 128 + report.signal : report.exit_code;
}

int start_failure_code(const Error& e) {
    if (e.code == "exec_not_found") return sandbox::kJoinNotFoundExit;
    if (e.code == "exec_not_executable") return sandbox::kJoinNotExecutableExit;
    return sandbox::kJoinSetupFailedExit;
}

int run_plain(const std::string& verb, const sandbox::JoinSpec& spec) {
    std::cout << std::flush;
    auto joined = sandbox::join_sandbox(spec);
    if (!joined.ok()) fail(verb, joined.error().message, start_failure_code(joined.error()));
    install_forwarding(joined->pid());
    auto report = joined->wait();
    g_command = 0;
    if (!report.ok()) fail(verb, report.error().message);
    return exit_code_of(*report);
}

int run_on_pty(const std::string& verb, sandbox::JoinSpec spec) {
    auto pty = open_pty(0);
    if (!pty.ok()) fail(verb, pty.error().message);
    // A shell needs to know what the terminal understands; TERM says nothing secret.
    if (const char* term = std::getenv("TERM")) spec.envp.push_back(std::string("TERM=") + term);
    spec.stdin_fd = spec.stdout_fd = spec.stderr_fd = pty->slave;
    spec.controlling_tty = true;
    std::cout << std::flush;
    auto joined = sandbox::join_sandbox(spec);
    close(pty->slave);
    if (!joined.ok()) {
        close(pty->master);
        fail(verb, joined.error().message, start_failure_code(joined.error()));
    }
    Result<sandbox::ExitReport> report = make_error("pty", "not run");
    {
        RawTerminal raw(0);
        relay_pty(pty->master, joined->status_fd());
        report = joined->wait();
    }
    close(pty->master);
    if (!report.ok()) fail(verb, report.error().message);
    return exit_code_of(*report);
}

void run_exec(const ExecFlags& f) {
    sandbox::JoinSpec spec = join_spec("exec", f.name);
    spec.argv = f.command;
    const int rc = f.tty ? run_on_pty("exec", spec) : run_plain("exec", spec);
    if (rc != 0) throw CLI::RuntimeError(rc);
}

void run_connect(const ExecFlags& f) {
    sandbox::JoinSpec spec = join_spec("connect", f.name);
    spec.argv = {f.shell};
    const int rc = isatty(0) ? run_on_pty("connect", spec) : run_plain("connect", spec);
    if (rc != 0) throw CLI::RuntimeError(rc);
}

}  // namespace

void register_exec_commands(CLI::App& app) {
    auto exec_flags = std::make_shared<ExecFlags>();
    CLI::App* ex = app.add_subcommand("exec", "run one command inside a running sandbox");
    ex->add_option("name", exec_flags->name, "sandbox name")->required();
    ex->add_option("command", exec_flags->command, "the command, after --")->required();
    ex->add_flag("-t,--tty", exec_flags->tty, "give the command a terminal (a new pty)");
    ex->callback([exec_flags] { run_exec(*exec_flags); });

    auto connect_flags = std::make_shared<ExecFlags>();
    CLI::App* co = app.add_subcommand("connect", "interactive shell inside a running sandbox");
    co->add_option("name", connect_flags->name, "sandbox name")->required();
    co->add_option("--shell", connect_flags->shell, "shell to start (default /bin/sh)");
    co->callback([connect_flags] { run_connect(*connect_flags); });
}

}  // namespace kars::cli
