// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Two seccomp filters, loaded last (after Landlock) in this order:
//   1. the profile (OCI JSON, seccomp_profile.h), compiled with libseccomp;
//   2. the kars mandatory denials, which no profile can lift.
// The kernel runs every attached filter and takes the most restrictive result
// (seccomp(2), "Filter return values": KILL > TRAP > ERRNO > TRACE > LOG > ALLOW), so an
// ALLOW in the profile never outranks an ERRNO or KILL in the mandatory filter. The
// mandatory filter lists only the native architecture: any other ABI (i386 via int 0x80,
// x32 on x86_64) kills the process.

#include <string>
#include <vector>

#include "core/result.h"
#include "sandbox/seccomp_profile.h"

namespace kars::sandbox {

// Compiles and loads the profile for the calling thread. Names libseccomp does not know on
// this architecture are skipped, as Docker and runc do; they are returned in *skipped.
Status load_profile_filter(const SeccompProfile& profile, const SeccompContext& context,
                           std::vector<std::string>* skipped);

// Loads the non-overridable denials (see docs/sandbox.md for the list and the why of each).
Status load_mandatory_filter();

// What every process in a sandbox runs under, the agent and joined commands alike: the
// profile (when given) and then the mandatory denials, which a profile cannot loosen since
// seccomp takes the strictest answer of all loaded filters.
Status load_sandbox_filters(const SeccompProfile* profile, const SeccompContext& context);

// The syscall names the mandatory filter refuses unconditionally (for tests and docs).
std::vector<std::string> mandatory_denied_syscalls();

}  // namespace kars::sandbox
