// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "sandbox/fds.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "sandbox/sys_error.h"

namespace kars::sandbox {
namespace {

// A target fd may itself be one of the sources; duplicating every source above all of them
// first (F_DUPFD_CLOEXEC with a high floor) makes the later dup2 calls order-independent.
constexpr int kScratchFloor = 1000;

}  // namespace

Status arrange_fds(int stdin_fd, int stdout_fd, int stderr_fd, std::vector<int*> keep) {
    int stdio[3] = {stdin_fd, stdout_fd, stderr_fd};
    int scratch_stdio[3];
    for (int i = 0; i < 3; ++i) {
        scratch_stdio[i] = fcntl(stdio[i], F_DUPFD_CLOEXEC, kScratchFloor);
        if (scratch_stdio[i] < 0) {
            return sys_error("fcntl", "F_DUPFD stdio " + std::to_string(stdio[i]));
        }
    }
    std::vector<int> scratch_keep;
    for (int* fd : keep) {
        int copy = fcntl(*fd, F_DUPFD_CLOEXEC, kScratchFloor);
        if (copy < 0) {
            return sys_error("fcntl", "F_DUPFD " + std::to_string(*fd));
        }
        scratch_keep.push_back(copy);
    }
    for (int i = 0; i < 3; ++i) {
        // dup2 clears FD_CLOEXEC on the new fd, which is what stdio needs across execve.
        if (dup2(scratch_stdio[i], i) < 0) {
            return sys_error("dup2", std::to_string(scratch_stdio[i]) + " -> " + std::to_string(i));
        }
    }
    int next = 3;
    for (size_t i = 0; i < keep.size(); ++i, ++next) {
        if (dup3(scratch_keep[i], next, O_CLOEXEC) < 0) {
            return sys_error("dup3",
                             std::to_string(scratch_keep[i]) + " -> " + std::to_string(next));
        }
        *keep[i] = next;
    }
    return close_fds_from(next);
}

Status close_fds_from(int first) {
    // close_range(2), Linux 5.9. Closing one by one up to RLIMIT_NOFILE is the fallback for
    // older kernels; ENOSYS is the only reason to take it.
    if (syscall(SYS_close_range, static_cast<unsigned>(first), ~0U, 0) == 0) {
        return ok_status();
    }
    if (errno != ENOSYS) {
        return sys_error("close_range", std::to_string(first) + "..");
    }
    long max = sysconf(_SC_OPEN_MAX);
    for (long fd = first; fd < max; ++fd) {
        close(static_cast<int>(fd));
    }
    return ok_status();
}

}  // namespace kars::sandbox
