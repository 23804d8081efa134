// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Capabilities: the agent ends with none in any set, cannot regain them through exec of a
// file with capabilities or a setuid-root binary, and root inside gets no special treatment.

#include <sys/types.h>

#include "core/result.h"

namespace kars::sandbox {

// Must run while still uid 0 inside the namespace (CAP_SETPCAP is needed for the bounding
// set and securebits). Locks securebits, empties the bounding set, switches to uid/gid, then
// clears ambient, inheritable, permitted and effective and verifies they are empty.
Status drop_capabilities(uid_t uid, gid_t gid);

// PR_SET_NO_NEW_PRIVS: execve can never grant privileges again (setuid bits, file caps).
Status set_no_new_privs();

}  // namespace kars::sandbox
