// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "sandbox/kernel_features.h"

#include <linux/landlock.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace kars::sandbox {
namespace {

std::string read_first_line(const char* path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

void probe_user_namespaces(KernelFeatures* features) {
    pid_t pid = fork();
    if (pid < 0) {
        features->user_namespaces_detail = std::string("fork: ") + std::strerror(errno);
        return;
    }
    if (pid == 0) {
        _exit(unshare(CLONE_NEWUSER) == 0 ? 0 : errno);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        features->user_namespaces = true;
        return;
    }
    int err = WIFEXITED(status) ? WEXITSTATUS(status) : EINVAL;
    std::string detail = std::string("unshare(CLONE_NEWUSER): ") + std::strerror(err) + ".";
    if (read_first_line("/proc/sys/user/max_user_namespaces") == "0") {
        detail += " Fix: sysctl -w user.max_user_namespaces=15000.";
    }
    if (read_first_line("/proc/sys/kernel/unprivileged_userns_clone") == "0") {
        detail += " Fix: sysctl -w kernel.unprivileged_userns_clone=1.";
    }
    if (read_first_line("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == "1") {
        detail +=
            " AppArmor restricts user namespaces: install a profile for kars that"
            " grants 'userns,' or set kernel.apparmor_restrict_unprivileged_userns=0.";
    }
    features->user_namespaces_detail = detail;
}

void probe_landlock(KernelFeatures* features) {
    long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi > 0) {
        features->landlock_abi = static_cast<int>(abi);
        return;
    }
    int err = errno;
    features->landlock_detail =
        std::string("landlock_create_ruleset(VERSION): ") + std::strerror(err) + ".";
    if (err == ENOSYS) {
        features->landlock_detail +=
            " The kernel was built without CONFIG_SECURITY_LANDLOCK"
            " (needs Linux >= 5.13).";
    } else if (err == EOPNOTSUPP) {
        features->landlock_detail +=
            " Landlock is built in but not enabled: add 'landlock'"
            " to the lsm= kernel command line.";
    }
}

}  // namespace

KernelFeatures probe_kernel_features() {
    KernelFeatures features;
    probe_user_namespaces(&features);
    probe_landlock(&features);
    return features;
}

Status check_required_features(const KernelFeatures& features, bool allow_degraded,
                               std::vector<std::string>* warnings) {
    std::vector<std::string> missing;
    if (!features.user_namespaces) {
        missing.push_back("user namespaces are unavailable: " + features.user_namespaces_detail);
    }
    if (features.landlock_abi == 0) {
        missing.push_back("Landlock is unavailable: " + features.landlock_detail);
    }
    if (missing.empty()) {
        return ok_status();
    }
    if (!allow_degraded) {
        std::string message = "refusing to start the sandbox:";
        for (const auto& m : missing) {
            message += " " + m;
        }
        message += " (pass allow_degraded to run with weaker isolation)";
        return make_error("sandbox_unsupported_kernel", message);
    }
    for (const auto& m : missing) {
        warnings->push_back("DEGRADED SANDBOX: " + m);
    }
    return ok_status();
}

}  // namespace kars::sandbox
