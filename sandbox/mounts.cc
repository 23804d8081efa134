// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "sandbox/mounts.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <string>

#include "sandbox/sys_error.h"

namespace kars::sandbox {
namespace {

// Entries of the host root never bound into the sandbox: /proc, /dev and /sys get their own
// treatment (fresh proc, minimal dev, no sysfs at all).
bool is_special_top_level(const std::string& name) {
    return name == "proc" || name == "dev" || name == "sys";
}

std::string staged(const std::string& inside_path) {
    return std::string(kStagingRoot) + inside_path;
}

std::string top_level_of(const std::string& path) {
    auto rest = path.substr(1);
    return rest.substr(0, rest.find('/'));
}

// mount_setattr(2), Linux 5.12: one call makes a whole detached tree read-only, where the
// old API needs a MS_REMOUNT per submount and misses mounts that appear meanwhile.
Status set_tree_attributes(int fd, unsigned long attrs, const std::string& what) {
    mount_attr attr{};
    attr.attr_set = attrs;
    if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0) {
        return sys_error("mount_setattr", what);
    }
    return ok_status();
}

Result<int> clone_tree(const std::string& source, bool read_only) {
    int fd = static_cast<int>(syscall(SYS_open_tree, AT_FDCWD, source.c_str(),
                                      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE));
    if (fd < 0) {
        return sys_error("open_tree", source);
    }
    unsigned long attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
    if (read_only) {
        attrs |= MOUNT_ATTR_RDONLY;
    }
    if (auto s = set_tree_attributes(fd, attrs, source); !s) {
        close(fd);
        return s.error();
    }
    return fd;
}

Status attach_tree(int fd, const std::string& target) {
    if (syscall(SYS_move_mount, fd, "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) < 0) {
        return sys_error("move_mount", target);
    }
    close(fd);
    return ok_status();
}

Status make_mount_point(const std::string& path, bool is_dir) {
    if (is_dir) {
        if (mkdir(path.c_str(), 0755) < 0 && errno != EEXIST) {
            return sys_error("mkdir", path);
        }
        return ok_status();
    }
    int fd = open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0444);
    if (fd < 0) {
        return sys_error("open", path + " (mount point)");
    }
    close(fd);
    return ok_status();
}

bool is_writable_top_level(const SandboxSpec& spec, const std::string& name) {
    for (const auto& w : spec.writable_paths) {
        if (w.path == "/" + name) {
            return true;
        }
    }
    return false;
}

}  // namespace

Status make_mounts_private() {
    // mount_namespaces(7): without this, mounts made below could propagate to the host's
    // peer group when the namespace was cloned from a shared mount.
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) {
        return sys_error("mount", "/, MS_REC|MS_PRIVATE");
    }
    return ok_status();
}

Result<RootPlan> snapshot_root(const SandboxSpec& spec) {
    RootPlan plan;
    std::string root = spec.rootfs.empty() ? "/" : spec.rootfs;
    DIR* dir = opendir(root.c_str());
    if (dir == nullptr) {
        return sys_error("opendir", root);
    }
    while (dirent* d = readdir(dir)) {
        std::string name = d->d_name;
        if (name == "." || name == ".." || is_special_top_level(name) ||
            is_writable_top_level(spec, name)) {
            continue;
        }
        std::string source = (root == "/" ? "" : root) + "/" + name;
        struct stat st {};
        if (lstat(source.c_str(), &st) < 0) {
            continue;  // vanished meanwhile
        }
        RootPlan::Entry entry;
        entry.name = name;
        if (S_ISLNK(st.st_mode)) {
            char target[PATH_MAX];
            ssize_t n = readlink(source.c_str(), target, sizeof(target) - 1);
            if (n < 0) {
                closedir(dir);
                return sys_error("readlink", source);
            }
            entry.symlink_target.assign(target, static_cast<size_t>(n));
        } else {
            entry.is_dir = S_ISDIR(st.st_mode);
            auto fd = clone_tree(source, true);
            if (!fd) {
                closedir(dir);
                return fd.error();
            }
            entry.tree_fd = *fd;
        }
        plan.entries.push_back(entry);
    }
    closedir(dir);
    for (const auto& w : spec.writable_paths) {
        if (w.path.empty() || w.path.front() != '/') {
            return setup_error("writable path must be absolute: " + w.path);
        }
        if (!w.host_source.empty()) {
            auto fd = clone_tree(w.host_source, false);
            if (!fd) {
                return fd.error();
            }
            plan.writable_binds.emplace_back(w.path, *fd);
        }
    }
    // Hidden paths are resolved on the host, where their symlinks point; a path that does
    // not exist has nothing to hide.
    for (const auto& h : spec.hidden_paths) {
        char real[PATH_MAX];
        if (realpath(h.c_str(), real) != nullptr) {
            plan.hidden.emplace_back(real);
        }
    }
    return plan;
}

Status mount_staging_root() {
    if (mount("kars-root", kStagingRoot, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") < 0) {
        return sys_error("mount", std::string("tmpfs staging root on ") + kStagingRoot);
    }
    return ok_status();
}

Status attach_root_entries(RootPlan& plan) {
    for (auto& entry : plan.entries) {
        std::string target = staged("/" + entry.name);
        if (!entry.symlink_target.empty()) {
            if (symlink(entry.symlink_target.c_str(), target.c_str()) < 0) {
                return sys_error("symlink", target + " -> " + entry.symlink_target);
            }
            continue;
        }
        if (auto s = make_mount_point(target, entry.is_dir); !s) {
            return s;
        }
        if (auto s = attach_tree(entry.tree_fd, target); !s) {
            return s;
        }
        entry.tree_fd = -1;
    }
    return ok_status();
}

Status mount_writable_paths(const SandboxSpec& spec, RootPlan& plan) {
    for (const auto& w : spec.writable_paths) {
        std::string target = staged(w.path);
        bool top_level = top_level_of(w.path) == w.path.substr(1);
        if (top_level) {
            if (auto s = make_mount_point(target, true); !s) {
                return s;
            }
        } else if (access(target.c_str(), F_OK) < 0) {
            return setup_error("writable path " + w.path +
                               " does not exist in the read-only root;"
                               " only top-level writable paths are created");
        }
        int bind_fd = -1;
        for (auto& [path, fd] : plan.writable_binds) {
            if (path == w.path) {
                bind_fd = fd;
                fd = -1;
            }
        }
        if (bind_fd >= 0) {
            if (auto s = attach_tree(bind_fd, target); !s) {
                return s;
            }
            continue;
        }
        // /tmp keeps its sticky world-writable mode; other paths belong to the agent.
        std::string options = w.path == "/tmp" ? "mode=1777"
                                               : "mode=0755,uid=" + std::to_string(spec.uid) +
                                                     ",gid=" + std::to_string(spec.gid);
        if (mount("kars-writable", target.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) <
            0) {
            return sys_error("mount", "tmpfs " + w.path);
        }
    }
    return ok_status();
}

Status hide_paths(const RootPlan& plan) {
    for (const auto& path : plan.hidden) {
        std::string target = staged(path);
        struct stat st {};
        if (lstat(target.c_str(), &st) < 0) {
            continue;  // not part of the sandbox's view (e.g. under /proc or /sys)
        }
        if (S_ISDIR(st.st_mode)) {
            if (mount("kars-hidden", target.c_str(), "tmpfs",
                      MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0555,size=4k") < 0) {
                return sys_error("mount", "tmpfs over hidden " + path);
            }
            continue;
        }
        // A file is covered by /dev/null on a nodev bind: opening it fails with EACCES.
        if (mount("/dev/null", target.c_str(), nullptr, MS_BIND, nullptr) < 0) {
            return sys_error("mount", "/dev/null over hidden " + path);
        }
        if (mount(nullptr, target.c_str(), nullptr,
                  MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  nullptr) < 0) {
            return sys_error("mount", "remount hidden " + path + " read-only");
        }
    }
    return ok_status();
}

Status mount_fresh_proc() {
    std::string target = staged("/proc");
    if (auto s = make_mount_point(target, true); !s) {
        return s;
    }
    // proc(5): a proc mount shows the PID namespace of the mounting process, so the agent
    // sees only its own sandbox. The kernel allows it in a user namespace only while a fully
    // visible proc is mounted in this mount namespace (the host one, still attached here).
    if (mount("proc", target.c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) < 0) {
        return sys_error("mount", "proc on " + target);
    }
    return ok_status();
}

Status mount_minimal_dev() {
    std::string dev = staged("/dev");
    if (auto s = make_mount_point(dev, true); !s) {
        return s;
    }
    if (mount("kars-dev", dev.c_str(), "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k") < 0) {
        return sys_error("mount", "tmpfs on " + dev);
    }
    for (const char* node : {"null", "zero", "full", "random", "urandom"}) {
        std::string target = dev + "/" + node;
        std::string source = std::string("/dev/") + node;
        if (auto s = make_mount_point(target, false); !s) {
            return s;
        }
        if (mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) < 0) {
            return sys_error("mount", "bind " + source);
        }
    }
    const std::pair<const char*, const char*> links[] = {{"/proc/self/fd", "fd"},
                                                         {"/proc/self/fd/0", "stdin"},
                                                         {"/proc/self/fd/1", "stdout"},
                                                         {"/proc/self/fd/2", "stderr"}};
    for (const auto& [target, name] : links) {
        if (symlink(target, (dev + "/" + name).c_str()) < 0) {
            return sys_error("symlink", dev + "/" + name);
        }
    }
    std::string shm = dev + "/shm";
    if (auto s = make_mount_point(shm, true); !s) {
        return s;
    }
    if (mount("kars-shm", shm.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777") <
        0) {
        return sys_error("mount", "tmpfs on " + shm);
    }
    // The nodes are in place: nothing may create new ones.
    if (mount(nullptr, dev.c_str(), nullptr, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC,
              "mode=0755,size=64k") < 0) {
        return sys_error("mount", "remount " + dev + " read-only");
    }
    return ok_status();
}

Status seal_staging_root() {
    if (mount(nullptr, kStagingRoot, nullptr, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
              "mode=0755,size=1m") < 0) {
        return sys_error("mount", std::string("remount staging root read-only ") + kStagingRoot);
    }
    return ok_status();
}

Status pivot_into_staging_root() {
    if (chdir(kStagingRoot) < 0) {
        return sys_error("chdir", kStagingRoot);
    }
    // pivot_root(2), NOTES: pivot_root(".", ".") stacks the old root on top of the new one at
    // "/", so no put_old directory is needed; the detach below then removes it.
    if (syscall(SYS_pivot_root, ".", ".") < 0) {
        return sys_error("pivot_root", kStagingRoot);
    }
    if (umount2(".", MNT_DETACH) < 0) {
        return sys_error("umount2", "old root");
    }
    if (chdir("/") < 0) {
        return sys_error("chdir", "/");
    }
    return ok_status();
}

}  // namespace kars::sandbox
