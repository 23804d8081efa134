// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// kars-router as a child of `kars dev`: started with the sandbox's listening socket, its
// stderr (JSON logs) appended to a file, stopped with SIGTERM. It runs as the invoking user,
// a different host uid from the agent (which is 101000 on the host through the user
// namespace), so the agent cannot signal or ptrace it, nor read the keys it holds.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "core/result.h"

namespace kars::cli {

// The kars-router binary installed beside the running `kars`.
std::filesystem::path router_binary();

class RouterProcess {
public:
    RouterProcess() = default;
    RouterProcess(const RouterProcess&) = delete;
    RouterProcess& operator=(const RouterProcess&) = delete;
    ~RouterProcess();  // stops a router still running

    // Forks and execs `binary --config CONFIG --listen-fd 3` with `listen_fd` as fd 3, in its
    // own process group (a terminal ^C reaches kars dev, which stops things in order). Then
    // waits up to `timeout` for the router's "listening" line; an early exit is an error
    // quoting the last line of its log.
    // `listen_fd` becomes the router's fd 3 (inference), `egress_fd` (if >= 0) its fd 4
    // (egress proxy).
    Status start(const std::filesystem::path& binary, const std::filesystem::path& config,
                 int listen_fd, int egress_fd, const std::filesystem::path& log,
                 std::chrono::seconds timeout);

    pid_t pid() const { return pid_; }

    // SIGTERM, then SIGKILL after `grace`; returns the router's exit status (128+signal).
    int stop(std::chrono::seconds grace);

private:
    pid_t pid_ = -1;
    int stdout_fd_ = -1;
    std::filesystem::path log_;
};

// `binary --config CONFIG --check`; an error carries the router's message.
Status check_router_config(const std::filesystem::path& binary,
                           const std::filesystem::path& config);

// The last non-empty line of a text file, for error messages.
std::string last_line(const std::filesystem::path& file);

}  // namespace kars::cli
