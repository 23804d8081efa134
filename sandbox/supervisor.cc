// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "sandbox/supervisor.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "sandbox/cgroups.h"
#include "sandbox/listen_sockets.h"
#include "sandbox/sys_error.h"
#include "sandbox/user_ns.h"

namespace kars::sandbox {
namespace {

void report_exit(int report, int wait_status) {
    std::string line = "exit " + std::to_string(wait_status);
    (void)!write(report, line.data(), line.size());
}

// The same line, in a file: the caller of launch() may be gone (SIGKILL) by the time the
// sandbox ends, and `kars status` still has to say how it ended. Written through a rename so
// a reader never sees half a line.
void record_exit(const std::string& path, int wait_status) {
    if (path.empty()) {
        return;
    }
    const std::string partial = path + ".partial";
    int fd = open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        return;
    }
    std::string line = "exit " + std::to_string(wait_status) + "\n";
    bool written = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    close(fd);
    if (written) {
        (void)rename(partial.c_str(), path.c_str());
    }
}

// Tells the caller where the sandbox lives, so tools that outlive this launch (`kars exec`,
// `kars destroy`) can find its namespaces and cgroups.
void announce_sandbox(int control, pid_t child, const CgroupPlan& cgroups) {
    (void)send_message(control, "init " + std::to_string(child), {});
    for (const auto& leaf : cgroups.leaf_dirs) {
        (void)send_message(control, "cgroup " + leaf, {});
    }
}

[[noreturn]] void give_up(SupervisorChannels channels, const CgroupPlan* cgroups,
                          const std::string& message) {
    (void)send_message(channels.control, "error supervisor: " + message, {});
    if (cgroups != nullptr) {
        (void)remove_cgroups(*cgroups);
    }
    report_exit(channels.report, kSetupFailedExit << 8);
    _exit(1);
}

// The caller asks for a stop with SIGTERM; its own death arrives as SIGTERM too
// (PR_SET_PDEATHSIG below). Blocking them and taking them with sigwaitinfo keeps all the
// supervisor's work in one ordinary loop, with no async handlers.
sigset_t supervisor_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) {
        sigaddset(&set, sig);
    }
    return set;
}

pid_t clone_sandbox(bool use_user_namespace) {
    // Raw clone(2) without a new stack behaves like fork(2) with namespace flags; the cgroup
    // namespace is unshared later, from inside the cgroup (contain.cc).
    unsigned long flags =
        CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | SIGCHLD;
    if (use_user_namespace) {
        flags |= CLONE_NEWUSER;
    }
    return static_cast<pid_t>(syscall(SYS_clone, flags, nullptr, nullptr, nullptr, nullptr));
}

int wait_for_sandbox(pid_t child, const sigset_t& signals) {
    int init_status = 0;
    for (;;) {
        siginfo_t info{};
        int sig = sigwaitinfo(&signals, &info);
        if (sig < 0) {
            continue;  // EINTR from a signal outside the set
        }
        if (sig != SIGCHLD) {
            kill(child, SIGKILL);  // PID 1 of the namespace: everything inside goes with it
            continue;
        }
        pid_t done = waitpid(child, &init_status, WNOHANG);
        if (done == child) {
            return init_status;
        }
    }
}

}  // namespace

void run_supervisor(const ChildPlan& plan, bool use_user_namespace, pid_t caller,
                    SupervisorChannels channels) {
    prctl(PR_SET_NAME, "kars-supervisor", 0, 0, 0);
    sigset_t signals = supervisor_signals();
    sigprocmask(SIG_BLOCK, &signals, nullptr);
    if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0 || getppid() != caller) {
        give_up(channels, nullptr, "the caller exited before the supervisor started");
    }

    auto cgroups = create_cgroups(plan.spec->name, plan.spec->limits);
    if (!cgroups) {
        give_up(channels, nullptr, cgroups.error().message);
    }
    if (!cgroups->warning.empty()) {
        (void)send_message(channels.control, "warn " + cgroups->warning, {});
    }

    int go[2];
    int status[2];
    if (pipe2(go, O_CLOEXEC) < 0 || pipe2(status, O_CLOEXEC) < 0) {
        give_up(channels, &*cgroups, sys_error("pipe2", "").message);
    }
    pid_t child = clone_sandbox(use_user_namespace);
    if (child < 0) {
        give_up(channels, &*cgroups, sys_error("clone", "sandbox namespaces").message);
    }
    if (child == 0) {
        sigprocmask(SIG_UNBLOCK, &signals, nullptr);
        close(go[1]);
        close(status[0]);
        close(channels.report);
        run_sandbox_child(plan, ChildChannels{channels.control, go[0], status[1]});
    }
    close(go[0]);
    close(status[1]);

    Status ready = use_user_namespace ? write_id_maps(child, *plan.spec) : ok_status();
    if (ready) {
        ready = attach_to_cgroups(*cgroups, child);
    }
    if (!ready) {
        kill(child, SIGKILL);
        waitpid(child, nullptr, 0);
        give_up(channels, &*cgroups, ready.error().message);
    }
    announce_sandbox(channels.control, child, *cgroups);
    (void)!write(go[1], "g", 1);
    close(go[1]);
    close(channels.control);

    int init_status = wait_for_sandbox(child, signals);
    int agent_status = 0;
    ssize_t n = read(status[0], &agent_status, sizeof(agent_status));
    (void)remove_cgroups(*cgroups);
    const int final_status = n == sizeof(agent_status) ? agent_status : init_status;
    record_exit(plan.spec->exit_record_path, final_status);
    report_exit(channels.report, final_status);
    _exit(0);
}

}  // namespace kars::sandbox
