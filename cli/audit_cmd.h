// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// `kars audit ...`: verify and read tamper-evident audit logs (docs/audit-format.md).

#include <CLI/CLI.hpp>

namespace kars::cli {

// Adds `audit verify` and `audit tail` to `app`. Their callbacks signal a non-zero exit code
// by throwing CLI::RuntimeError(code): 1 when verification fails, 2 for usage or I/O errors.
void register_audit_commands(CLI::App& app);

}  // namespace kars::cli
