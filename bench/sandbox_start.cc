// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// sandbox_start: time to run /bin/true in a kars sandbox versus `unshare` (util-linux) and
// `bwrap` with the same namespaces, in the same run, plus the supervisor's memory. Usage:
//   sandbox_start [iterations] [-- command...]   (default 30 iterations of /bin/true)

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "sandbox/launcher.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

double spawn_and_wait(const std::vector<std::string>& argv) {
    std::vector<char*> cargv;
    for (const auto& a : argv) {
        cargv.push_back(const_cast<char*>(a.c_str()));
    }
    cargv.push_back(nullptr);
    auto start = Clock::now();
    pid_t pid = 0;
    if (posix_spawn(&pid, cargv[0], nullptr, nullptr, cargv.data(), environ) != 0) {
        return -1;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string smaps_field(pid_t pid, const char* field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(field, 0) == 0) {
            return line.substr(line.find(':') + 1);
        }
    }
    return "?";
}

}  // namespace

int main(int argc, char** argv) {
    int iterations = argc > 1 ? std::atoi(argv[1]) : 30;
    std::vector<double> kars_ms;
    std::vector<double> unshare_ms;
    std::vector<double> bwrap_ms;
    for (int i = 0; i < iterations; ++i) {
        auto spec =
            kars::sandbox::make_default_spec("bench-" + std::to_string(getpid()), {"/bin/true"});
        auto start = Clock::now();
        auto sandbox = kars::sandbox::launch(spec);
        if (!sandbox.ok()) {
            std::fprintf(stderr, "launch: %s\n", sandbox.error().message.c_str());
            return 1;
        }
        (void)sandbox->wait();
        kars_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        unshare_ms.push_back(spawn_and_wait({"/usr/bin/unshare", "--user", "--map-root-user",
                                             "--pid", "--fork", "--mount", "--ipc", "--uts",
                                             "--net", "--cgroup", "--mount-proc", "/bin/true"}));
        bwrap_ms.push_back(spawn_and_wait({"/usr/bin/bwrap", "--unshare-all", "--ro-bind", "/", "/",
                                           "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
                                           "--die-with-parent", "/bin/true"}));
    }
    double k = median(kars_ms);
    double u = median(unshare_ms);
    double b = median(bwrap_ms);
    std::printf("median start+exit of /bin/true over %d runs (ms)\n", iterations);
    std::printf("  kars sandbox : %7.2f\n", k);
    std::printf("  unshare      : %7.2f  (kars/unshare = %.2fx)\n", u, k / u);
    std::printf("  bwrap        : %7.2f  (kars/bwrap   = %.2fx)\n", b, k / b);

    auto spec = kars::sandbox::make_default_spec("bench-rss-" + std::to_string(getpid()),
                                                 {"/bin/sleep", "2"});
    auto sandbox = kars::sandbox::launch(spec);
    if (sandbox.ok()) {
        pid_t sup = sandbox->supervisor_pid();
        std::printf(
            "supervisor memory: Rss%s, Pss%s (Rss counts pages shared with the caller"
            " after fork)\n",
            smaps_field(sup, "Rss").c_str(), smaps_field(sup, "Pss").c_str());
        (void)sandbox->terminate();
        (void)sandbox->wait();
    }
    return 0;
}
