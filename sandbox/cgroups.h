// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Resource limits through cgroups. The supervisor creates <hierarchy>/<its cgroup>/kars/<name>,
// writes the limits, moves the sandbox in before it runs anything, and removes the group at
// teardown. cgroup v2 is used when it has every controller the limits need; otherwise the v1
// hierarchies (memory, cpu, pids) are used; when neither is writable the plan carries a
// warning and no limits.

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/result.h"
#include "sandbox/sandbox_spec.h"

namespace kars::sandbox {

enum class CgroupMode { kNone, kV2, kV1 };

struct CgroupPlan {
    CgroupMode mode = CgroupMode::kNone;
    std::vector<std::string> leaf_dirs;    // kars/<name> per hierarchy (one for v2)
    std::vector<std::string> parent_dirs;  // kars/ per hierarchy, removed when empty
    std::string warning;                   // set when limits could not be applied
};

// Creates the groups and writes the limits. Never fails for lack of cgroup support: that is
// reported in plan.warning. Fails when a group exists and is busy, or a limit write fails.
Result<CgroupPlan> create_cgroups(const std::string& name, const ResourceLimits& limits);

// Writes pid into cgroup.procs of every leaf.
Status attach_to_cgroups(const CgroupPlan& plan, pid_t pid);

// Removes the leaves (retrying while the kernel still counts exiting tasks) and the kars/
// parents when empty.
Status remove_cgroups(const CgroupPlan& plan);

// Where the cgroup2 hierarchy and v1 controller hierarchies are mounted, from mountinfo.
std::string cgroup2_mount_point();

}  // namespace kars::sandbox
