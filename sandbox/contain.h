// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The sandbox side of a launch: the ordered isolation steps run by the first process of the
// new namespaces (PID 1 there), then the agent's exec. Internal to the launcher.

#include <string>
#include <vector>

#include "core/result.h"
#include "sandbox/sandbox_spec.h"
#include "sandbox/seccomp_profile.h"

namespace kars::sandbox {

struct ChildPlan {
    const SandboxSpec* spec = nullptr;
    const SeccompProfile* profile = nullptr;  // null only in degraded mode
    SeccompContext seccomp_context;
    int landlock_abi = 0;  // 0: degraded, no Landlock
    std::vector<std::string> envp;
};

struct ChildChannels {
    int control = -1;       // SEQPACKET to the caller: "sockets"+fds, "error <msg>"
    int go_read = -1;       // the supervisor writes one byte once maps and cgroup are set
    int status_write = -1;  // PID 1 writes the agent's wait status here
};

// The exit code of the sandbox's PID 1 when a setup step failed (the message went to the
// caller over the control channel).
inline constexpr int kSetupFailedExit = 125;

// The path execve should get for argv[0]: as is when it holds a '/', else the first match in
// the PATH of envp (default /usr/local/bin:/usr/bin:/bin); argv[0] itself when none matches.
std::string find_executable(const std::string& name, const std::vector<std::string>& envp);

// The NULL-terminated pointer array execve wants, pointing into `strings` (which must outlive
// it).
std::vector<char*> exec_array(const std::vector<std::string>& strings);

// Lowers RLIMIT_CORE to 0 and RLIMIT_NOFILE to limits.open_files (never raises a limit).
// Also used for commands joined to a running sandbox (join.h).
Status apply_rlimits(const ResourceLimits& limits);

// Never returns: runs every step, execs the agent in a child and stays as its reaper.
[[noreturn]] void run_sandbox_child(const ChildPlan& plan, ChildChannels channels);

}  // namespace kars::sandbox
