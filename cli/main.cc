// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
    CLI::App app{"kars: a secure runtime for AI agents"};
    app.require_subcommand(1);
    CLI11_PARSE(app, argc, argv);
    return 0;
}
