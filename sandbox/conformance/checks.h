// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The escapes kars-sandbox-conformance tries. Each check attempts one thing the sandbox must
// refuse and says whether it worked. The same binary runs inside (--expect-confined: every
// attempt must fail) and outside (--expect-open: the attempts must work there, proving each
// check measures the sandbox and not the machine).

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace kars::sandbox::conformance {

struct Options {
    bool confined = true;
    pid_t outside_pid = 0;          // a process outside the sandbox (ptrace, kill, /proc)
    int host_port = 0;              // a TCP listener on the host's 127.0.0.1 opened by the test
    std::string hidden_file;        // a file under a hidden path
    std::string readonly_dir;       // a host directory outside every writable path
    std::vector<int> router_ports;  // 127.0.0.1 ports that must stay reachable inside
};

// kHealthy/kBroken are for what must keep working inside (the router ports): PASS/FAIL in
// either mode.
enum class Verdict { kEscaped, kRefused, kNotTested, kHealthy, kBroken };

struct Outcome {
    Verdict verdict;
    std::string detail;
};

struct Check {
    std::string name;
    std::function<Outcome(const Options&)> run;
};

std::vector<Check> network_checks();
std::vector<Check> filesystem_checks();
std::vector<Check> process_checks();

// Helpers shared by the check files.
Outcome escaped(std::string detail);
Outcome refused(std::string detail);
Outcome not_tested(std::string detail);
std::string errno_text(int err);

// Runs fn in a forked child and returns its wait status, so a check that changes the
// process (unshare, setns, a foreign-ABI syscall that gets it killed) cannot affect the next.
int run_in_child(const std::function<int()>& fn);

}  // namespace kars::sandbox::conformance
