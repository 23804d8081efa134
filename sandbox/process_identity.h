// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// A process named by its pid and its start time. A pid alone is not an identity: once a
// process is reaped the kernel may hand its number to an unrelated one, and `kars destroy`
// must never signal that one. The start time (proc(5), /proc/PID/stat field 22, clock ticks
// since boot) does not repeat for a pid within one boot.

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace kars::sandbox {

struct ProcessIdentity {
    pid_t pid = -1;
    std::uint64_t start_time = 0;
};

// The identity of a live (or zombie) pid, from /proc/PID/stat; nullopt when it is gone.
std::optional<ProcessIdentity> read_process_identity(pid_t pid);

// True when the pid still names the same process and it has not exited (a zombie counts as
// gone: it runs nothing and holds no namespace).
bool process_is_running(const ProcessIdentity& identity);

}  // namespace kars::sandbox
