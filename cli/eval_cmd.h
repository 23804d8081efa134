// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

#include <CLI/App.hpp>

namespace kars::cli {

// `kars eval run CORPUS... -f sandbox.yaml`: replays evaluation corpora against a real
// kars-router configured from the manifest, and fails on any miss.
void register_eval_commands(CLI::App& app);

}  // namespace kars::cli
