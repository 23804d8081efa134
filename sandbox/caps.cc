// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "sandbox/caps.h"

#include <linux/securebits.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include <string>

#include "sandbox/sys_error.h"
#include "sandbox/user_ns.h"

namespace kars::sandbox {
namespace {

// capabilities(7), "The securebits flags": with NOROOT, uid 0 gains nothing at execve; the
// _LOCKED bits make the choice permanent for the agent and its children.
Status lock_securebits() {
    unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP_LOCKED |
                         SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
                         SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
    if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) < 0) {
        return sys_error("prctl", "PR_SET_SECUREBITS");
    }
    return ok_status();
}

Status drop_bounding_set() {
    for (int cap = 0; cap < 64; ++cap) {  // EINVAL past the last cap the kernel knows
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) {
            return sys_error("prctl", "PR_CAPBSET_DROP " + std::to_string(cap));
        }
    }
    return ok_status();
}

Status clear_all_sets() {
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
        return sys_error("prctl", "PR_CAP_AMBIENT_CLEAR_ALL");
    }
    cap_t empty = cap_init();
    if (empty == nullptr) {
        return sys_error("cap_init", "");
    }
    int rc = cap_set_proc(empty);
    int err = errno;
    cap_free(empty);
    if (rc < 0) {
        return sys_error("capset", "empty", err);
    }
    return ok_status();
}

Status verify_no_capabilities() {
    cap_t now = cap_get_proc();
    if (now == nullptr) {
        return sys_error("capget", "");
    }
    cap_t empty = cap_init();
    int diff = cap_compare(now, empty);
    cap_free(now);
    cap_free(empty);
    if (diff != 0) {
        return setup_error("capabilities remain after dropping them all");
    }
    if (prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) != 0) {
        return setup_error("CAP_SYS_ADMIN is still in the bounding set");
    }
    return ok_status();
}

}  // namespace

Status drop_capabilities(uid_t uid, gid_t gid) {
    if (auto s = lock_securebits(); !s) {
        return s;
    }
    if (auto s = drop_bounding_set(); !s) {
        return s;
    }
    if (auto s = become_agent_user(uid, gid); !s) {
        return s;
    }
    if (auto s = clear_all_sets(); !s) {
        return s;
    }
    return verify_no_capabilities();
}

Status set_no_new_privs() {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        return sys_error("prctl", "PR_SET_NO_NEW_PRIVS");
    }
    return ok_status();
}

}  // namespace kars::sandbox
