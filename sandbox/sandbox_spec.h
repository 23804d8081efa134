// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// SandboxSpec: everything `kars dev` decides about one local sandbox. The launcher turns it
// into namespaces, mounts, limits and filters; nothing here talks to the kernel.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace kars::sandbox {

// A path the agent may write. An empty host_source means a fresh tmpfs owned by the agent;
// otherwise the host directory is bind-mounted read-write (it must already be writable by
// the mapped host uid, host_id_base + uid).
struct WritablePath {
    std::string path;
    std::string host_source;
};

// A TCP listener created inside the sandbox's network namespace and handed back to the
// caller, so the router (outside) accepts what the agent sends to 127.0.0.1:<port>.
struct ListenSocketSpec {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;
    int backlog = 128;
};

// Zero means "no limit from this spec".
struct ResourceLimits {
    std::uint64_t memory_bytes = 0;
    std::uint64_t cpu_quota_us = 0;  // per cpu_period_us; 200000/100000 = two CPUs
    std::uint64_t cpu_period_us = 100000;
    std::uint64_t pids_max = 0;
    std::uint64_t open_files = 4096;  // RLIMIT_NOFILE, only ever lowered
};

struct SandboxSpec {
    std::string name;               // [a-z0-9-], also the hostname
    std::vector<std::string> argv;  // argv[0] is a path or a name looked up in PATH
    std::vector<std::pair<std::string, std::string>> env;
    std::vector<WritablePath> writable_paths{{"/sandbox", ""}, {"/tmp", ""}};
    std::string rootfs;                     // empty: the host root, read-only
    std::vector<std::string> hidden_paths;  // replaced by empty read-only mounts
    ResourceLimits limits;
    uid_t uid = 1000;  // the agent's ids inside the sandbox
    gid_t gid = 1000;
    uid_t host_id_base = 100000;  // inside id 0 maps to this host id
    std::uint32_t id_count = 65536;
    std::string seccomp_profile_path;  // OCI/Docker JSON; empty only with allow_degraded
    bool allow_degraded = false;       // run without Landlock/userns/seccomp profile
    std::vector<ListenSocketSpec> listen_sockets{{"127.0.0.1", 8443, 128},
                                                 {"127.0.0.1", 8444, 128}};
    std::string working_dir = "/sandbox";
    // When set, the supervisor writes "exit <wait status>" here once the sandbox is torn
    // down, so the end is on record even when the caller of launch() died first.
    std::string exit_record_path;
    int stdin_fd = 0;  // caller fds that become the agent's 0, 1, 2
    int stdout_fd = 1;
    int stderr_fd = 2;
};

// The paths hidden by default: the invoking user's home and ~/.kars, /root, and the host's
// credential stores.
std::vector<std::string> default_hidden_paths();

// A spec with the defaults above, the default hidden paths and the shipped strict profile.
SandboxSpec make_default_spec(std::string name, std::vector<std::string> argv);

// The agent's environment: exactly spec.env plus the router endpoints, proxy variables,
// KARS_SANDBOX_NAME and HOME=/sandbox (which win over spec.env). Nothing is inherited.
std::vector<std::string> build_environment(const SandboxSpec& spec);

}  // namespace kars::sandbox
