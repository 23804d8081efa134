// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Tearing a sandbox down from its run record, whatever state it is in: running, ended,
// or half gone after a crash. Every recorded process still running (same pid and start
// time) gets SIGTERM, then SIGKILL after the grace period; cgroups left behind are emptied
// and removed; then the run record goes. The state dir (audit log, budget) is kept.

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/run_record.h"
#include "core/result.h"

namespace kars::cli {

struct TeardownReport {
    bool was_running = false;
    bool needed_sigkill = false;
    std::chrono::microseconds elapsed{0};
};

// Fails only when something could not be removed (a process that outlived SIGKILL, a busy
// cgroup); the message names it.
Result<TeardownReport> tear_down(const std::filesystem::path& dir, const RunRecord& record,
                                 std::chrono::milliseconds grace);

}  // namespace kars::cli
