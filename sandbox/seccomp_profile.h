// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The OCI / Docker seccomp profile format (the JSON that `docker run --security-opt
// seccomp=` and the OCI runtime spec's linux.seccomp take), parsed into plain values. Every
// field is honoured: defaultAction, defaultErrnoRet, architectures (and the older archMap),
// flags, syscalls[] with names (or the older name), action, errnoRet, args (index, value,
// valueTwo, op) and includes/excludes (caps, arches, minKernel). Parsing never throws.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace kars::sandbox {

enum class SeccompAction { kAllow, kErrno, kKillThread, kKillProcess, kTrap, kTrace, kLog };

enum class SeccompOp {
    kNotEqual,
    kLessThan,
    kLessEqual,
    kEqual,
    kGreaterEqual,
    kGreaterThan,
    kMaskedEqual
};

struct SeccompArg {
    unsigned index = 0;  // 0..5
    std::uint64_t value = 0;
    std::uint64_t value_two = 0;  // the datum for kMaskedEqual (value is the mask)
    SeccompOp op = SeccompOp::kEqual;
};

// Conditions under which a rule applies (includes: all must hold) or is skipped (excludes:
// any one suffices). minKernel is "major.minor".
struct SeccompConditions {
    std::vector<std::string> caps;
    std::vector<std::string> arches;  // OCI names without prefix: "amd64", "x86_64", ...
    std::optional<std::pair<int, int>> min_kernel;
};

struct SeccompRule {
    std::vector<std::string> names;
    SeccompAction action = SeccompAction::kAllow;
    std::optional<int> errno_ret;  // ERRNO data, or the TRACE message
    std::vector<SeccompArg> args;
    SeccompConditions includes;
    SeccompConditions excludes;
    std::string comment;
};

struct SeccompProfile {
    SeccompAction default_action = SeccompAction::kErrno;
    std::optional<int> default_errno_ret;
    std::vector<std::string> architectures;  // SCMP_ARCH_* names
    std::vector<std::string> flags;          // SECCOMP_FILTER_FLAG_* names
    std::vector<SeccompRule> syscalls;
};

// What a rule's includes/excludes are evaluated against.
struct SeccompContext {
    std::string arch = "amd64";     // Go/OCI arch name, as Docker's profiles use
    std::vector<std::string> caps;  // capabilities the sandbox keeps (none for kars)
    std::pair<int, int> kernel{0, 0};
};

Result<SeccompProfile> parse_seccomp_profile(std::string_view json);
Result<SeccompProfile> load_seccomp_profile(const std::string& path);

// True when the rule's includes hold and none of its excludes do.
bool seccomp_rule_applies(const SeccompRule& rule, const SeccompContext& context);

// The running machine's context: native arch, no capabilities, uname() kernel version.
SeccompContext native_seccomp_context();

const char* seccomp_action_name(SeccompAction action);

}  // namespace kars::sandbox
