// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

#include <CLI/App.hpp>

namespace kars::cli {

// `kars approvals list|approve|deny NAME ...`: answers the actions a sandbox's governance
// policy holds for a person (core/approvals/approval_store.h).
void register_approvals_commands(CLI::App& app);

}  // namespace kars::cli
