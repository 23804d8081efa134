// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Shared by the launcher tests: a spec with a unique name and captured output.

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <string>

#include "sandbox/launcher.h"

namespace kars::sandbox::testing {

inline std::string unique_name(const std::string& base) {
    static std::atomic<int> counter{0};
    return base + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

// Reads everything from fd until EOF.
inline std::string drain(int fd) {
    std::string out;
    char buffer[4096];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof(buffer))) > 0) {
        out.append(buffer, static_cast<size_t>(n));
    }
    return out;
}

// A spec whose stdout goes to a pipe the test reads after wait().
struct CapturedSpec {
    SandboxSpec spec;
    int out_read = -1;
    int out_write = -1;

    explicit CapturedSpec(std::vector<std::string> argv) {
        spec = make_default_spec(unique_name("t"), std::move(argv));
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) == 0) {
            out_read = fds[0];
            out_write = fds[1];
        }
        spec.stdout_fd = out_write;
    }
    ~CapturedSpec() {
        if (out_read >= 0) close(out_read);
        if (out_write >= 0) close(out_write);
    }
    // Call after launch: the sandbox holds its own copy of the write end.
    std::string output() {
        close(out_write);
        out_write = -1;
        return drain(out_read);
    }
};

}  // namespace kars::sandbox::testing
