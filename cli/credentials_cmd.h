// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// `kars credentials set PROVIDER --api-key-file FILE | --api-key-env VAR [--base-url URL]`.

#include <CLI/CLI.hpp>

namespace kars::cli {

// Failures throw CLI::RuntimeError(1) after printing one line; usage errors are CLI11's.
void register_credentials_commands(CLI::App& app);

}  // namespace kars::cli
