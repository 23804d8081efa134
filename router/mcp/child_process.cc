// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/mcp/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace kars::router::mcp {

namespace {

Error sys_error(const std::string& what) {
    return make_error("mcp_spawn", what + ": " + std::strerror(errno));
}

struct Pipe {
    int read = -1;
    int write = -1;
    ~Pipe() {
        if (read >= 0) ::close(read);
        if (write >= 0) ::close(write);
    }
};

bool make_pipe(Pipe& p) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    p.read = fds[0];
    p.write = fds[1];
    return true;
}

std::string path_of(const std::vector<std::string>& env) {
    for (const auto& e : env) {
        if (e.rfind("PATH=", 0) == 0) return e.substr(5);
    }
    return "/usr/local/bin:/usr/bin:/bin";
}

// Everything the child needs is prepared before fork: after it, only async-signal-safe
// calls are allowed (the router is multi-threaded).
struct ExecPlan {
    std::vector<std::string> candidates;  // absolute paths to try, in PATH order
    std::vector<char*> argv;
    std::vector<char*> envp;
};

ExecPlan plan(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
    ExecPlan p;
    const std::string& file = argv.front();
    if (file.find('/') != std::string::npos) {
        p.candidates.push_back(file);
    } else {
        std::string path = path_of(env);
        std::size_t start = 0;
        while (start <= path.size()) {
            auto end = path.find(':', start);
            if (end == std::string::npos) end = path.size();
            std::string_view dir(path.data() + start, end - start);
            if (dir.empty()) dir = ".";  // an empty PATH entry means the working directory
            std::string candidate;
            candidate.reserve(dir.size() + 1 + file.size());
            candidate.append(dir).append(1, '/').append(file);
            p.candidates.push_back(std::move(candidate));
            start = end + 1;
        }
    }
    for (const auto& a : argv) p.argv.push_back(const_cast<char*>(a.c_str()));
    p.argv.push_back(nullptr);
    for (const auto& e : env) p.envp.push_back(const_cast<char*>(e.c_str()));
    p.envp.push_back(nullptr);
    return p;
}

[[noreturn]] void child_fail(int report_fd, int err) {
    // The parent reads this errno from the CLOEXEC pipe; a successful exec closes it empty.
    (void)!::write(report_fd, &err, sizeof err);
    ::_exit(127);
}

[[noreturn]] void run_child(const ExecPlan& p, const std::string& cwd, int in, int out, int err,
                            int report_fd, pid_t parent) {
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) child_fail(report_fd, errno);
    if (::getppid() != parent) ::_exit(127);  // the router died before prctl took effect
    if (::setpgid(0, 0) != 0) child_fail(report_fd, errno);
    if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) {
        child_fail(report_fd, errno);
    }
    // Descriptors 3 and up are CLOEXEC already when the router opened them itself, but
    // libraries may not have been careful; close_range makes it certain (report_fd is
    // CLOEXEC and must survive until exec, so it is kept).
    if (report_fd > 3) ::syscall(SYS_close_range, 3U, static_cast<unsigned>(report_fd - 1), 0U);
    ::syscall(SYS_close_range, static_cast<unsigned>(report_fd + 1), ~0U, 0U);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) child_fail(report_fd, errno);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    int last = ENOENT;
    for (const auto& candidate : p.candidates) {
        ::execve(candidate.c_str(), p.argv.data(), p.envp.data());
        if (errno != ENOENT && errno != ENOTDIR) last = errno;
    }
    child_fail(report_fd, last);
}

}  // namespace

Result<ChildProcess> spawn_child(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& env, const std::string& cwd) {
    if (argv.empty() || argv.front().empty()) {
        return make_error("mcp_spawn", "no command to run");
    }
    Pipe in, out, err, report;
    if (!make_pipe(in) || !make_pipe(out) || !make_pipe(err) || !make_pipe(report)) {
        return sys_error("pipe2");
    }
    ExecPlan p = plan(argv, env);
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) return sys_error("fork");
    if (pid == 0) run_child(p, cwd, in.read, out.write, err.write, report.write, parent);

    ::close(report.write);
    report.write = -1;
    int child_errno = 0;
    ssize_t n;
    do {
        n = ::read(report.read, &child_errno, sizeof child_errno);
    } while (n < 0 && errno == EINTR);
    if (n == static_cast<ssize_t>(sizeof child_errno)) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        return make_error("mcp_spawn",
                          "cannot start '" + argv.front() + "': " + std::strerror(child_errno));
    }
    ChildProcess c;
    c.pid = pid;
    c.stdin_fd = in.write;
    c.stdout_fd = out.read;
    c.stderr_fd = err.read;
    in.write = out.read = err.read = -1;
    return c;
}

void stop_child_now(pid_t pid, std::chrono::milliseconds grace) {
    if (pid <= 0) return;
    bool reaped = false;
    auto reap = [&] {
        if (reaped) return;
        int status = 0;
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        reaped = r == pid || (r < 0 && errno == ECHILD);
    };
    // A process group id cannot be reused while any process is in the group, so signalling
    // -pid reaches only what the server started, even after the server itself was reaped.
    auto group_gone = [&] { return ::kill(-pid, 0) != 0 && errno == ESRCH; };
    auto settled_within = [&](std::chrono::milliseconds limit) {
        auto deadline = std::chrono::steady_clock::now() + limit;
        for (;;) {
            reap();
            if (reaped && group_gone()) return true;
            if (std::chrono::steady_clock::now() >= deadline) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    };
    if (!settled_within(grace)) {
        ::kill(-pid, SIGTERM);
        if (!settled_within(grace)) {
            ::kill(-pid, SIGKILL);
            settled_within(grace);
        }
    }
    if (!reaped) {
        int status = 0;
        ::waitpid(pid, &status, 0);
    }
}

void stop_child_detached(pid_t pid, std::chrono::milliseconds grace) {
    if (pid <= 0) return;
    std::thread([pid, grace] { stop_child_now(pid, grace); }).detach();
}

}  // namespace kars::router::mcp
