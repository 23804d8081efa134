// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "sandbox/cgroups.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "sandbox/sys_error.h"

namespace kars::sandbox {
namespace {

struct Hierarchies {
    std::string v2_mount;
    std::string v2_current;                         // our cgroup path in the v2 hierarchy
    std::map<std::string, std::string> v1_mounts;   // controller -> mount point
    std::map<std::string, std::string> v1_current;  // controller -> our cgroup path
};

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, sep)) {
        out.push_back(item);
    }
    return out;
}

// mountinfo(5): "id parent major:minor root mountpoint options [optional...] - fstype source
// superoptions". v1 controllers are named in the super options.
Hierarchies discover_hierarchies() {
    Hierarchies h;
    std::ifstream mountinfo("/proc/self/mountinfo");
    std::string line;
    while (std::getline(mountinfo, line)) {
        auto dash = line.find(" - ");
        if (dash == std::string::npos) {
            continue;
        }
        auto left = split(line.substr(0, dash), ' ');
        auto right = split(line.substr(dash + 3), ' ');
        if (left.size() < 5 || right.size() < 3) {
            continue;
        }
        if (right[0] == "cgroup2" && h.v2_mount.empty()) {
            h.v2_mount = left[4];
        } else if (right[0] == "cgroup") {
            for (const auto& opt : split(right[2], ',')) {
                if (opt == "memory" || opt == "cpu" || opt == "pids") {
                    h.v1_mounts.emplace(opt, left[4]);
                }
            }
        }
    }
    // /proc/self/cgroup: "hierarchy-id:controllers:path"; v2 is "0::path".
    std::ifstream cgroup("/proc/self/cgroup");
    while (std::getline(cgroup, line)) {
        auto parts = split(line, ':');
        if (parts.size() < 3) {
            continue;
        }
        std::string path = line.substr(parts[0].size() + parts[1].size() + 2);
        if (parts[1].empty()) {
            h.v2_current = path;
        }
        for (const auto& c : split(parts[1], ',')) {
            h.v1_current[c] = path;
        }
    }
    return h;
}

Status write_file(const std::string& path, const std::string& value) {
    int fd = retry_eintr([&] { return open(path.c_str(), O_WRONLY | O_CLOEXEC); });
    if (fd < 0) {
        return sys_error("open", path);
    }
    ssize_t n = retry_eintr([&] { return write(fd, value.data(), value.size()); });
    int err = errno;
    close(fd);
    if (n != static_cast<ssize_t>(value.size())) {
        return sys_error("write", path + " <- " + value, err);
    }
    return ok_status();
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string join_path(const std::string& a, const std::string& b) {
    if (b.empty() || b == "/") {
        return a;
    }
    if (!a.empty() && a.back() == '/') {
        return a + (b.front() == '/' ? b.substr(1) : b);
    }
    return a + (b.front() == '/' ? b : "/" + b);
}

// A stale leaf from a supervisor that was SIGKILLed is empty and can simply be removed; a
// busy one means a sandbox of that name is still running.
Status make_leaf(const std::string& parent, const std::string& leaf) {
    if (mkdir(parent.c_str(), 0755) < 0 && errno != EEXIST) {
        return sys_error("mkdir", parent);
    }
    if (mkdir(leaf.c_str(), 0755) == 0) {
        return ok_status();
    }
    if (errno != EEXIST) {
        return sys_error("mkdir", leaf);
    }
    if (rmdir(leaf.c_str()) < 0) {
        return sys_error("rmdir", leaf + " (a sandbox of this name is still running?)");
    }
    if (mkdir(leaf.c_str(), 0755) < 0) {
        return sys_error("mkdir", leaf);
    }
    return ok_status();
}

bool v2_has_controllers(const Hierarchies& h, const ResourceLimits& limits) {
    if (h.v2_mount.empty()) {
        return false;
    }
    auto available =
        split(read_file(join_path(h.v2_mount, h.v2_current) + "/cgroup.controllers"), ' ');
    auto has = [&](const std::string& c) {
        for (auto a : available) {
            if (!a.empty() && a.back() == '\n') {
                a.pop_back();
            }
            if (a == c) {
                return true;
            }
        }
        return false;
    };
    return (limits.memory_bytes == 0 || has("memory")) &&
           (limits.cpu_quota_us == 0 || has("cpu")) && (limits.pids_max == 0 || has("pids"));
}

Result<CgroupPlan> create_v2(const Hierarchies& h, const std::string& name,
                             const ResourceLimits& limits) {
    CgroupPlan plan;
    plan.mode = CgroupMode::kV2;
    std::string base = join_path(h.v2_mount, h.v2_current);
    std::string parent = base + "/kars";
    std::string leaf = parent + "/" + name;
    // Controllers must be enabled top-down in cgroup.subtree_control before a child can use
    // them (Documentation/admin-guide/cgroup-v2.rst, "Enabling and Disabling").
    std::string enable = "+memory +cpu +pids";
    if (auto s = write_file(base + "/cgroup.subtree_control", enable); !s) {
        return s.error();
    }
    if (auto s = make_leaf(parent, leaf); !s) {
        return s.error();
    }
    plan.parent_dirs.push_back(parent);
    plan.leaf_dirs.push_back(leaf);
    if (auto s = write_file(parent + "/cgroup.subtree_control", enable); !s) {
        return s.error();
    }
    if (limits.memory_bytes != 0) {
        if (auto s = write_file(leaf + "/memory.max", std::to_string(limits.memory_bytes)); !s) {
            return s.error();
        }
        // Without this the limit is soft: the sandbox would spill into swap instead of OOM.
        (void)write_file(leaf + "/memory.swap.max", "0");
    }
    if (limits.cpu_quota_us != 0) {
        auto value =
            std::to_string(limits.cpu_quota_us) + " " + std::to_string(limits.cpu_period_us);
        if (auto s = write_file(leaf + "/cpu.max", value); !s) {
            return s.error();
        }
    }
    if (limits.pids_max != 0) {
        if (auto s = write_file(leaf + "/pids.max", std::to_string(limits.pids_max)); !s) {
            return s.error();
        }
    }
    return plan;
}

Result<CgroupPlan> create_v1(const Hierarchies& h, const std::string& name,
                             const ResourceLimits& limits) {
    CgroupPlan plan;
    plan.mode = CgroupMode::kV1;
    struct Want {
        const char* controller;
        std::vector<std::pair<std::string, std::string>> files;
    };
    std::vector<Want> wants;
    if (limits.memory_bytes != 0) {
        wants.push_back(
            {"memory", {{"memory.limit_in_bytes", std::to_string(limits.memory_bytes)}}});
    }
    if (limits.cpu_quota_us != 0) {
        wants.push_back({"cpu",
                         {{"cpu.cfs_period_us", std::to_string(limits.cpu_period_us)},
                          {"cpu.cfs_quota_us", std::to_string(limits.cpu_quota_us)}}});
    }
    // pids is always used: it is how teardown proves nothing is left behind.
    Want pids{"pids", {}};
    if (limits.pids_max != 0) {
        pids.files.push_back({"pids.max", std::to_string(limits.pids_max)});
    }
    wants.push_back(pids);
    for (const auto& want : wants) {
        auto mount = h.v1_mounts.find(want.controller);
        if (mount == h.v1_mounts.end()) {
            if (want.files.empty()) {
                continue;
            }
            return setup_error(std::string("cgroup v1 controller '") + want.controller +
                               "' is not mounted");
        }
        auto current = h.v1_current.count(want.controller) ? h.v1_current.at(want.controller) : "/";
        std::string parent = join_path(mount->second, current) + "/kars";
        std::string leaf = parent + "/" + name;
        if (auto s = make_leaf(parent, leaf); !s) {
            return s.error();
        }
        plan.parent_dirs.push_back(parent);
        plan.leaf_dirs.push_back(leaf);
        for (const auto& [file, value] : want.files) {
            if (auto s = write_file(leaf + "/" + file, value); !s) {
                return s.error();
            }
        }
    }
    return plan;
}

}  // namespace

std::string cgroup2_mount_point() {
    return discover_hierarchies().v2_mount;
}

Result<CgroupPlan> create_cgroups(const std::string& name, const ResourceLimits& limits) {
    Hierarchies h = discover_hierarchies();
    if (v2_has_controllers(h, limits)) {
        auto plan = create_v2(h, name, limits);
        if (plan) {
            return plan;
        }
        // A v2 hierarchy we cannot write (no delegation) falls through to v1.
    }
    bool v1_writable =
        !h.v1_mounts.empty() && access(h.v1_mounts.begin()->second.c_str(), W_OK) == 0;
    if (v1_writable) {
        auto plan = create_v1(h, name, limits);
        if (plan) {
            return plan;
        }
        CgroupPlan none;
        none.warning = "cgroup v1 limits could not be applied: " + plan.error().message;
        return none;
    }
    CgroupPlan none;
    none.warning =
        "neither cgroup v2 (with memory, cpu and pids controllers delegated) nor cgroup"
        " v1 is writable: memory, cpu and pids limits are NOT enforced";
    return none;
}

Status attach_to_cgroups(const CgroupPlan& plan, pid_t pid) {
    for (const auto& leaf : plan.leaf_dirs) {
        if (auto s = write_file(leaf + "/cgroup.procs", std::to_string(pid)); !s) {
            return s;
        }
    }
    return ok_status();
}

Status remove_cgroups(const CgroupPlan& plan) {
    Status result = ok_status();
    for (const auto& leaf : plan.leaf_dirs) {
        // rmdir fails with EBUSY until the last task of the group is fully released, which
        // can trail the parent's waitpid() by a little.
        bool removed = false;
        for (int attempt = 0; attempt < 1000 && !removed; ++attempt) {
            if (rmdir(leaf.c_str()) == 0 || errno == ENOENT) {
                removed = true;
            } else if (errno == EBUSY) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            } else {
                break;
            }
        }
        if (!removed) {
            result = sys_error("rmdir", leaf);
        }
    }
    for (const auto& parent : plan.parent_dirs) {
        (void)rmdir(parent.c_str());  // other sandboxes may still live there: ENOTEMPTY is fine
    }
    return result;
}

}  // namespace kars::sandbox
