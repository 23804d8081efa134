// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "sandbox/launcher.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <cstring>
#include <optional>

#include "sandbox/contain.h"
#include "sandbox/kernel_features.h"
#include "sandbox/listen_sockets.h"
#include "sandbox/seccomp_profile.h"
#include "sandbox/supervisor.h"
#include "sandbox/sys_error.h"

namespace kars::sandbox {
namespace {

constexpr size_t kMaxNameLength = 63;

Error launch_error(const std::string& message) {
    return make_error("sandbox_launch_failed", message);
}

void close_fds(std::vector<int>& fds) {
    for (int fd : fds) {
        close(fd);
    }
    fds.clear();
}

// Reads the control channel until it closes: that happens when the agent's execve
// succeeded (the channel is O_CLOEXEC) and PID 1 closed its copy, or when the sandbox died.
Result<std::vector<int>> await_agent_start(int control, std::vector<std::string>* warnings,
                                           SandboxLocation* location) {
    std::vector<int> fds;
    std::optional<std::string> error;
    for (;;) {
        auto message = receive_message(control);
        if (!message) {
            close_fds(fds);
            return message.error();
        }
        if (message->tag.empty() && message->fds.empty()) {
            break;  // EOF
        }
        if (message->tag == "sockets") {
            fds = std::move(message->fds);
        } else if (message->tag.rfind("init ", 0) == 0) {
            location->init_pid = static_cast<pid_t>(std::atoi(message->tag.c_str() + 5));
        } else if (message->tag.rfind("cgroup ", 0) == 0) {
            location->cgroup_dirs.push_back(message->tag.substr(7));
        } else if (message->tag.rfind("warn ", 0) == 0) {
            warnings->push_back(message->tag.substr(5));
        } else if (message->tag.rfind("error ", 0) == 0 && !error) {
            error = message->tag.substr(6);
        }
    }
    if (error) {
        close_fds(fds);
        return launch_error(*error);
    }
    return fds;
}

}  // namespace

ExitReport exit_report_from_status(int wait_status) {
    ExitReport report;
    if (WIFSIGNALED(wait_status)) {
        report.signaled = true;
        report.signal = WTERMSIG(wait_status);
    } else {
        report.exit_code = WEXITSTATUS(wait_status);
    }
    return report;
}

std::string ExitReport::describe() const {
    if (supervisor_lost) {
        return signaled ? std::string("lost: the supervisor was killed by signal ") +
                              std::to_string(signal) + " (" + strsignal(signal) + ")"
                        : "lost: the supervisor exited with code " + std::to_string(exit_code) +
                              " without a report";
    }
    if (signaled) {
        return std::string("killed by signal ") + std::to_string(signal) + " (" +
               strsignal(signal) + ")";
    }
    return "exited with code " + std::to_string(exit_code);
}

Status validate_spec(const SandboxSpec& spec) {
    if (spec.name.empty() || spec.name.size() > kMaxNameLength) {
        return launch_error("sandbox name must be 1..63 characters");
    }
    for (char c : spec.name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        if (!ok) {
            return launch_error("sandbox name may only hold [a-z0-9-]: " + spec.name);
        }
    }
    if (spec.argv.empty() || spec.argv[0].empty()) {
        return launch_error("sandbox command is empty");
    }
    if (spec.uid == 0 || spec.gid == 0) {
        return launch_error("the agent must not run as uid/gid 0 inside the sandbox");
    }
    if (spec.uid >= spec.id_count || spec.gid >= spec.id_count) {
        return launch_error("the agent's uid/gid lies outside the mapped id range");
    }
    if (spec.host_id_base == 0) {
        return launch_error("host_id_base 0 would map root inside to root outside");
    }
    for (const auto& w : spec.writable_paths) {
        if (w.path.size() < 2 || w.path.front() != '/' || w.path.find("..") != std::string::npos) {
            return launch_error("writable path must be absolute and not /: " + w.path);
        }
    }
    for (const auto& e : spec.env) {
        if (e.first.empty() || e.first.find('=') != std::string::npos) {
            return launch_error("bad environment variable name: " + e.first);
        }
    }
    return ok_status();
}

Result<Sandbox> launch(const SandboxSpec& spec) {
    if (auto s = validate_spec(spec); !s) {
        return s.error();
    }
    std::vector<std::string> warnings;
    // The kernel's answer does not change while we run; probing forks, so do it once.
    static const KernelFeatures features = probe_kernel_features();
    if (auto s = check_required_features(features, spec.allow_degraded, &warnings); !s) {
        return s.error();
    }

    std::optional<SeccompProfile> profile;
    if (!spec.seccomp_profile_path.empty()) {
        auto loaded = load_seccomp_profile(spec.seccomp_profile_path);
        if (!loaded) {
            return loaded.error();
        }
        profile = std::move(*loaded);
    } else if (spec.allow_degraded) {
        warnings.push_back(
            "DEGRADED SANDBOX: no seccomp profile; only the kars mandatory"
            " denials apply");
    } else {
        return launch_error("no seccomp profile given (seccomp_profile_path)");
    }

    ChildPlan plan;
    plan.spec = &spec;
    plan.profile = profile ? &*profile : nullptr;
    plan.seccomp_context = native_seccomp_context();
    plan.landlock_abi = features.landlock_abi;
    plan.envp = build_environment(spec);

    int control[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, control) < 0) {
        return sys_error("socketpair", "control channel");
    }
    int report[2];
    if (pipe2(report, O_CLOEXEC) < 0) {
        int err = errno;
        close(control[0]);
        close(control[1]);
        return sys_error("pipe2", "report channel", err);
    }
    pid_t caller = getpid();
    pid_t supervisor = fork();
    if (supervisor < 0) {
        int err = errno;
        for (int fd : {control[0], control[1], report[0], report[1]}) {
            close(fd);
        }
        return sys_error("fork", "supervisor", err);
    }
    if (supervisor == 0) {
        close(control[0]);
        close(report[0]);
        run_supervisor(plan, features.user_namespaces, caller,
                       SupervisorChannels{control[1], report[1]});
    }
    close(control[1]);
    close(report[1]);

    SandboxLocation location;
    auto fds = await_agent_start(control[0], &warnings, &location);
    close(control[0]);
    for (const auto& w : warnings) {
        spdlog::warn("sandbox {}: {}", spec.name, w);
    }
    Sandbox sandbox(supervisor, report[0], fds ? std::move(*fds) : std::vector<int>{}, warnings,
                    std::move(location));
    if (!fds) {
        (void)sandbox.wait();  // reap the supervisor; the cgroup is already gone
        return fds.error();
    }
    return sandbox;
}

Sandbox::Sandbox(pid_t supervisor, int report_fd, std::vector<int> listen_fds,
                 std::vector<std::string> warnings, SandboxLocation location)
    : supervisor_(supervisor),
      report_fd_(report_fd),
      listen_fds_(std::move(listen_fds)),
      warnings_(std::move(warnings)),
      location_(std::move(location)) {}

Sandbox::Sandbox(Sandbox&& other) noexcept
    : supervisor_(other.supervisor_),
      report_fd_(other.report_fd_),
      listen_fds_(std::move(other.listen_fds_)),
      warnings_(std::move(other.warnings_)),
      location_(std::move(other.location_)),
      waited_(other.waited_) {
    other.supervisor_ = -1;
    other.report_fd_ = -1;
    other.listen_fds_.clear();
}

Sandbox& Sandbox::operator=(Sandbox&& other) noexcept {
    if (this != &other) {
        if (supervisor_ > 0 && !waited_) {
            (void)terminate();
            (void)wait();
        }
        close_all();
        supervisor_ = other.supervisor_;
        report_fd_ = other.report_fd_;
        listen_fds_ = std::move(other.listen_fds_);
        warnings_ = std::move(other.warnings_);
        location_ = std::move(other.location_);
        waited_ = other.waited_;
        other.supervisor_ = -1;
        other.report_fd_ = -1;
        other.listen_fds_.clear();
    }
    return *this;
}

Sandbox::~Sandbox() {
    if (supervisor_ > 0 && !waited_) {
        (void)terminate();
        (void)wait();
    }
    close_all();
}

void Sandbox::close_all() {
    close_fds(listen_fds_);
    if (report_fd_ >= 0) {
        close(report_fd_);
        report_fd_ = -1;
    }
}

std::vector<int> Sandbox::release_listen_fds() {
    std::vector<int> out = std::move(listen_fds_);
    listen_fds_.clear();
    return out;
}

Status Sandbox::terminate() {
    if (supervisor_ <= 0 || waited_) {
        return ok_status();
    }
    if (kill(supervisor_, SIGTERM) < 0 && errno != ESRCH) {
        return sys_error("kill", "supervisor " + std::to_string(supervisor_));
    }
    return ok_status();
}

Result<ExitReport> Sandbox::wait() {
    if (supervisor_ <= 0 || waited_) {
        return launch_error("sandbox already waited for");
    }
    std::string text;
    char buffer[64];
    for (;;) {
        ssize_t n = retry_eintr([&] { return read(report_fd_, buffer, sizeof(buffer)); });
        if (n <= 0) {
            break;
        }
        text.append(buffer, static_cast<size_t>(n));
    }
    int supervisor_status = 0;
    retry_eintr([&] { return waitpid(supervisor_, &supervisor_status, 0); });
    waited_ = true;
    if (text.rfind("exit ", 0) != 0) {
        // Killed before it could report: the sandbox died with it (PR_SET_PDEATHSIG in
        // contain.cc), but nobody removed the cgroups.
        ExitReport lost = exit_report_from_status(supervisor_status);
        lost.supervisor_lost = true;
        return lost;
    }
    return exit_report_from_status(std::atoi(text.c_str() + 5));
}

}  // namespace kars::sandbox
