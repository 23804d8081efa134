// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The user namespace: root inside maps to an unprivileged host id range, and the agent runs
// as a non-root id inside it, so even a full namespace escape lands on an id that owns
// nothing on the host.

#include <sys/types.h>

#include "core/result.h"
#include "sandbox/sandbox_spec.h"

namespace kars::sandbox {

// Run by the supervisor (outside) for the cloned child: "0 <host_id_base> <id_count>" into
// /proc/<pid>/uid_map and gid_map. The writer holds CAP_SETUID/CAP_SETGID in the parent
// namespace, so setgroups stays "allow" and the child may call setgroups() itself.
Status write_id_maps(pid_t pid, const SandboxSpec& spec);

// In the child, once the maps exist: clone(CLONE_NEWUSER) leaves the child with the
// caller's host ids, which are unmapped inside (they show as the overflow id, 65534, and the
// kernel refuses to create files owned by them with EOVERFLOW). Switching to 0/0 makes it
// root of the namespace, i.e. host_id_base outside.
Status become_namespace_root();

// In the child: the supplementary groups become exactly {gid}, then gid, then uid (in that
// order, because after setresuid the process no longer has CAP_SETGID).
Status become_agent_user(uid_t uid, gid_t gid);

}  // namespace kars::sandbox
