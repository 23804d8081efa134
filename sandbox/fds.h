// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// File descriptors: the sandbox must not inherit anything of the caller's (a router socket,
// a secrets file, the audit log) except the fds the launcher passes on purpose.

#include <vector>

#include "core/result.h"

namespace kars::sandbox {

// Moves the keep fds to 3, 4, ... (updating the vector in place) after dup2-ing the three
// stdio fds to 0, 1, 2, then closes every other fd with close_range(2).
Status arrange_fds(int stdin_fd, int stdout_fd, int stderr_fd, std::vector<int*> keep);

// close_range(first, ~0U, 0): everything from first upwards.
Status close_fds_from(int first);

}  // namespace kars::sandbox
