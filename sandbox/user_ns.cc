// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "sandbox/user_ns.h"

#include <fcntl.h>
#include <grp.h>
#include <unistd.h>

#include <string>

#include "sandbox/sys_error.h"

namespace kars::sandbox {
namespace {

Status write_map(pid_t pid, const char* file, unsigned base, unsigned count) {
    std::string path = "/proc/" + std::to_string(pid) + "/" + file;
    std::string line = "0 " + std::to_string(base) + " " + std::to_string(count) + "\n";
    int fd = retry_eintr([&] { return open(path.c_str(), O_WRONLY | O_CLOEXEC); });
    if (fd < 0) {
        return sys_error("open", path);
    }
    // user_namespaces(7): the map must be written in a single write(2).
    ssize_t n = retry_eintr([&] { return write(fd, line.data(), line.size()); });
    int err = errno;
    close(fd);
    if (n != static_cast<ssize_t>(line.size())) {
        return sys_error("write", path + " <- " + line.substr(0, line.size() - 1), err);
    }
    return ok_status();
}

}  // namespace

Status write_id_maps(pid_t pid, const SandboxSpec& spec) {
    if (spec.host_id_base == 0) {
        return setup_error("host_id_base 0 would map root inside to host root");
    }
    if (auto s = write_map(pid, "uid_map", spec.host_id_base, spec.id_count); !s) {
        return s;
    }
    return write_map(pid, "gid_map", spec.host_id_base, spec.id_count);
}

Status become_namespace_root() {
    if (setresgid(0, 0, 0) < 0) {
        return sys_error("setresgid", "0 inside the user namespace");
    }
    if (setresuid(0, 0, 0) < 0) {
        return sys_error("setresuid", "0 inside the user namespace");
    }
    return ok_status();
}

Status become_agent_user(uid_t uid, gid_t gid) {
    if (uid == 0 || gid == 0) {
        return setup_error("the agent must not run as root inside the sandbox (uid/gid 0)");
    }
    if (setgroups(1, &gid) < 0) {
        return sys_error("setgroups", std::to_string(gid));
    }
    if (setresgid(gid, gid, gid) < 0) {
        return sys_error("setresgid", std::to_string(gid));
    }
    if (setresuid(uid, uid, uid) < 0) {
        return sys_error("setresuid", std::to_string(uid));
    }
    return ok_status();
}

}  // namespace kars::sandbox
