// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The sandbox launcher: `launch(spec)` starts an agent in a hardened local sandbox without a
// container engine and returns once the agent has been exec'd (or with the first failing
// step's message). The isolation steps, in order:
//   supervisor (supervisor.cc): cgroup; clone(NEWUSER|NEWPID|NEWNS|NEWIPC|NEWUTS|NEWNET);
//     uid/gid maps; move into the cgroup;
//   sandbox PID 1 (contain.cc): death signal; fds; cgroup ns; hostname; loopback up; listen
//     sockets to the caller; mounts and pivot_root; rlimits; setsid; capabilities;
//     no_new_privs; Landlock; seccomp profile; mandatory seccomp denials; exec the agent.
// Call it from a process that can fork safely (before starting threads, or from a thread
// that holds no library locks); the supervisor is a fork of the caller.

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/result.h"
#include "sandbox/sandbox_spec.h"

namespace kars::sandbox {

// How the agent ended. When the supervisor itself died before reporting (it was killed),
// supervisor_lost is set and signaled/exit_code describe the supervisor's own end instead.
struct ExitReport {
    bool signaled = false;
    int exit_code = 0;  // when !signaled
    int signal = 0;     // when signaled
    bool supervisor_lost = false;
    std::string describe() const;
};

// Where a running sandbox lives on the host, for tools that join or tear it down later.
struct SandboxLocation {
    pid_t init_pid = -1;                   // the sandbox's PID 1, as the host sees it
    std::vector<std::string> cgroup_dirs;  // its cgroup leaves; empty without cgroups
};

// Decodes a wait status as the supervisor reports it.
ExitReport exit_report_from_status(int wait_status);

// A running sandbox. Move-only; destroying a handle that was not waited for terminates the
// sandbox and waits for its teardown.
class Sandbox {
public:
    Sandbox(pid_t supervisor, int report_fd, std::vector<int> listen_fds,
            std::vector<std::string> warnings, SandboxLocation location);
    Sandbox(Sandbox&& other) noexcept;
    Sandbox& operator=(Sandbox&& other) noexcept;
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;
    ~Sandbox();

    pid_t supervisor_pid() const { return supervisor_; }
    const SandboxLocation& location() const { return location_; }

    // Listening sockets created in the sandbox's network namespace, in spec order. The
    // handle owns them until release_listen_fds().
    const std::vector<int>& listen_fds() const { return listen_fds_; }
    std::vector<int> release_listen_fds();

    // Degraded-mode and cgroup warnings, also logged at launch.
    const std::vector<std::string>& warnings() const { return warnings_; }

    // Blocks until the agent has exited and the sandbox is torn down (no process, cgroup
    // removed). A supervisor that died without a report (killed) yields supervisor_lost;
    // its cgroups may then remain for the caller to remove.
    Result<ExitReport> wait();

    // Asks the supervisor to kill the sandbox (SIGKILL to its PID 1); wait() still reports.
    Status terminate();

private:
    void close_all();

    pid_t supervisor_ = -1;
    int report_fd_ = -1;
    std::vector<int> listen_fds_;
    std::vector<std::string> warnings_;
    SandboxLocation location_;
    bool waited_ = false;
};

// Validates the spec, probes the kernel (refusing without user namespaces or Landlock unless
// spec.allow_degraded), loads the seccomp profile and starts the sandbox.
Result<Sandbox> launch(const SandboxSpec& spec);

// Checks a spec without touching the kernel: name, argv, ids, paths.
Status validate_spec(const SandboxSpec& spec);

}  // namespace kars::sandbox
