// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/dev_cmd.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "cli/credential_store.h"
#include "cli/dev_plan.h"
#include "cli/private_files.h"
#include "cli/router_process.h"
#include "cli/run_record.h"
#include "cli/sandbox_session.h"
#include "cli/teardown.h"
#include "sandbox/launcher.h"

namespace kars::cli {
namespace {

namespace fs = std::filesystem;

constexpr int kExitFailed = 1;

constexpr auto kReclaimGrace = std::chrono::milliseconds(2000);

struct DevFlags {
    DevOptions options;
    bool dry_run = false;
    bool detach = false;
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

// A name is one sandbox at a time. A record left by an ended sandbox is torn down first
// (that also clears what a crash may have left behind), so reusing a name just works.
Result<fs::path> claim_run_dir(const std::string& name) {
    auto dir = run_dir(name);
    if (!dir.ok()) return dir.error();
    std::error_code ec;
    if (fs::exists(*dir, ec)) {
        auto previous = read_run_record(*dir);
        if (previous.ok()) {
            const ObservedState seen = observe(*previous, *dir);
            if (!seen.ended()) {
                return make_error("name_in_use",
                                  "sandbox " + name + " is already " + seen.state +
                                      " (kars dev pid " + std::to_string(previous->dev.pid) +
                                      "); `kars destroy " + name + "` first, or pick --name");
            }
            auto cleared = tear_down(*dir, *previous, kReclaimGrace);
            if (!cleared.ok()) return cleared.error();
        } else {
            fs::remove_all(*dir, ec);
        }
    }
    auto home = kars_home();
    if (!home.ok()) return home.error();
    for (const fs::path& d : {*home, dir->parent_path(), *dir}) {
        if (auto st = make_private_dir(d); !st.ok()) return st.error();
    }
    return *dir;
}

RunRecord initial_record(const DevPlan& plan, const fs::path& dir, bool detached) {
    RunRecord r;
    r.name = plan.name;
    r.manifest = plan.manifest;
    r.state_dir = plan.state_dir;
    r.audit_log = plan.audit_log;
    r.router_log = plan.router_log;
    r.detached = detached;
    if (detached) {
        r.agent_log = dir / "agent.log";
        r.dev_log = dir / "dev.log";
    }
    r.created_at = unix_now();
    r.dev = sandbox::read_process_identity(getpid()).value_or(sandbox::ProcessIdentity{});
    return r;
}

int exit_code_of(const sandbox::ExitReport& report) {
    return report.signaled ? 128 + report.signal : report.exit_code;
}

int run_foreground(const DevPlan& plan, const fs::path& dir) {
    RunRecord record = initial_record(plan, dir, false);
    require(write_run_record(dir, record));
    auto report = run_session(plan, dir, record, SessionIo{0, 1, 2}, [&](const RunRecord& r) {
        std::cerr << "kars dev: sandbox " << plan.name << " running (supervisor pid "
                  << r.supervisor.pid << ", router pid " << r.router.pid
                  << "); agent output follows\n";
    });
    if (!report.ok()) fail(report.error().message);
    std::cerr << "kars dev: agent " << report->describe() << "; router stopped; audit log "
              << plan.audit_log.string() << "\n";
    return exit_code_of(*report);
}

int open_or_die(const fs::path& path, int flags) {
    const int fd = open(path.c_str(), flags | O_CLOEXEC, 0600);
    if (fd < 0) _exit(kExitFailed);
    return fd;
}

// The detached process: a new session with no terminal, its own messages in dev.log and the
// agent's output in agent.log. It tells the waiting `kars dev` "ok" or the error over
// `ready`, then stays as the owner of the sandbox and the router until the agent ends.
[[noreturn]] void run_detached_child(const DevPlan& plan, const fs::path& dir, int ready) {
    setsid();
    RunRecord record = initial_record(plan, dir, true);
    const int null_fd = open_or_die("/dev/null", O_RDONLY);
    const int dev_log = open_or_die(record.dev_log, O_WRONLY | O_CREAT | O_APPEND);
    const int agent_log = open_or_die(record.agent_log, O_WRONLY | O_CREAT | O_APPEND);
    dup2(null_fd, 0);
    dup2(dev_log, 1);
    dup2(dev_log, 2);
    // Closed once "ok" is sent; -1 then, so a later message cannot reach a reused fd number.
    auto tell = [&ready](const std::string& line) {
        if (ready < 0) return;
        std::string text = line;
        std::replace(text.begin(), text.end(), '\n', ' ');
        text += "\n";
        (void)!write(ready, text.data(), text.size());
        close(ready);
        ready = -1;
    };
    int code = kExitFailed;
    try {
        Status st = write_run_record(dir, record);
        auto report = st.ok()
                          ? run_session(plan, dir, record, SessionIo{null_fd, agent_log, agent_log},
                                        [&](const RunRecord&) { tell("ok"); })
                          : Result<sandbox::ExitReport>(st.error());
        if (report.ok()) {
            std::cerr << "kars dev: agent " << report->describe() << "\n";
            code = exit_code_of(*report);
        } else {
            tell("error " + report.error().message);
            std::cerr << "kars dev: " << report.error().message << "\n";
        }
    } catch (const std::exception& e) {
        tell(std::string("error ") + e.what());
    }
    std::cout << std::flush;
    std::cerr << std::flush;
    _exit(code);
}

int run_detached(const DevPlan& plan, const fs::path& dir) {
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) != 0) fail(std::string("pipe2: ") + std::strerror(errno));
    std::cout << std::flush;
    std::cerr << std::flush;
    const pid_t child = fork();
    if (child < 0) fail(std::string("fork: ") + std::strerror(errno));
    if (child == 0) {
        close(ready[0]);
        run_detached_child(plan, dir, ready[1]);
    }
    close(ready[1]);
    // One line, not EOF: the supervisor is a fork of the detached process and holds a copy
    // of the write end for as long as the sandbox runs.
    std::string answer;
    char c = 0;
    ssize_t n = 0;
    while ((n = read(ready[0], &c, 1)) == 1 || (n < 0 && errno == EINTR)) {
        if (n != 1) continue;
        if (c == '\n') break;
        answer.push_back(c);
    }
    close(ready[0]);
    if (answer != "ok") {
        fail(answer.rfind("error ", 0) == 0
                 ? answer.substr(6)
                 : "the detached kars dev died while starting; see " + (dir / "dev.log").string());
    }
    auto record = read_run_record(dir);
    std::cout << "sandbox " << plan.name << " running in the background (kars dev pid " << child;
    if (record.ok()) std::cout << ", supervisor pid " << record->supervisor.pid;
    std::cout << ")\n"
              << "  kars status " << plan.name << "     kars logs " << plan.name << " -f\n"
              << "  kars exec " << plan.name << " -- CMD   kars connect " << plan.name << "\n"
              << "  kars destroy " << plan.name << "\n";
    return 0;
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
    require(write_state_dir(*plan));
    require(check_router_config(router_binary(), plan->router_config));
    auto dir = claim_run_dir(plan->name);
    if (!dir.ok()) fail(dir.error().message);
    const int rc = flags.detach ? run_detached(*plan, *dir) : run_foreground(*plan, *dir);
    if (rc != 0) throw CLI::RuntimeError(rc);
}

}  // namespace

void register_dev_command(CLI::App& app) {
    auto flags = std::make_shared<DevFlags>();
    CLI::App* dev = app.add_subcommand("dev", "run a sandbox with its router beside it");
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
    dev->add_flag("-d,--detach", flags->detach,
                  "leave the sandbox running in the background and return once the agent "
                  "runs; its output goes to `kars logs NAME`");
    dev->add_flag("--dry-run", flags->dry_run,
                  "validate the manifest and router configuration, print the plan, start "
                  "nothing");
    dev->callback([flags] { run(*flags); });
}

}  // namespace kars::cli
