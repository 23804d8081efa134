// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Runs a shell command the way a user would and captures what they would see: stdout and
// stderr together, stdin closed, the exit code (-1 when killed by a signal).

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace kars::testing {

struct CmdResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr
};

inline CmdResult run_shell(const std::string& cmd) {
    CmdResult r;
    FILE* p = ::popen((cmd + " 2>&1 </dev/null").c_str(), "r");
    if (p == nullptr) return r;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) r.output.append(buf, n);
    const int status = ::pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

// The built `kars` binary with `args`.
inline CmdResult run_kars(const std::string& args) {
    return run_shell(std::string(KARS_BIN_DIR) + "/kars " + args);
}

}  // namespace kars::testing
