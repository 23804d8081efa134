// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Every isolation step reports failure the same way: the syscall, what it was applied to, and
// the errno text, so a user reading "mount(/proc): Operation not permitted" knows which
// kernel check refused.

#include <cerrno>
#include <cstring>
#include <string>

#include "core/result.h"

namespace kars::sandbox {

inline Error sys_error(const std::string& call, const std::string& what, int err = errno) {
    std::string message = call;
    if (!what.empty()) {
        message += "(" + what + ")";
    }
    message += ": ";
    message += std::strerror(err);
    return make_error("sandbox_setup", message);
}

inline Error setup_error(const std::string& message) {
    return make_error("sandbox_setup", message);
}

// Retries a syscall wrapper that failed with EINTR.
template <typename F>
auto retry_eintr(F&& f) {
    decltype(f()) rc;
    do {
        rc = f();
    } while (rc == -1 && errno == EINTR);
    return rc;
}

}  // namespace kars::sandbox
