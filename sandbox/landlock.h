// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Landlock (landlock(7)): a second, independent filesystem boundary inside the mount
// namespace. Everything is read/execute-only except the writable paths (and the few device
// nodes a program writes to), at the best ABI the kernel offers, so a mount mistake alone
// does not make the host writable.

#include <string>
#include <vector>

#include "core/result.h"

namespace kars::sandbox {

struct LandlockPolicy {
    int abi = 0;                              // from probe_kernel_features(); 0 skips
    std::vector<std::string> writable_paths;  // full access beneath each
};

// Creates the ruleset, adds the rules and restricts the calling thread (and its future
// children). Needs no_new_privs first. ABI 6+ also scopes signals and abstract unix sockets
// to the sandbox.
Status apply_landlock(const LandlockPolicy& policy);

// The filesystem rights handled at a given ABI (what the ruleset denies unless granted).
unsigned long long landlock_handled_fs(int abi);

}  // namespace kars::sandbox
