// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// sandbox_teardown: time from "stop" to "nothing left" for a running sandbox, against
// `unshare` (util-linux) and `bwrap` process trees with the same namespaces, in the same run.
//   kars sandbox : Sandbox::terminate() + wait(): the supervisor SIGKILLs the sandbox's PID 1,
//                  reaps it, removes the cgroup and reports.
//   kars destroy : the whole CLI verb on a `kars dev -d` sandbox (router included), timed
//                  around the `kars destroy` process; only with --kars BIN.
//   unshare/bwrap: SIGKILL to the launcher, until its sandboxed child is gone too.
// Usage: sandbox_teardown [iterations] [--kars BUILD/bin/kars]   (default 20 iterations)

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "sandbox/launcher.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

pid_t spawn(const std::vector<std::string>& argv) {
    std::vector<char*> cargv;
    for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    pid_t pid = 0;
    return posix_spawn(&pid, cargv[0], nullptr, nullptr, cargv.data(), environ) == 0 ? pid : -1;
}

int run(const std::string& command) {
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The first child of pid, once it has one (the sandboxed process of unshare/bwrap).
pid_t first_child(pid_t pid) {
    const std::string id = std::to_string(pid);
    for (int i = 0; i < 2000; ++i) {
        std::ifstream in("/proc/" + id + "/task/" + id + "/children");
        pid_t child = -1;
        if (in >> child && child > 0) return child;
        std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    return -1;
}

// SIGKILL to the launcher, then wait until the launcher is reaped and its child has exited.
double kill_tree(const std::vector<std::string>& argv) {
    const pid_t launcher = spawn(argv);
    if (launcher <= 0) return -1;
    const pid_t child = first_child(launcher);
    // Give the launcher time to finish its own setup so the kill lands on a settled tree.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const int child_fd = child > 0 ? static_cast<int>(syscall(SYS_pidfd_open, child, 0)) : -1;
    const auto start = Clock::now();
    kill(launcher, SIGKILL);
    waitpid(launcher, nullptr, 0);
    if (child_fd >= 0) {
        pollfd p{child_fd, POLLIN, 0};
        poll(&p, 1, 5000);
        close(child_fd);
    }
    return ms_since(start);
}

double kars_sandbox_teardown(int i) {
    auto spec = kars::sandbox::make_default_spec(
        "bench-td-" + std::to_string(getpid()) + "-" + std::to_string(i), {"/bin/sleep", "1000"});
    spec.limits.pids_max = 64;  // a cgroup to remove, as kars dev always has
    auto sandbox = kars::sandbox::launch(spec);
    if (!sandbox.ok()) {
        std::fprintf(stderr, "launch: %s\n", sandbox.error().message.c_str());
        return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const auto start = Clock::now();
    (void)sandbox->terminate();
    (void)sandbox->wait();
    return ms_since(start);
}

// One `kars dev -d` + `kars destroy` round in a scratch HOME, so the user's ~/.kars is
// untouched. The manifest runs /bin/sleep, which exists in the sandbox's host root view.
struct DestroyTimes {
    double wall = -1;    // around the `kars destroy` process
    double inside = -1;  // as the verb reports it
};

DestroyTimes kars_destroy(const std::string& kars, const fs::path& scratch, int i) {
    const std::string name = "bench-destroy-" + std::to_string(i);
    const fs::path manifest = scratch / "sandbox.yaml";
    std::ofstream(manifest) << "apiVersion: kars.azure.com/v1alpha1\nkind: InferencePolicy\n"
                               "metadata: {name: bench, namespace: default}\nspec:\n"
                               "  appliesTo: {sandboxName: bench}\n"
                               "---\napiVersion: kars.azure.com/v1alpha1\nkind: KarsSandbox\n"
                               "metadata: {name: bench, namespace: default}\nspec:\n"
                               "  runtime:\n    kind: BYO\n    byo:\n"
                               "      image: ghcr.io/kars/bench:v1\n      contractVersion: v1\n"
                               "      command: [/bin/sleep, '1000']\n"
                               "  sandbox: {isolation: standard}\n"
                               "  inferenceRef: {name: bench}\n";
    const std::string env = "HOME=" + (scratch / "home").string() + " ";
    if (run(env + kars + " dev -d -f " + manifest.string() + " --name " + name + " --state-dir " +
            (scratch / "state").string() + " >/dev/null 2>&1") != 0) {
        std::fprintf(stderr, "kars dev -d failed\n");
        return {-1, -1};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const auto start = Clock::now();
    FILE* out = popen((env + kars + " destroy " + name).c_str(), "r");
    char line[512] = {0};
    const bool read = out != nullptr && std::fgets(line, sizeof line, out) != nullptr;
    const int status = out != nullptr ? pclose(out) : -1;
    const double wall = ms_since(start);
    // "destroyed NAME in X ms": the verb's own measure, without the CLI's process start.
    double inside = -1;
    const char* in = read ? std::strstr(line, " in ") : nullptr;
    if (in != nullptr) inside = std::atof(in + 4);
    if (status != 0 || inside < 0) {
        std::fprintf(stderr, "kars destroy failed: %s\n", line);
        return {-1, -1};
    }
    return {wall, inside};
}

}  // namespace

int main(int argc, char** argv) {
    int iterations = 20;
    std::string kars;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--kars" && i + 1 < argc) {
            kars = argv[++i];
        } else {
            iterations = std::max(1, std::atoi(argv[i]));
        }
    }
    std::vector<double> sandbox_ms, destroy_ms, destroy_inside_ms, unshare_ms, bwrap_ms;
    // mkdtemp(3) replaces the six trailing 'X's.
    std::string scratch =
        (fs::temp_directory_path() / "kars-bench-teardown-").string() + std::string(6, 'X');
    if (!kars.empty() && mkdtemp(scratch.data()) == nullptr) {
        std::perror("mkdtemp");
        return 1;
    }
    for (int i = 0; i < iterations; ++i) {
        sandbox_ms.push_back(kars_sandbox_teardown(i));
        if (!kars.empty()) {
            const DestroyTimes t = kars_destroy(kars, scratch, i);
            destroy_ms.push_back(t.wall);
            destroy_inside_ms.push_back(t.inside);
        }
        unshare_ms.push_back(
            kill_tree({"/usr/bin/unshare", "--user", "--map-root-user", "--pid", "--fork",
                       "--kill-child", "--mount", "--ipc", "--uts", "--net", "--cgroup",
                       "--mount-proc", "/bin/sleep", "1000"}));
        bwrap_ms.push_back(kill_tree({"/usr/bin/bwrap", "--unshare-all", "--ro-bind", "/", "/",
                                      "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
                                      "--die-with-parent", "/bin/sleep", "1000"}));
    }
    const double k = median(sandbox_ms);
    const double u = median(unshare_ms);
    const double b = median(bwrap_ms);
    std::printf("median teardown of a running /bin/sleep over %d runs (ms)\n", iterations);
    std::printf("  kars sandbox : %7.2f  (kars/unshare = %.2fx, kars/bwrap = %.2fx)\n", k, k / u,
                k / b);
    if (!destroy_ms.empty()) {
        const double d = median(destroy_ms);
        std::printf("  kars destroy : %7.2f  (destroy/unshare = %.2fx, destroy/bwrap = %.2fx)\n", d,
                    d / u, d / b);
        std::printf("    of which the verb's own teardown: %.2f (the rest is starting the CLI)\n",
                    median(destroy_inside_ms));
    }
    std::printf("  unshare      : %7.2f\n", u);
    std::printf("  bwrap        : %7.2f\n", b);
    if (!kars.empty()) {
        std::error_code ec;
        fs::remove_all(scratch, ec);
    }
    return 0;
}
