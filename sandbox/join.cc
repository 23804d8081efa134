// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "sandbox/join.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <functional>
#include <optional>

#include "sandbox/caps.h"
#include "sandbox/contain.h"
#include "sandbox/fds.h"
#include "sandbox/kernel_features.h"
#include "sandbox/landlock.h"
#include "sandbox/seccomp_filter.h"
#include "sandbox/seccomp_profile.h"
#include "sandbox/sys_error.h"

namespace kars::sandbox {
namespace {

constexpr int kJoinedNamespaces = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |
                                  CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;

Error join_error(const std::string& message) {
    return make_error("join_failed", message);
}

// Everything the forked processes need, prepared while the caller can still allocate, read
// its own filesystem and report errors normally.
struct JoinPlan {
    const JoinSpec* spec = nullptr;
    int pidfd = -1;
    int namespaces = kJoinedNamespaces;
    std::vector<int> cgroup_procs;  // open cgroup.procs of each leaf
    std::optional<SeccompProfile> profile;
    SeccompContext seccomp_context;
    int landlock_abi = 0;
    int exec_report = -1;  // write end: failures before execve, closed by a successful one
    int status_report = -1;
};

// Lines on the exec channel: "<kind> <message>", kind one of error/notfound/noexec.
[[noreturn]] void fail(int channel, const char* kind, const std::string& step, const Error& e,
                       int exit_code = kJoinSetupFailedExit) {
    std::string line = std::string(kind) + " " + step + ": " + e.message;
    (void)!write(channel, line.data(), line.size());
    _exit(exit_code);
}

bool same_namespace(pid_t pid, const char* kind) {
    struct stat ours {};
    struct stat theirs {};
    const std::string path = "/proc/" + std::to_string(pid) + "/ns/" + kind;
    return stat((std::string("/proc/self/ns/") + kind).c_str(), &ours) == 0 &&
           stat(path.c_str(), &theirs) == 0 && ours.st_ino == theirs.st_ino &&
           ours.st_dev == theirs.st_dev;
}

// Written as "0" (the writer itself) through files opened before setns: inside the mount
// namespace the cgroup hierarchy is not mounted, and cgroup v2 checks migration against the
// namespace the file was opened in.
Status join_cgroups(const std::vector<int>& procs) {
    for (int fd : procs) {
        if (retry_eintr([&] { return write(fd, "0", 1); }) != 1) {
            return sys_error("write", "cgroup.procs");
        }
        close(fd);
    }
    return ok_status();
}

// A new session has no controlling terminal, so the command cannot reach the caller's
// terminal; with a pty the slave becomes the session's own terminal (tty_ioctl(4)).
Status take_session(bool controlling_tty) {
    if (setsid() < 0) {
        return sys_error("setsid", "");
    }
    if (controlling_tty && ioctl(0, TIOCSCTTY, 0) < 0) {
        return sys_error("ioctl", "TIOCSCTTY");
    }
    return ok_status();
}

// Dispositions set to ignore survive execve(2); the helper ignores terminal signals, the
// command must not.
void restore_signals() {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : {SIGINT, SIGQUIT, SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE}) {
        signal(sig, SIG_DFL);
    }
}

Status apply_filters(const JoinPlan& plan) {
    const JoinSpec& spec = *plan.spec;
    if (plan.landlock_abi != 0) {
        if (auto s = apply_landlock({plan.landlock_abi, spec.writable_paths}); !s) {
            return s;
        }
    }
    return load_sandbox_filters(plan.profile ? &*plan.profile : nullptr, plan.seccomp_context);
}

[[noreturn]] void run_command(JoinPlan plan) {
    const JoinSpec& spec = *plan.spec;
    restore_signals();
    int report = plan.exec_report;
    if (auto s = join_cgroups(plan.cgroup_procs); !s) {
        fail(report, "error", "cgroups", s.error());
    }
    if (auto s = arrange_fds(spec.stdin_fd, spec.stdout_fd, spec.stderr_fd, {&report}); !s) {
        fail(report, "error", "fds", s.error());
    }
    struct Step {
        const char* name;
        std::function<Status()> run;
    };
    const Step steps[] = {
        {"session", [&] { return take_session(spec.controlling_tty); }},
        {"rlimits", [&] { return apply_rlimits(spec.limits); }},
        {"caps", [&] { return drop_capabilities(spec.uid, spec.gid); }},
        // After the credential change, which clears it (prctl(2)): the command does not
        // outlive the helper that reports its status.
        {"parent_death",
         [] {
             return prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0
                        ? Status(sys_error("prctl", "PR_SET_PDEATHSIG"))
                        : ok_status();
         }},
        {"no_new_privs", [] { return set_no_new_privs(); }},
        {"filters", [&] { return apply_filters(plan); }},
        {"chdir",
         [&] {
             return chdir(spec.working_dir.c_str()) < 0
                        ? Status(sys_error("chdir", spec.working_dir))
                        : ok_status();
         }},
    };
    for (const auto& step : steps) {
        if (auto s = step.run(); !s) {
            fail(report, "error", step.name, s.error());
        }
    }
    auto argv = exec_array(spec.argv);
    auto envp = exec_array(spec.envp);
    const std::string path = find_executable(spec.argv[0], spec.envp);
    execve(path.c_str(), argv.data(), envp.data());
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
        fail(report, "notfound", "exec", sys_error("execve", path, err), kJoinNotFoundExit);
    }
    fail(report, "noexec", "exec", sys_error("execve", path, err), kJoinNotExecutableExit);
}

void write_line(int fd, const std::string& line) {
    (void)!write(fd, line.data(), line.size());
}

// The helper: enters the namespaces, forks the command into the PID namespace, and reports
// its pid and wait status. Terminal signals are the caller's to forward; the caller's death
// (SIGTERM through PR_SET_PDEATHSIG) kills the command.
[[noreturn]] void run_helper(JoinPlan plan) {
    sigset_t handled;
    sigemptyset(&handled);
    sigaddset(&handled, SIGCHLD);
    sigaddset(&handled, SIGTERM);
    sigprocmask(SIG_BLOCK, &handled, nullptr);
    for (int sig : {SIGINT, SIGQUIT, SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE}) {
        signal(sig, SIG_IGN);
    }
    if (setns(plan.pidfd, plan.namespaces) < 0) {
        fail(plan.exec_report, "error", "setns",
             sys_error("setns", "pidfd of " + std::to_string(plan.spec->init.pid)));
    }
    // After setns: entering a user namespace changes credentials, which clears the
    // parent-death signal (prctl(2)).
    prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
    close(plan.pidfd);
    pid_t command = fork();
    if (command < 0) {
        fail(plan.exec_report, "error", "fork", sys_error("fork", "command"));
    }
    if (command == 0) {
        close(plan.status_report);
        run_command(std::move(plan));
    }
    close(plan.exec_report);
    for (int fd : plan.cgroup_procs) {
        close(fd);
    }
    write_line(plan.status_report, "pid " + std::to_string(command) + "\n");
    for (;;) {
        siginfo_t info{};
        int sig = sigwaitinfo(&handled, &info);
        if (sig == SIGTERM) {
            kill(command, SIGKILL);
            continue;
        }
        int status = 0;
        if (sig == SIGCHLD && waitpid(command, &status, WNOHANG) == command) {
            write_line(plan.status_report, "exit " + std::to_string(status) + "\n");
            _exit(0);
        }
    }
}

std::string read_all(int fd) {
    std::string text;
    char buffer[512];
    for (;;) {
        ssize_t n = retry_eintr([&] { return read(fd, buffer, sizeof(buffer)); });
        if (n <= 0) {
            return text;
        }
        text.append(buffer, static_cast<size_t>(n));
    }
}

// Reads one '\n'-terminated line (the channel carries only short lines).
std::string read_line(int fd) {
    std::string line;
    char c = 0;
    while (retry_eintr([&] { return read(fd, &c, 1); }) == 1 && c != '\n') {
        line.push_back(c);
    }
    return line;
}

Error exec_channel_error(const std::string& text) {
    const auto space = text.find(' ');
    const std::string kind = text.substr(0, space);
    const std::string message = space == std::string::npos ? text : text.substr(space + 1);
    if (kind == "notfound") {
        return make_error("exec_not_found", message);
    }
    if (kind == "noexec") {
        return make_error("exec_not_executable", message);
    }
    return join_error(message);
}

Status prepare_security(const JoinSpec& spec, JoinPlan* plan) {
    static const KernelFeatures features = probe_kernel_features();
    std::vector<std::string> warnings;
    if (auto s = check_required_features(features, spec.allow_degraded, &warnings); !s) {
        return s;
    }
    for (const auto& w : warnings) {
        spdlog::warn("joining sandbox: {}", w);
    }
    plan->landlock_abi = features.landlock_abi;
    plan->seccomp_context = native_seccomp_context();
    if (!spec.seccomp_profile_path.empty()) {
        auto loaded = load_seccomp_profile(spec.seccomp_profile_path);
        if (!loaded) {
            return loaded.error();
        }
        plan->profile = std::move(*loaded);
    } else if (!spec.allow_degraded) {
        return join_error("no seccomp profile recorded for the sandbox");
    }
    return ok_status();
}

// Pins the sandbox's PID 1: the pidfd keeps naming that process even if the number is
// reused, so checking the start time after opening it closes the race.
Status pin_init(const JoinSpec& spec, JoinPlan* plan) {
    if (!process_is_running(spec.init)) {
        return join_error("the sandbox is not running (its PID 1, pid " +
                          std::to_string(spec.init.pid) + ", is gone)");
    }
    plan->pidfd = static_cast<int>(syscall(SYS_pidfd_open, spec.init.pid, 0));
    if (plan->pidfd < 0) {
        return sys_error("pidfd_open", std::to_string(spec.init.pid));
    }
    if (!process_is_running(spec.init)) {
        return join_error("the sandbox ended while joining it");
    }
    // Degraded sandboxes share our user namespace; setns(2) refuses to re-enter one's own.
    if (same_namespace(spec.init.pid, "user")) {
        plan->namespaces &= ~CLONE_NEWUSER;
    }
    return ok_status();
}

Status open_cgroups(const JoinSpec& spec, JoinPlan* plan) {
    for (const auto& dir : spec.cgroup_dirs) {
        const std::string procs = dir + "/cgroup.procs";
        int fd = open(procs.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
            return sys_error("open", procs);
        }
        plan->cgroup_procs.push_back(fd);
    }
    return ok_status();
}

void close_plan(JoinPlan* plan) {
    for (int* fd : {&plan->pidfd, &plan->exec_report, &plan->status_report}) {
        if (*fd >= 0) {
            close(*fd);
            *fd = -1;
        }
    }
    for (int fd : plan->cgroup_procs) {
        close(fd);
    }
    plan->cgroup_procs.clear();
}

}  // namespace

JoinedCommand::JoinedCommand(pid_t helper, pid_t command, int status_fd)
    : helper_(helper), command_(command), status_fd_(status_fd) {}

JoinedCommand::JoinedCommand(JoinedCommand&& other) noexcept
    : helper_(other.helper_), command_(other.command_), status_fd_(other.status_fd_) {
    other.helper_ = -1;
    other.status_fd_ = -1;
}

JoinedCommand::~JoinedCommand() {
    if (helper_ > 0) {
        kill(helper_, SIGTERM);  // the helper kills the command, then reports
        (void)wait();
    }
    if (status_fd_ >= 0) {
        close(status_fd_);
    }
}

Result<ExitReport> JoinedCommand::wait() {
    if (helper_ <= 0) {
        return join_error("command already waited for");
    }
    const std::string text = read_all(status_fd_);
    int helper_status = 0;
    retry_eintr([&] { return waitpid(helper_, &helper_status, 0); });
    helper_ = -1;
    const auto at = text.find("exit ");
    if (at == std::string::npos) {
        return join_error("the join helper died without a report");
    }
    return exit_report_from_status(std::atoi(text.c_str() + at + 5));
}

Result<JoinedCommand> join_sandbox(const JoinSpec& spec) {
    if (spec.argv.empty() || spec.argv[0].empty()) {
        return join_error("no command to run");
    }
    JoinPlan plan;
    plan.spec = &spec;
    Status prepared = prepare_security(spec, &plan);
    if (prepared) {
        prepared = pin_init(spec, &plan);
    }
    if (prepared) {
        prepared = open_cgroups(spec, &plan);
    }
    if (!prepared) {
        close_plan(&plan);
        return prepared.error();
    }
    int exec_pipe[2];
    int status_pipe[2];
    if (pipe2(exec_pipe, O_CLOEXEC) < 0) {
        close_plan(&plan);
        return sys_error("pipe2", "exec channel");
    }
    if (pipe2(status_pipe, O_CLOEXEC) < 0) {
        close(exec_pipe[0]);
        close(exec_pipe[1]);
        close_plan(&plan);
        return sys_error("pipe2", "status channel");
    }
    plan.exec_report = exec_pipe[1];
    plan.status_report = status_pipe[1];
    pid_t helper = fork();
    if (helper == 0) {
        close(exec_pipe[0]);
        close(status_pipe[0]);
        run_helper(std::move(plan));
    }
    const int fork_errno = errno;
    close_plan(&plan);
    if (helper < 0) {
        close(exec_pipe[0]);
        close(status_pipe[0]);
        return sys_error("fork", "join helper", fork_errno);
    }
    const std::string pid_line = read_line(status_pipe[0]);
    const std::string failure = read_all(exec_pipe[0]);
    close(exec_pipe[0]);
    pid_t command = pid_line.rfind("pid ", 0) == 0 ? std::atoi(pid_line.c_str() + 4) : -1;
    JoinedCommand joined(helper, command, status_pipe[0]);
    if (!failure.empty() || command <= 0) {
        (void)joined.wait();
        return failure.empty() ? join_error("the join helper died before starting the command")
                               : exec_channel_error(failure);
    }
    return joined;
}

}  // namespace kars::sandbox
