// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The sandbox's filesystem view, built in a private mount namespace:
//   1. make every mount private so nothing we do propagates to the host;
//   2. clone the host root's (or rootfs's) top-level entries as detached read-only trees;
//   3. mount a tmpfs staging root and attach the clones to it (symlinks are recreated);
//   4. writable paths: fresh tmpfs or a read-write bind of a host directory;
//   5. hidden paths: an empty read-only tmpfs over directories, a nodev /dev/null over files;
//   6. a fresh /proc for the new PID namespace and a minimal /dev of bound host nodes;
//   7. seal the staging root read-only, pivot_root into it and detach the old root.
// Each step is a separate function so the launcher reads as the list above.

#include <string>
#include <vector>

#include "core/result.h"
#include "sandbox/sandbox_spec.h"

namespace kars::sandbox {

// State that travels between the steps: detached mount fds taken before the staging tmpfs
// hides anything, and the symlinks to recreate.
struct RootPlan {
    struct Entry {
        std::string name;
        int tree_fd = -1;            // open_tree(OPEN_TREE_CLONE) result, or -1 for a symlink
        std::string symlink_target;  // set for symlinks
        bool is_dir = true;
    };
    std::vector<Entry> entries;
    std::vector<std::pair<std::string, int>> writable_binds;  // inside path -> detached tree
    std::vector<std::string> hidden;                          // canonical host paths
};

Status make_mounts_private();
Result<RootPlan> snapshot_root(const SandboxSpec& spec);
Status mount_staging_root();
Status attach_root_entries(RootPlan& plan);
Status mount_writable_paths(const SandboxSpec& spec, RootPlan& plan);
Status hide_paths(const RootPlan& plan);
Status mount_fresh_proc();
Status mount_minimal_dev();
Status seal_staging_root();
Status pivot_into_staging_root();

// Where the staging root is mounted before pivot_root (inside the private namespace only).
inline constexpr const char* kStagingRoot = "/tmp";

}  // namespace kars::sandbox
