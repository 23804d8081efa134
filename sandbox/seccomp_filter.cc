// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "sandbox/seccomp_filter.h"

#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "sandbox/sys_error.h"

namespace kars::sandbox {
namespace {

// Owns a libseccomp context for the duration of one build.
class FilterContext {
public:
    explicit FilterContext(uint32_t default_action) : ctx_(seccomp_init(default_action)) {}
    ~FilterContext() {
        if (ctx_ != nullptr) {
            seccomp_release(ctx_);
        }
    }
    FilterContext(const FilterContext&) = delete;
    FilterContext& operator=(const FilterContext&) = delete;
    scmp_filter_ctx get() const { return ctx_; }

private:
    scmp_filter_ctx ctx_;
};

Error seccomp_error(const std::string& call, const std::string& what, int rc) {
    // libseccomp returns -errno instead of setting errno.
    return sys_error(call, what, -rc);
}

uint32_t to_libseccomp(SeccompAction action, std::optional<int> errno_ret) {
    switch (action) {
        case SeccompAction::kAllow:
            return SCMP_ACT_ALLOW;
        case SeccompAction::kErrno:
            return SCMP_ACT_ERRNO(static_cast<uint16_t>(errno_ret.value_or(EPERM)));
        case SeccompAction::kKillThread:
            return SCMP_ACT_KILL_THREAD;
        case SeccompAction::kKillProcess:
            return SCMP_ACT_KILL_PROCESS;
        case SeccompAction::kTrap:
            return SCMP_ACT_TRAP;
        case SeccompAction::kTrace:
            return SCMP_ACT_TRACE(static_cast<uint16_t>(errno_ret.value_or(0)));
        case SeccompAction::kLog:
            return SCMP_ACT_LOG;
    }
    return SCMP_ACT_KILL_PROCESS;
}

scmp_compare to_libseccomp(SeccompOp op) {
    switch (op) {
        case SeccompOp::kNotEqual:
            return SCMP_CMP_NE;
        case SeccompOp::kLessThan:
            return SCMP_CMP_LT;
        case SeccompOp::kLessEqual:
            return SCMP_CMP_LE;
        case SeccompOp::kEqual:
            return SCMP_CMP_EQ;
        case SeccompOp::kGreaterEqual:
            return SCMP_CMP_GE;
        case SeccompOp::kGreaterThan:
            return SCMP_CMP_GT;
        case SeccompOp::kMaskedEqual:
            return SCMP_CMP_MASKED_EQ;
    }
    return SCMP_CMP_EQ;
}

Result<uint32_t> arch_token(const std::string& name) {
    static const std::map<std::string, uint32_t> kArches = {
        {"SCMP_ARCH_X86", SCMP_ARCH_X86},
        {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
        {"SCMP_ARCH_X32", SCMP_ARCH_X32},
        {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
        {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
        {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
        {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
        {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
        {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
        {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
        {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
        {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
        {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
        {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
        {"SCMP_ARCH_S390", SCMP_ARCH_S390},
        {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
        {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
    };
    auto it = kArches.find(name);
    if (it == kArches.end()) {
        return make_error("seccomp_profile_invalid", "unknown architecture " + name);
    }
    return it->second;
}

Status apply_flags(scmp_filter_ctx ctx, const std::vector<std::string>& flags) {
    for (const auto& flag : flags) {
        int rc = 0;
        if (flag == "SECCOMP_FILTER_FLAG_LOG") {
            rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
        } else if (flag == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") {
            rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1);
        } else if (flag == "SECCOMP_FILTER_FLAG_TSYNC") {
            rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
        } else {
            return make_error("seccomp_profile_invalid", "unsupported seccomp flag " + flag);
        }
        if (rc < 0) {
            return seccomp_error("seccomp_attr_set", flag, rc);
        }
    }
    return ok_status();
}

// runc's rule: libseccomp ANDs the comparisons of one rule, but two comparisons on the same
// argument cannot be ANDed in one libseccomp rule, so such a rule becomes one libseccomp
// rule per comparison (an OR), which is how Docker profiles using it are meant to read.
bool has_repeated_index(const std::vector<SeccompArg>& args) {
    for (size_t i = 0; i < args.size(); ++i) {
        for (size_t j = i + 1; j < args.size(); ++j) {
            if (args[i].index == args[j].index) {
                return true;
            }
        }
    }
    return false;
}

scmp_arg_cmp to_cmp(const SeccompArg& arg) {
    return scmp_arg_cmp{arg.index, to_libseccomp(arg.op), arg.value, arg.value_two};
}

Status add_rule(scmp_filter_ctx ctx, uint32_t action, int nr, const std::string& name,
                const std::vector<scmp_arg_cmp>& cmps) {
    int rc = seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(cmps.size()),
                                    cmps.empty() ? nullptr : cmps.data());
    if (rc < 0) {
        return seccomp_error("seccomp_rule_add", name, rc);
    }
    return ok_status();
}

Status add_profile_rule(scmp_filter_ctx ctx, const SeccompRule& rule, uint32_t default_action,
                        std::vector<std::string>* skipped) {
    uint32_t action = to_libseccomp(rule.action, rule.errno_ret);
    // libseccomp refuses a rule whose action is the default (EACCES); it would be a no-op.
    if (action == default_action) {
        return ok_status();
    }
    for (const auto& name : rule.names) {
        int nr = seccomp_syscall_resolve_name(name.c_str());
        if (nr == __NR_SCMP_ERROR) {
            skipped->push_back(name);
            continue;
        }
        std::vector<scmp_arg_cmp> cmps;
        for (const auto& arg : rule.args) {
            cmps.push_back(to_cmp(arg));
        }
        if (has_repeated_index(rule.args)) {
            for (const auto& cmp : cmps) {
                if (auto s = add_rule(ctx, action, nr, name, {cmp}); !s) {
                    return s;
                }
            }
            continue;
        }
        if (auto s = add_rule(ctx, action, nr, name, cmps); !s) {
            return s;
        }
    }
    return ok_status();
}

Status load(scmp_filter_ctx ctx, const char* which) {
    int rc = seccomp_load(ctx);
    if (rc < 0) {
        return seccomp_error("seccomp_load", which, rc);
    }
    return ok_status();
}

// Every namespace-creating clone flag. CLONE_NEWTIME (0x80) is only meaningful to unshare:
// for clone(2) that bit lies in the exit-signal byte (CSIGNAL), so it is checked there only.
constexpr uint64_t kNamespaceFlags[] = {CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC,   CLONE_NEWUSER,
                                        CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP};
constexpr uint64_t kCloneNewTime = 0x00000080;

const char* const kAlwaysDenied[] = {
    // Kernel attack surface with a history of privilege escalation bugs.
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "keyctl",
    "add_key",
    "request_key",
    // Reaching into other processes.
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "pidfd_open",
    "pidfd_getfd",
    "kcmp",
    // Joining or building namespaces and changing the filesystem view.
    "setns",
    "mount",
    "umount2",
    "pivot_root",
    "open_tree",
    "move_mount",
    "fsopen",
    "fsmount",
    "fsconfig",
    "fspick",
    "mount_setattr",
    "chroot",
    // Replacing the kernel.
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
};

}  // namespace

std::vector<std::string> mandatory_denied_syscalls() {
    return {std::begin(kAlwaysDenied), std::end(kAlwaysDenied)};
}

Status load_profile_filter(const SeccompProfile& profile, const SeccompContext& context,
                           std::vector<std::string>* skipped) {
    std::optional<int> default_errno = profile.default_errno_ret;
    uint32_t default_action = to_libseccomp(profile.default_action, default_errno);
    FilterContext filter(default_action);
    if (filter.get() == nullptr) {
        return setup_error("seccomp_init failed (bad default action?)");
    }
    for (const auto& name : profile.architectures) {
        auto arch = arch_token(name);
        if (!arch) {
            return arch.error();
        }
        int rc = seccomp_arch_add(filter.get(), *arch);
        if (rc < 0 && rc != -EEXIST) {
            return seccomp_error("seccomp_arch_add", name, rc);
        }
    }
    if (auto s = apply_flags(filter.get(), profile.flags); !s) {
        return s;
    }
    for (const auto& rule : profile.syscalls) {
        if (!seccomp_rule_applies(rule, context)) {
            continue;
        }
        if (auto s = add_profile_rule(filter.get(), rule, default_action, skipped); !s) {
            return s;
        }
    }
    return load(filter.get(), "profile");
}

Status load_sandbox_filters(const SeccompProfile* profile, const SeccompContext& context) {
    if (profile != nullptr) {
        std::vector<std::string> skipped;
        if (auto s = load_profile_filter(*profile, context, &skipped); !s) return s;
    }
    return load_mandatory_filter();
}

Status load_mandatory_filter() {
    FilterContext filter(SCMP_ACT_ALLOW);
    if (filter.get() == nullptr) {
        return setup_error("seccomp_init failed");
    }
    // A syscall from a foreign ABI is not checked against the native rules at all: kill.
    // seccomp_init() lists only the native arch; for x86_64 libseccomp also sends syscall
    // numbers with the x32 bit (0x40000000) to the bad-arch action.
    int rc = seccomp_attr_set(filter.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    if (rc < 0) {
        return seccomp_error("seccomp_attr_set", "SCMP_FLTATR_ACT_BADARCH", rc);
    }
    const uint32_t deny = SCMP_ACT_ERRNO(EPERM);
    for (const char* name : kAlwaysDenied) {
        int nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR) {
            continue;  // not a syscall on this architecture
        }
        if (auto s = add_rule(filter.get(), deny, nr, name, {}); !s) {
            return s;
        }
    }
    // clone3 passes its flags in a struct seccomp cannot read; ENOSYS makes glibc fall back
    // to clone(2), whose flags are checked below (glibc's clone3 fallback, since 2.34).
    if (auto s = add_rule(filter.get(), SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), "clone3", {});
        !s) {
        return s;
    }
    // One rule per flag bit ORs them: refuse when (flags & bit) == bit. The mask confines the
    // comparison to the bit, so whatever the caller leaves in the upper 32 bits of an int
    // argument (unshare takes an int) cannot make a value slip past an EQ comparison.
    for (uint64_t bit : kNamespaceFlags) {
        scmp_arg_cmp cmp{0, SCMP_CMP_MASKED_EQ, bit, bit};
        if (auto s = add_rule(filter.get(), deny, SCMP_SYS(clone), "clone", {cmp}); !s) {
            return s;
        }
        if (auto s = add_rule(filter.get(), deny, SCMP_SYS(unshare), "unshare", {cmp}); !s) {
            return s;
        }
    }
    scmp_arg_cmp newtime{0, SCMP_CMP_MASKED_EQ, kCloneNewTime, kCloneNewTime};
    if (auto s = add_rule(filter.get(), deny, SCMP_SYS(unshare), "unshare", {newtime}); !s) {
        return s;
    }
    // TIOCSTI and TIOCLINUX push input into a terminal another process reads (CVE-2017-5226
    // for bubblewrap); the ioctl request is an unsigned int, so compare the low 32 bits.
    for (uint64_t request : {static_cast<uint64_t>(TIOCSTI), static_cast<uint64_t>(TIOCLINUX)}) {
        scmp_arg_cmp cmp{1, SCMP_CMP_MASKED_EQ, 0xffffffffULL, request};
        if (auto s = add_rule(filter.get(), deny, SCMP_SYS(ioctl), "ioctl", {cmp}); !s) {
            return s;
        }
    }
    return load(filter.get(), "mandatory");
}

}  // namespace kars::sandbox
