// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// kars-sandbox-conformance: one line per check, "PASS|FAIL|SKIP <name> <detail>".
//   --expect-confined   every escape must be refused (run inside the sandbox)
//   --expect-open       every escape must work (run outside, as a calibration)
//   --outside-pid N     a process outside the sandbox, for ptrace/kill/proc checks
//   --host-port P       a 127.0.0.1 TCP listener opened outside by the test
//   --hidden-file F     a file placed under a hidden path
//   --readonly-dir D    a host directory that must not be writable inside
//   --router-port P     a port that must stay reachable inside (repeatable)
// Exit status 0 only when no check FAILed. Only loopback traffic is ever sent: outside
// addresses are ones the sandbox has no route to, and they are not tried when run outside.

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "sandbox/conformance/checks.h"

namespace kars::sandbox::conformance {

Outcome escaped(std::string detail) {
    return {Verdict::kEscaped, std::move(detail)};
}
Outcome refused(std::string detail) {
    return {Verdict::kRefused, std::move(detail)};
}
Outcome not_tested(std::string detail) {
    return {Verdict::kNotTested, std::move(detail)};
}

std::string errno_text(int err) {
    return std::string(strerrorname_np(err) ? strerrorname_np(err) : "E?") + " (" +
           std::strerror(err) + ")";
}

int run_in_child(const std::function<int()>& fn) {
    std::fflush(nullptr);
    pid_t pid = fork();
    if (pid < 0) {
        return -1;
    }
    if (pid == 0) {
        _exit(fn());
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

namespace {

bool parse_args(int argc, char** argv, Options* options) {
    bool mode = false;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
        if (arg == "--expect-confined") {
            options->confined = true;
            mode = true;
        } else if (arg == "--expect-open") {
            options->confined = false;
            mode = true;
        } else if (arg == "--outside-pid") {
            options->outside_pid = std::atoi(next().c_str());
        } else if (arg == "--host-port") {
            options->host_port = std::atoi(next().c_str());
        } else if (arg == "--hidden-file") {
            options->hidden_file = next();
        } else if (arg == "--readonly-dir") {
            options->readonly_dir = next();
        } else if (arg == "--router-port") {
            options->router_ports.push_back(std::atoi(next().c_str()));
        } else {
            std::fprintf(stderr, "unknown argument %s\n", arg.c_str());
            return false;
        }
    }
    if (!mode) {
        std::fprintf(stderr,
                     "usage: kars-sandbox-conformance --expect-confined|--expect-open"
                     " [--outside-pid N] [--host-port P] [--hidden-file F]"
                     " [--readonly-dir D] [--router-port P]...\n");
    }
    return mode;
}

}  // namespace
}  // namespace kars::sandbox::conformance

int main(int argc, char** argv) {
    using namespace kars::sandbox::conformance;
    Options options;
    if (!parse_args(argc, argv, &options)) {
        return 2;
    }
    std::vector<Check> checks;
    for (auto group : {network_checks(), filesystem_checks(), process_checks()}) {
        checks.insert(checks.end(), group.begin(), group.end());
    }
    int failures = 0;
    for (const auto& check : checks) {
        Outcome outcome = check.run(options);
        const char* word = "SKIP";
        if (outcome.verdict == Verdict::kHealthy || outcome.verdict == Verdict::kBroken) {
            word = outcome.verdict == Verdict::kHealthy ? "PASS" : "FAIL";
            failures += outcome.verdict == Verdict::kHealthy ? 0 : 1;
        } else if (outcome.verdict != Verdict::kNotTested) {
            bool wanted = options.confined ? outcome.verdict == Verdict::kRefused
                                           : outcome.verdict == Verdict::kEscaped;
            word = wanted ? "PASS" : "FAIL";
            failures += wanted ? 0 : 1;
        }
        std::printf("%s %s %s\n", word, check.name.c_str(), outcome.detail.c_str());
        std::fflush(stdout);
    }
    return failures == 0 ? 0 : 1;
}
