// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/teardown.h"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

namespace kars::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr auto kAfterKillWait = std::chrono::milliseconds(2000);
constexpr auto kCgroupRetryFor = std::chrono::milliseconds(2000);

// A process held by a pidfd (pidfd_open(2)): signals sent through it can never reach a
// process that reused the number, and it polls readable once the process has exited.
struct HeldProcess {
    int pidfd = -1;
    pid_t pid = -1;
};

std::vector<HeldProcess> hold_running(const RunRecord& record) {
    std::vector<HeldProcess> held;
    for (const auto* p : {&record.dev, &record.supervisor, &record.router, &record.init}) {
        if (!sandbox::process_is_running(*p)) continue;
        const int fd = static_cast<int>(syscall(SYS_pidfd_open, p->pid, 0));
        // Checked again with the pidfd open, so the fd is known to name the recorded process.
        if (fd < 0) continue;
        if (!sandbox::process_is_running(*p)) {
            close(fd);
            continue;
        }
        held.push_back({fd, p->pid});
    }
    return held;
}

void send(const HeldProcess& p, int sig) {
    (void)syscall(SYS_pidfd_send_signal, p.pidfd, sig, nullptr, 0);
}

// Waits until every held process has exited; true when all did before the deadline.
bool wait_all_exited(std::vector<HeldProcess>& held, Clock::time_point deadline) {
    for (;;) {
        std::vector<pollfd> fds;
        fds.reserve(held.size());
        for (const auto& p : held) fds.push_back({p.pidfd, POLLIN, 0});
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (fds.empty()) return true;
        if (left.count() <= 0) return false;
        const int n = poll(fds.data(), fds.size(), static_cast<int>(left.count()) + 1);
        if (n < 0 && errno != EINTR) return false;
        std::vector<HeldProcess> still;
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].revents != 0) {
                close(held[i].pidfd);
            } else {
                still.push_back(held[i]);
            }
        }
        held = std::move(still);
    }
}

// rmdir of a cgroup fails with EBUSY while it holds a task, including one still exiting.
// Whatever is left in a sandbox's own leaf belongs to the sandbox, so it is killed.
Status remove_cgroup(const std::string& dir) {
    const auto deadline = Clock::now() + kCgroupRetryFor;
    for (;;) {
        if (rmdir(dir.c_str()) == 0 || errno == ENOENT) return ok_status();
        if (errno != EBUSY) {
            return make_error("teardown", "rmdir(" + dir + "): " + std::strerror(errno));
        }
        if (Clock::now() > deadline) {
            return make_error("teardown", "rmdir(" + dir + "): still busy after killing its tasks");
        }
        std::ifstream procs(dir + "/cgroup.procs");
        for (pid_t pid = 0; procs >> pid;) kill(pid, SIGKILL);
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

void close_all(std::vector<HeldProcess>& held) {
    for (const auto& p : held) close(p.pidfd);
    held.clear();
}

}  // namespace

Result<TeardownReport> tear_down(const fs::path& dir, const RunRecord& record,
                                 std::chrono::milliseconds grace) {
    const auto start = Clock::now();
    TeardownReport report;
    std::vector<HeldProcess> held = hold_running(record);
    report.was_running = !held.empty();

    // All at once rather than top-down: kars dev and the supervisor each stop what is theirs
    // on SIGTERM, and signalling every level in parallel spares one round trip per level.
    // The sandbox's PID 1 gets SIGKILL from its supervisor; SIGTERM would only be ignored by
    // a namespace init (pid_namespaces(7)).
    for (const auto& p : held) {
        send(p, p.pid == record.init.pid ? SIGKILL : SIGTERM);
    }
    if (!wait_all_exited(held, start + grace)) {
        report.needed_sigkill = true;
        for (const auto& p : held) send(p, SIGKILL);
        if (!wait_all_exited(held, Clock::now() + kAfterKillWait)) {
            std::string pids;
            for (const auto& p : held) pids += " " + std::to_string(p.pid);
            close_all(held);
            return make_error("teardown", "processes survived SIGKILL:" + pids);
        }
    }
    close_all(held);

    for (const auto& cgroup : record.cgroup_dirs) {
        if (auto st = remove_cgroup(cgroup); !st.ok()) return st.error();
        // The shared kars/ parent goes when this was its last sandbox; ENOTEMPTY otherwise.
        (void)rmdir(fs::path(cgroup).parent_path().c_str());
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (ec) {
        return make_error("teardown", "cannot remove " + dir.string() + ": " + ec.message());
    }
    report.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    return report;
}

}  // namespace kars::cli
