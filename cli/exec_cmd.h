// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Commands inside a running sandbox (docs/dev.md):
//   kars exec NAME [-t] -- CMD [ARG...]   one command, exit code propagated (128+N when
//                                         killed by signal N; 125 when kars could not start
//                                         it, 126 not executable, 127 not found)
//   kars connect NAME [--shell PATH]      an interactive shell, on a pty when stdin is a tty
// The command gets the agent's namespaces, cgroups, uid, capabilities (none), no_new_privs,
// Landlock rules, seccomp filters and environment (sandbox/join.h).

#include <CLI/CLI.hpp>

namespace kars::cli {

void register_exec_commands(CLI::App& app);

}  // namespace kars::cli
