// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Joining a running sandbox (`kars exec`, `kars connect`): a command started this way gets
// what the agent got, in the same order, so it can do nothing the agent could not:
//   helper (a fork of the caller): pid-reuse check; open the sandbox's cgroup.procs files;
//     setns(pidfd) into its user, mount, PID, network, IPC, UTS and cgroup namespaces;
//   command (a fork of the helper, hence inside the PID namespace): join the cgroups; fds;
//     setsid (+ the pty as controlling terminal); rlimits; capabilities dropped and the
//     agent's uid/gid; no_new_privs; Landlock; seccomp profile; mandatory seccomp denials;
//     chdir; execve.
// The caller itself never enters the sandbox, so it keeps its own /proc and filesystem.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "sandbox/launcher.h"
#include "sandbox/process_identity.h"

namespace kars::sandbox {

struct JoinSpec {
    ProcessIdentity init;                  // the sandbox's PID 1 (Sandbox::location())
    std::vector<std::string> cgroup_dirs;  // its cgroup leaves; joined before anything runs
    std::vector<std::string> argv;         // argv[0] is a path or a name looked up in PATH
    std::vector<std::string> envp;         // the agent's environment (build_environment)
    uid_t uid = 1000;
    gid_t gid = 1000;
    std::vector<std::string> writable_paths;  // the Landlock rules, as at launch
    std::string seccomp_profile_path;         // empty only with allow_degraded
    bool allow_degraded = false;
    std::string working_dir = "/sandbox";
    ResourceLimits limits;
    int stdin_fd = 0;
    int stdout_fd = 1;
    int stderr_fd = 2;
    bool controlling_tty = false;  // stdin_fd is a pty slave to make the session's terminal
};

// Exit codes of a joined command that never ran, as shells use them.
inline constexpr int kJoinSetupFailedExit = 125;
inline constexpr int kJoinNotExecutableExit = 126;
inline constexpr int kJoinNotFoundExit = 127;

// A command running inside a sandbox. Move-only; wait() before destruction, or the helper
// is killed (which kills nothing inside: the command stays until the sandbox ends).
class JoinedCommand {
public:
    JoinedCommand(pid_t helper, pid_t command, int status_fd);
    JoinedCommand(JoinedCommand&& other) noexcept;
    JoinedCommand& operator=(JoinedCommand&&) = delete;
    JoinedCommand(const JoinedCommand&) = delete;
    JoinedCommand& operator=(const JoinedCommand&) = delete;
    ~JoinedCommand();

    // The command's pid as the host sees it, for forwarding signals.
    pid_t pid() const { return command_; }

    // Readable once the command has ended (for poll loops).
    int status_fd() const { return status_fd_; }

    // Blocks until the command ends.
    Result<ExitReport> wait();

private:
    pid_t helper_ = -1;
    pid_t command_ = -1;
    int status_fd_ = -1;
};

// Starts argv inside the sandbox; returns once it has been exec'd, or with the message of
// the step that failed (error code "join_failed"; "exec_not_found"/"exec_not_executable"
// when only the final execve failed).
Result<JoinedCommand> join_sandbox(const JoinSpec& spec);

}  // namespace kars::sandbox
