// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Starting and stopping a local MCP server process. The child gets exactly the environment
// it is given (the router's own environment holds provider credentials and is never
// inherited), no file descriptor but its three pipes, its own process group so a launcher
// such as npx takes its children down with it, and a parent-death SIGKILL so it cannot
// outlive the router. (Grandchildren are only reached through the group, when the router
// stops them; a router killed outright leaves those to init.)

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/result.h"

namespace kars::router::mcp {

struct ChildProcess {
    pid_t pid = -1;
    int stdin_fd = -1;   // write end
    int stdout_fd = -1;  // read end
    int stderr_fd = -1;  // read end
};

// `argv[0]` is looked up on the PATH given in `env` (not the router's). `env` entries are
// "NAME=value". `cwd` empty keeps the router's working directory.
Result<ChildProcess> spawn_child(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& env, const std::string& cwd);

// Stops a child the way MCP asks clients to: its stdin is already closed by the caller;
// wait `grace` for it to leave, then SIGTERM its process group, wait `grace` again, then
// SIGKILL the group, and reap the child. The group is signalled even when the child itself
// exited, since a server that started helpers of its own may have left them running.
// stop_child_detached does this on a thread of its own, so no I/O thread waits on a slow
// child; stop_child_now waits, for the router's exit.
void stop_child_detached(pid_t pid, std::chrono::milliseconds grace);
void stop_child_now(pid_t pid, std::chrono::milliseconds grace);

}  // namespace kars::router::mcp
