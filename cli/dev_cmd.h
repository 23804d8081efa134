// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// `kars dev -f sandbox.yaml`: run one sandbox with its router beside it (docs/dev.md). In
// the foreground the exit code is the agent's; with --detach it is 0 once the agent runs.
// 1 when kars dev itself fails, 2 for usage.

#include <CLI/CLI.hpp>

namespace kars::cli {

void register_dev_command(CLI::App& app);

}  // namespace kars::cli
