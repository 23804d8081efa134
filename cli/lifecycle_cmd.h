// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The verbs that look after sandboxes started by `kars dev` (docs/dev.md):
//   kars list                      NAME, STATE, AGE, PID of every recorded sandbox
//   kars status NAME [--json]      state, exit code or signal, pids, router, logs, audit log
//   kars logs NAME [-f]            the agent's output; -f follows until the sandbox ends
//   kars destroy NAME [--grace S]  stop everything, remove cgroups and the run record
// Exit codes: 0, 1 when the verb fails (unknown NAME included), 2 for usage.

#include <CLI/CLI.hpp>

namespace kars::cli {

void register_lifecycle_commands(CLI::App& app);

}  // namespace kars::cli
