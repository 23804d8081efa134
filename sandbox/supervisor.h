// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The supervisor: one small process per sandbox, forked by the launcher. It creates the
// cgroup, clones the sandbox into its new namespaces, writes the id maps, moves it into the
// cgroup, then waits: it reaps the sandbox, kills it when asked (SIGTERM) or when the caller
// dies (PR_SET_PDEATHSIG), removes the cgroup and reports the agent's wait status.
// Internal to the launcher.

#include <sys/types.h>

#include "sandbox/contain.h"

namespace kars::sandbox {

struct SupervisorChannels {
    int control = -1;  // shared with the sandbox; see contain.h
    int report = -1;   // to the caller: "exit <wait status>" once everything is torn down
};

// Runs in the forked supervisor; never returns.
[[noreturn]] void run_supervisor(const ChildPlan& plan, bool use_user_namespace, pid_t caller,
                                 SupervisorChannels channels);

}  // namespace kars::sandbox
