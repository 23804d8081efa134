// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Which MCP servers a router fronts, and how to reach each: the McpServer resources of the
// sandbox manifest, selected for this sandbox, with their credentials resolved from the
// router's environment. Done when a config is loaded, so a missing credential or a
// reference to an unknown server fails `kars-router --check` and a reload, not a tool call.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/manifest/manifest.h"
#include "core/mcp/server_spec.h"
#include "core/result.h"
#include "router/config/router_config.h"

namespace kars::router::config {

struct McpServerPlan {
    ::kars::mcp::McpServerSpec spec;
    bool stdio = false;
    // stdio servers
    std::vector<std::string> argv;
    std::vector<std::string> env;  // "NAME=value", complete
    std::string cwd;
    // streamable-HTTP servers
    std::string url;
    std::string bearer;
    // Changes whenever anything that needs a restart of the server changes (secrets
    // included, as a digest), so a reload restarts exactly the servers it touched.
    std::string fingerprint;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment.
std::optional<std::string> process_env(const std::string& name);

// Servers are picked as the sandbox asks: the KarsSandbox named in the config lists them
// in governance.mcpServerRefs (each must exist and admit the sandbox), or, without refs,
// every McpServer of the sandbox's namespace that admits it. Sorted by name.
Result<std::vector<McpServerPlan>> build_mcp_plans(const RouterConfig& cfg,
                                                   const manifest::Manifest* manifest,
                                                   const EnvLookup& env = process_env);

}  // namespace kars::router::config
