// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/router_process.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>
#include <vector>

namespace kars::cli {
namespace {

namespace fs = std::filesystem;

int exit_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 1;
}

// Runs in the forked child only: async-signal-safe calls, then exec or _exit.
[[noreturn]] void exec_child(const std::vector<std::string>& args, int out_fd, int err_fd,
                             int listen_fd, int egress_fd) {
    setpgid(0, 0);
    // If kars dev dies without stopping it, the router goes too (it would serve nobody).
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) {
        _exit(127);
    }
    // Move both sockets above the target numbers first, so placing one at 3 can never
    // overwrite the other.
    const int high_listen = listen_fd >= 0 ? fcntl(listen_fd, F_DUPFD, 100) : -1;
    const int high_egress = egress_fd >= 0 ? fcntl(egress_fd, F_DUPFD, 100) : -1;
    if ((listen_fd >= 0 && (high_listen < 0 || dup2(high_listen, 3) < 0)) ||
        (egress_fd >= 0 && (high_egress < 0 || dup2(high_egress, 4) < 0))) {
        _exit(127);
    }
    // Nothing else of kars dev's (sandbox control channel, pipes) leaks into the router.
    const unsigned first_closed = egress_fd >= 0 ? 5U : listen_fd >= 0 ? 4U : 3U;
    syscall(SYS_close_range, first_closed, ~0U, 0U);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
}

}  // namespace

fs::path router_binary() {
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path("kars-router") : self.parent_path() / "kars-router";
}

std::string last_line(const fs::path& file) {
    std::ifstream in(file);
    std::string line;
    std::string last;
    while (std::getline(in, line)) {
        if (!line.empty()) last = line;
    }
    return last;
}

RouterProcess::~RouterProcess() {
    if (pid_ > 0) stop(std::chrono::seconds(5));
}

Status RouterProcess::start(const fs::path& binary, const fs::path& config, int listen_fd,
                            int egress_fd, const fs::path& log, std::chrono::seconds timeout) {
    log_ = log;
    const int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log_fd < 0) {
        return make_error("io_error", "cannot open " + log.string() + ": " + std::strerror(errno));
    }
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
        close(log_fd);
        return make_error("io_error", std::string("pipe2: ") + std::strerror(errno));
    }
    std::vector<std::string> args = {
        binary.string(), "--config", config.string(), "--listen-fd", "3", "--log-level", "info"};
    if (egress_fd >= 0) {
        args.push_back("--egress-listen-fd");
        args.push_back("4");
    }
    pid_ = fork();
    if (pid_ == 0) exec_child(args, out[1], log_fd, listen_fd, egress_fd);
    const int fork_errno = errno;
    close(out[1]);
    close(log_fd);
    if (pid_ < 0) {
        close(out[0]);
        return make_error("fork_failed", std::string("fork: ") + std::strerror(fork_errno));
    }
    stdout_fd_ = out[0];

    std::string seen;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (seen.find('\n') == std::string::npos) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            stop(std::chrono::seconds(1));
            return make_error("router_timeout", "kars-router did not start within " +
                                                    std::to_string(timeout.count()) + "s; see " +
                                                    log.string());
        }
        pollfd p{stdout_fd_, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char buf[256];
        const ssize_t n = read(stdout_fd_, buf, sizeof buf);
        if (n > 0) {
            seen.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
        return make_error("router_failed", "kars-router exited at start-up: " + last_line(log));
    }
    if (seen.find("listening on") == std::string::npos) {
        stop(std::chrono::seconds(1));
        return make_error("router_failed", "kars-router printed an unexpected first line: " + seen);
    }
    return ok_status();
}

int RouterProcess::stop(std::chrono::seconds grace) {
    if (pid_ <= 0) return 0;
    // A pidfd turns readable the moment the router exits; polling waitpid with a sleep
    // would add up to one sleep period to every teardown (`kars destroy` is timed).
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
    kill(pid_, SIGTERM);
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + grace;
    pid_t done = 0;
    while ((done = waitpid(pid_, &status, WNOHANG)) == 0 &&
           std::chrono::steady_clock::now() < deadline) {
        if (pidfd < 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            continue;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{pidfd, POLLIN, 0};
        poll(&p, 1, static_cast<int>(left.count()) + 1);
    }
    if (pidfd >= 0) close(pidfd);
    if (done == 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    if (stdout_fd_ >= 0) close(stdout_fd_);
    stdout_fd_ = -1;
    return exit_status(status);
}

Status check_router_config(const fs::path& binary, const fs::path& config) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
        return make_error("io_error", std::string("pipe2: ") + std::strerror(errno));
    }
    const pid_t pid = fork();
    if (pid == 0) {
        exec_child(
            {binary.string(), "--config", config.string(), "--check", "--log-level", "error"},
            out[1], out[1], -1, -1);
    }
    close(out[1]);
    std::string text;
    char buf[512];
    ssize_t n = 0;
    while ((n = read(out[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
        if (n > 0) text.append(buf, static_cast<std::size_t>(n));
    }
    close(out[0]);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0) {
        return make_error("fork_failed", "cannot run " + binary.string());
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return ok_status();
    while (!text.empty() && text.back() == '\n') text.pop_back();
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        return make_error("router_missing", "cannot execute " + binary.string() +
                                                "; build it (ninja kars-router) beside kars");
    }
    return make_error("router_config", "router configuration refused: " + text);
}

}  // namespace kars::cli
