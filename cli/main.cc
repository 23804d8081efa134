// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// The kars CLI. Each verb group lives in its own file and registers itself here; main only
// turns parse errors and exceptions into exit codes.

#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/approvals_cmd.h"
#include "cli/audit_cmd.h"
#include "cli/credentials_cmd.h"
#include "cli/dev_cmd.h"
#include "cli/egress_cmd.h"
#include "cli/eval_cmd.h"
#include "cli/exec_cmd.h"
#include "cli/lifecycle_cmd.h"
#include "cli/mcp_cmd.h"

namespace {
constexpr int kExitUsage = 2;
}

int main(int argc, char** argv) {
    CLI::App app{"kars: a secure runtime for AI agents"};
    app.require_subcommand(1);
    kars::cli::register_approvals_commands(app);
    kars::cli::register_mcp_commands(app);
    kars::cli::register_audit_commands(app);
    kars::cli::register_credentials_commands(app);
    kars::cli::register_dev_command(app);
    kars::cli::register_eval_commands(app);
    kars::cli::register_egress_commands(app);
    kars::cli::register_lifecycle_commands(app);
    kars::cli::register_exec_commands(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::RuntimeError& e) {
        return e.get_exit_code();  // a verb's own result, already reported
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);  // prints help or the usage error
        return rc == 0 ? 0 : kExitUsage;
    } catch (const std::exception& e) {
        std::cerr << "kars: " << e.what() << "\n";
        return kExitUsage;
    }
    return 0;
}
