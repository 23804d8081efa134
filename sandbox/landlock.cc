// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "sandbox/landlock.h"

#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

#include "sandbox/sys_error.h"

namespace kars::sandbox {
namespace {

// The build host's <linux/landlock.h> may predate the running kernel; the values below are
// the kernel ABI (include/uapi/linux/landlock.h) and never change once released.
constexpr std::uint64_t kFsTruncate = 1ULL << 14;              // ABI 3
constexpr std::uint64_t kFsIoctlDev = 1ULL << 15;              // ABI 5
constexpr std::uint64_t kScopeAbstractUnixSocket = 1ULL << 0;  // ABI 6
constexpr std::uint64_t kScopeSignal = 1ULL << 1;              // ABI 6
constexpr std::uint64_t kFsAbi1 = (1ULL << 13) - 1;            // EXECUTE .. MAKE_SYM
constexpr std::uint64_t kFsRefer = 1ULL << 13;                 // ABI 2

// The ABI 6 layout of landlock_ruleset_attr; the kernel accepts any prefix of it, so the
// size passed selects which fields it reads.
struct RulesetAttr {
    std::uint64_t handled_access_fs;
    std::uint64_t handled_access_net;
    std::uint64_t scoped;
};

constexpr std::uint64_t kReadOnly =
    LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;

class FdCloser {
public:
    explicit FdCloser(int fd) : fd_(fd) {}
    ~FdCloser() {
        if (fd_ >= 0) {
            close(fd_);
        }
    }
    FdCloser(const FdCloser&) = delete;
    FdCloser& operator=(const FdCloser&) = delete;

private:
    int fd_;
};

Status add_path_rule(int ruleset, const std::string& path, std::uint64_t access) {
    int fd = open(path.c_str(), O_PATH | O_CLOEXEC);
    if (fd < 0) {
        return sys_error("open", path + " (O_PATH for Landlock)");
    }
    FdCloser closer(fd);
    landlock_path_beneath_attr attr{};
    attr.allowed_access = access;
    attr.parent_fd = fd;
    if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &attr, 0) < 0) {
        return sys_error("landlock_add_rule", path);
    }
    return ok_status();
}

}  // namespace

unsigned long long landlock_handled_fs(int abi) {
    std::uint64_t fs = kFsAbi1;
    if (abi >= 2) {
        fs |= kFsRefer;
    }
    if (abi >= 3) {
        fs |= kFsTruncate;
    }
    if (abi >= 5) {
        fs |= kFsIoctlDev;
    }
    return fs;
}

Status apply_landlock(const LandlockPolicy& policy) {
    if (policy.abi <= 0) {
        return setup_error("Landlock ABI unknown: apply_landlock called without support");
    }
    RulesetAttr attr{};
    attr.handled_access_fs = landlock_handled_fs(policy.abi);
    size_t size = sizeof(std::uint64_t);
    if (policy.abi >= 6) {
        attr.scoped = kScopeAbstractUnixSocket | kScopeSignal;
        size = sizeof(RulesetAttr);
    }
    int ruleset = static_cast<int>(syscall(SYS_landlock_create_ruleset, &attr, size, 0));
    if (ruleset < 0) {
        return sys_error("landlock_create_ruleset", "ABI " + std::to_string(policy.abi));
    }
    FdCloser closer(ruleset);
    const std::uint64_t all = attr.handled_access_fs;
    if (auto s = add_path_rule(ruleset, "/", kReadOnly); !s) {
        return s;
    }
    for (const auto& path : policy.writable_paths) {
        if (auto s = add_path_rule(ruleset, path, all); !s) {
            return s;
        }
    }
    // Programs write to /dev/null and friends; truncation of /dev/null is what `> /dev/null`
    // does in a shell. /dev/shm is writable like /tmp.
    // A rule on a file may only carry file rights (READ_DIR there is EINVAL).
    const std::uint64_t device_rw = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE |
                                    (policy.abi >= 3 ? kFsTruncate : 0);
    for (const char* node : {"/dev/null", "/dev/zero", "/dev/full"}) {
        if (auto s = add_path_rule(ruleset, node, device_rw); !s) {
            return s;
        }
    }
    if (auto s = add_path_rule(ruleset, "/dev/shm", all & ~kFsIoctlDev); !s) {
        return s;
    }
    if (syscall(SYS_landlock_restrict_self, ruleset, 0) < 0) {
        return sys_error("landlock_restrict_self", "");
    }
    return ok_status();
}

}  // namespace kars::sandbox
