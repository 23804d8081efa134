// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "sandbox/seccomp_profile.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <cerrno>

#include "sandbox/seccomp_filter.h"

namespace kars::sandbox {
namespace {

const std::string kReference = std::string(KARS_SOURCE_DIR) + "/../shared/reference/seccomp/";

// The reference profiles parse; names, actions and errnoRet land where they belong.
TEST(SeccompProfile, ParsesReferenceProfiles) {
    for (const char* file : {"kars-strict.json", "kars-strict-cli.json"}) {
        std::string path = kReference + file;
        if (access(path.c_str(), R_OK) != 0) {
            GTEST_SKIP() << "reference profiles not present";
        }
        auto profile = load_seccomp_profile(path);
        ASSERT_TRUE(profile.ok()) << profile.error().message;
        EXPECT_EQ(profile->default_action, SeccompAction::kErrno);
        EXPECT_EQ(profile->architectures,
                  (std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"}));
        ASSERT_EQ(profile->syscalls.size(), 2u);
        EXPECT_EQ(profile->syscalls[0].action, SeccompAction::kAllow);
        EXPECT_EQ(profile->syscalls[1].action, SeccompAction::kErrno);
        EXPECT_EQ(profile->syscalls[1].errno_ret, 1);
        EXPECT_EQ(profile->syscalls[1].names[0], "mount");
    }
}

TEST(SeccompProfile, ParsesShippedProfile) {
    auto profile =
        load_seccomp_profile(std::string(KARS_SOURCE_DIR) + "/deploy/seccomp/kars-strict.json");
    ASSERT_TRUE(profile.ok()) << profile.error().message;
    EXPECT_EQ(profile->default_errno_ret, 1);
}

// Every field of the format in one profile.
TEST(SeccompProfile, ParsesEveryField) {
    auto profile = parse_seccomp_profile(R"({
        "defaultAction": "SCMP_ACT_KILL_PROCESS", "defaultErrnoRet": 38,
        "architectures": ["SCMP_ARCH_X86_64"],
        "archMap": [{"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
        "flags": ["SECCOMP_FILTER_FLAG_LOG"],
        "syscalls": [
          {"names": ["clone"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
           "args": [{"index": 0, "value": 2114060288, "valueTwo": 7, "op": "SCMP_CMP_MASKED_EQ"},
                    {"index": 5, "value": 18446744073709551615, "op": "SCMP_CMP_GE"}],
           "includes": {"caps": ["CAP_SYS_ADMIN"], "arches": ["amd64"], "minKernel": "5.8"},
           "excludes": {"caps": ["CAP_NET_ADMIN"], "arches": ["s390x"], "minKernel": "9.0"},
           "comment": "c"},
          {"name": "read", "action": "SCMP_ACT_TRACE", "errnoRet": 4},
          {"names": ["a"], "action": "SCMP_ACT_LOG"}, {"names": ["b"], "action": "SCMP_ACT_TRAP"},
          {"names": ["c"], "action": "SCMP_ACT_KILL"}, {"names": ["d"], "action": "SCMP_ACT_KILL_THREAD"},
          {"names": ["e"], "action": "SCMP_ACT_ALLOW", "args": [
             {"index": 1, "value": 1, "op": "SCMP_CMP_NE"}, {"index": 1, "value": 2, "op": "SCMP_CMP_LT"},
             {"index": 1, "value": 3, "op": "SCMP_CMP_LE"}, {"index": 1, "value": 4, "op": "SCMP_CMP_EQ"},
             {"index": 1, "value": 5, "op": "SCMP_CMP_GT"}]}
        ]})");
    ASSERT_TRUE(profile.ok()) << profile.error().message;
    EXPECT_EQ(profile->default_action, SeccompAction::kKillProcess);
    EXPECT_EQ(profile->default_errno_ret, 38);
    EXPECT_EQ(profile->architectures,
              (std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"}));
    EXPECT_EQ(profile->flags, std::vector<std::string>{"SECCOMP_FILTER_FLAG_LOG"});
    const auto& clone = profile->syscalls[0];
    EXPECT_EQ(clone.action, SeccompAction::kErrno);
    EXPECT_EQ(clone.errno_ret, 13);
    ASSERT_EQ(clone.args.size(), 2u);
    EXPECT_EQ(clone.args[0].op, SeccompOp::kMaskedEqual);
    EXPECT_EQ(clone.args[0].value, 2114060288u);
    EXPECT_EQ(clone.args[0].value_two, 7u);
    EXPECT_EQ(clone.args[1].index, 5u);
    EXPECT_EQ(clone.args[1].value, 18446744073709551615ull);
    EXPECT_EQ(clone.args[1].op, SeccompOp::kGreaterEqual);
    EXPECT_EQ(clone.includes.caps, std::vector<std::string>{"CAP_SYS_ADMIN"});
    EXPECT_EQ(clone.includes.arches, std::vector<std::string>{"amd64"});
    EXPECT_EQ(clone.includes.min_kernel, std::make_pair(5, 8));
    EXPECT_EQ(clone.excludes.caps, std::vector<std::string>{"CAP_NET_ADMIN"});
    EXPECT_EQ(clone.excludes.arches, std::vector<std::string>{"s390x"});
    EXPECT_EQ(clone.excludes.min_kernel, std::make_pair(9, 0));
    EXPECT_EQ(clone.comment, "c");
    EXPECT_EQ(profile->syscalls[1].names, std::vector<std::string>{"read"});
    EXPECT_EQ(profile->syscalls[1].action, SeccompAction::kTrace);
    EXPECT_EQ(profile->syscalls[2].action, SeccompAction::kLog);
    EXPECT_EQ(profile->syscalls[3].action, SeccompAction::kTrap);
    EXPECT_EQ(profile->syscalls[4].action, SeccompAction::kKillThread);
    EXPECT_EQ(profile->syscalls[5].action, SeccompAction::kKillThread);
    const auto& e = profile->syscalls[6].args;
    ASSERT_EQ(e.size(), 5u);
    EXPECT_EQ(e[0].op, SeccompOp::kNotEqual);
    EXPECT_EQ(e[1].op, SeccompOp::kLessThan);
    EXPECT_EQ(e[2].op, SeccompOp::kLessEqual);
    EXPECT_EQ(e[3].op, SeccompOp::kEqual);
    EXPECT_EQ(e[4].op, SeccompOp::kGreaterThan);
}

TEST(SeccompProfile, RejectsMalformedProfiles) {
    const char* bad[] = {
        "not json",
        "[]",
        R"({"syscalls": []})",
        R"({"defaultAction": "SCMP_ACT_NOPE"})",
        R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": -1})",
        R"({"defaultAction": "SCMP_ACT_ERRNO", "unknownField": 1})",
        R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"]}]})",
        R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"action": "SCMP_ACT_ALLOW"}]})",
        R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 6, "value": 0, "op": "SCMP_CMP_EQ"}]}]})",
        R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_XX"}]}]})",
        R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "five"}}]})",
        R"({"defaultAction": "SCMP_ACT_ERRNO", "listenerPath": "/run/x.sock"})",
        R"({"defaultAction": "SCMP_ACT_NOTIFY"})",
    };
    for (const char* text : bad) {
        EXPECT_FALSE(parse_seccomp_profile(text).ok()) << text;
    }
}

SeccompRule rule_with(SeccompConditions in, SeccompConditions ex) {
    SeccompRule r;
    r.names = {"x"};
    r.includes = std::move(in);
    r.excludes = std::move(ex);
    return r;
}

TEST(SeccompProfile, IncludesAndExcludesSelectRules) {
    SeccompContext ctx;
    ctx.arch = "amd64";
    ctx.caps = {};
    ctx.kernel = {6, 1};
    EXPECT_TRUE(seccomp_rule_applies(rule_with({}, {}), ctx));
    EXPECT_FALSE(seccomp_rule_applies(rule_with({{"CAP_SYS_ADMIN"}, {}, {}}, {}), ctx));
    EXPECT_TRUE(seccomp_rule_applies(rule_with({{}, {"x86_64"}, {}}, {}), ctx));
    EXPECT_FALSE(seccomp_rule_applies(rule_with({{}, {"arm64"}, {}}, {}), ctx));
    EXPECT_TRUE(seccomp_rule_applies(rule_with({{}, {}, std::make_pair(5, 8)}, {}), ctx));
    EXPECT_FALSE(seccomp_rule_applies(rule_with({{}, {}, std::make_pair(6, 2)}, {}), ctx));
    EXPECT_FALSE(seccomp_rule_applies(rule_with({}, {{}, {"amd64"}, {}}), ctx));
    EXPECT_FALSE(seccomp_rule_applies(rule_with({}, {{}, {}, std::make_pair(6, 0)}), ctx));
    ctx.caps = {"CAP_SYS_ADMIN"};
    EXPECT_TRUE(seccomp_rule_applies(rule_with({{"CAP_SYS_ADMIN"}, {}, {}}, {}), ctx));
    EXPECT_FALSE(seccomp_rule_applies(rule_with({}, {{"CAP_SYS_ADMIN"}, {}, {}}), ctx));
}

// Runs fn in a child after loading filters; returns the child's wait status.
int in_filtered_child(const SeccompProfile* profile, int (*fn)()) {
    pid_t pid = fork();
    if (pid == 0) {
        std::vector<std::string> skipped;
        if (profile != nullptr &&
            !load_profile_filter(*profile, native_seccomp_context(), &skipped).ok()) {
            _exit(200);
        }
        if (!load_mandatory_filter().ok()) {
            _exit(201);
        }
        // exit_group directly: the sanitizer runtimes hook _exit to run a leak check, which
        // needs syscalls these filters deny and would hang the child.
        syscall(SYS_exit_group, fn());
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

// A profile that allows everything cannot lift the mandatory denials.
TEST(SeccompFilter, MandatoryDenialsOverrideAnAllowAllProfile) {
    auto profile = parse_seccomp_profile(
        R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["unshare", "ptrace"], "action": "SCMP_ACT_LOG"}]})");
    ASSERT_TRUE(profile.ok());
    int s = in_filtered_child(&*profile,
                              [] { return unshare(CLONE_NEWUSER) < 0 && errno == EPERM ? 0 : 1; });
    EXPECT_TRUE(WIFEXITED(s) && WEXITSTATUS(s) == 0) << s;
    s = in_filtered_child(
        &*profile, [] { return syscall(SYS_clone3, nullptr, 0) < 0 && errno == ENOSYS ? 0 : 1; });
    EXPECT_TRUE(WIFEXITED(s) && WEXITSTATUS(s) == 0) << s;
    // Upper 32 bits set must not hide CLONE_NEWNET from the masked comparison.
    s = in_filtered_child(&*profile, [] {
        return syscall(SYS_unshare, 0xffffffff00000000UL | CLONE_NEWNET) < 0 && errno == EPERM ? 0
                                                                                               : 1;
    });
    EXPECT_TRUE(WIFEXITED(s) && WEXITSTATUS(s) == 0) << s;
    // Ordinary calls still work.
    s = in_filtered_child(&*profile, [] { return getpid() > 0 ? 0 : 1; });
    EXPECT_TRUE(WIFEXITED(s) && WEXITSTATUS(s) == 0) << s;
}

// Profile rules take effect: errnoRet and argument comparisons.
TEST(SeccompFilter, ProfileErrnoAndArgumentsApply) {
    auto profile = parse_seccomp_profile(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
         "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]})");
    ASSERT_TRUE(profile.ok());
    int s = in_filtered_child(&*profile, [] {
        errno = 0;
        bool denied = getpriority(PRIO_PGRP, 0) == -1 && errno == EACCES;
        errno = 0;
        getpriority(PRIO_PROCESS, 0);
        return denied && errno == 0 ? 0 : 1;
    });
    EXPECT_TRUE(WIFEXITED(s) && WEXITSTATUS(s) == 0) << s;
}

// The default action with defaultErrnoRet answers unlisted syscalls.
TEST(SeccompFilter, DefaultErrnoRetIsUsed) {
    auto profile =
        parse_seccomp_profile(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 95,
        "syscalls": [{"names": ["exit_group", "exit", "write", "getpid", "seccomp", "prctl", "brk",
            "mmap", "munmap", "mprotect", "futex", "close", "rt_sigprocmask"],
          "action": "SCMP_ACT_ALLOW"}]})");
    ASSERT_TRUE(profile.ok());
    int s = in_filtered_child(&*profile, [] {
        // glibc's getppid() never sets errno, so go through syscall(2).
        return syscall(SYS_getppid) == -1 && errno == EOPNOTSUPP ? 0 : 1;
    });
    EXPECT_TRUE(WIFEXITED(s) && WEXITSTATUS(s) == 0) << s;
}

// A foreign ABI is killed by the mandatory filter (i386 int 0x80 from a 64-bit process).
TEST(SeccompFilter, ForeignAbiIsKilled) {
#if defined(__x86_64__)
    int s = in_filtered_child(nullptr, [] {
        long ret = 20;
        asm volatile("int $0x80" : "+a"(ret) : : "memory");
        return 0;
    });
    EXPECT_TRUE(WIFSIGNALED(s) && WTERMSIG(s) == SIGSYS) << s;
#endif
}

}  // namespace
}  // namespace kars::sandbox
