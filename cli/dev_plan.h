// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The plan of `kars dev`: a manifest turned into a SandboxSpec for the launcher and a router
// configuration, with every decision written down so `--dry-run` can show it. Building the
// plan touches nothing on disk and starts nothing.

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"
#include "sandbox/sandbox_spec.h"

namespace kars::cli {

struct DevOptions {
    std::filesystem::path manifest;
    std::string name;              // local instance name; empty = the KarsSandbox's metadata.name
    std::filesystem::path replay;  // cassette; empty = the demo cassette shipped with kars
    std::filesystem::path state_dir;  // empty = ~/.kars/sandboxes/<name>
    bool allow_degraded = false;
};

struct DevPlan {
    std::string name;            // local instance name, also the sandbox hostname
    std::string sandbox_name;    // identity the router charges: KarsSandbox metadata.name
    std::string namespace_name;  // "default" when the manifest sets none
    std::filesystem::path manifest;
    std::filesystem::path state_dir;
    std::filesystem::path router_config;  // <state_dir>/router.yaml
    std::filesystem::path audit_log;
    std::filesystem::path router_log;
    std::filesystem::path budget_state;
    std::string provider;          // provider name the policy asks for (e.g. azure-openai)
    std::string provider_source;   // "credential FILE" or "replay cassette FILE"
    std::string inference_policy;  // selected InferencePolicy name, empty if none
    std::string budget;            // human summary of the token budget
    std::string router_config_text;
    sandbox::SandboxSpec spec;
    std::vector<std::string> notes;  // fields read but not enforced locally
    // Set when the plan is valid but cannot run on this machine as laid out (an agent file
    // under a writable tmpfs path): a dry run reports it, a launch refuses.
    std::string launch_blocker;
};

// Loads the manifest and decides everything. Errors name the missing piece and the fix.
Result<DevPlan> make_dev_plan(const DevOptions& options);

// The plan as the human-readable lines `kars dev` prints.
std::string describe_plan(const DevPlan& plan);

}  // namespace kars::cli
