// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// McpServer resources (kars.azure.com/v1alpha1, crd-mcpserver.yaml) compiled from the JSON
// spec the manifest loader keeps. Fields read:
//   url            remote streamable-HTTP endpoint (http or https, no userinfo)
//   stdio          kars extension: a local server started by the router,
//                  {command: [argv...], env: [{name, value | valueFromEnv}], workingDir}
//   allowedTools   tool names, or ["*"]; empty or absent allows none (fail-closed, per CRD)
//   bearerFromEnv  router env var whose value is sent as "Authorization: Bearer" (url only)
//   allowedSandboxes.matchLabels
//   displayName, productionMode, oauth, scopes: checked and recorded; kars does no outbound
//                  OAuth yet, so oauth and scopes change nothing at run time
//   bundleRef      refused: signed bundles are resolved by the controller, not locally
// Exactly one of url, stdio, bundleRef. Unknown fields are errors naming the field. Errors
// have code "invalid_mcp_server" and read "McpServer/<namespace>/<name>: spec.<path>: <reason>".

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/governance/decision.h"
#include "core/manifest/manifest.h"
#include "core/result.h"

namespace kars::mcp {

inline constexpr std::size_t kMaxStdioArgs = 64;
inline constexpr std::size_t kMaxStdioEnv = 64;
inline constexpr std::size_t kMaxToolNameLength = 128;

// One variable of a stdio server's environment: exactly one of value / value_from_env.
// value_from_env names a variable of the router's own environment, which is how a credential
// reaches a local server without being written into the manifest.
struct EnvVar {
    std::string name;
    std::string value;
    std::string value_from_env;
};

struct StdioLaunch {
    std::vector<std::string> argv;  // argv[0] is the program; never empty
    std::vector<EnvVar> env;        // the whole environment: nothing is inherited implicitly
    std::string cwd;                // absolute, or empty for the router's choice
};

struct McpServerSpec {
    std::string source;          // "McpServer/<namespace>/<name>"
    std::string name;            // metadata.name
    std::string namespace_name;  // metadata.namespace, "default" when unset
    std::string display_name;

    std::string url;                   // remote endpoint; empty for stdio servers
    std::optional<StdioLaunch> stdio;  // set for stdio servers

    std::vector<std::string> allowed_tools;  // "*" alone = every tool; empty = none
    std::string bearer_from_env;
    governance::Labels allowed_sandbox_labels;  // empty selects every sandbox

    bool production_mode = false;
    std::vector<std::string> scopes;
    boost::json::value oauth;  // spec.oauth as written (checked), null when absent
};

Result<McpServerSpec> compile_mcp_server(const manifest::OpaqueResource& resource);
Result<McpServerSpec> compile_mcp_server(const manifest::ObjectMeta& metadata,
                                         const boost::json::value& spec);

// Whether `tool` (an exact name) is in allowedTools, or allowedTools is ["*"].
bool server_allows_tool(const McpServerSpec& spec, std::string_view tool);

// Whether the sandbox's labels contain every allowedSandboxes.matchLabels pair. The CRD's
// "empty = same namespace only" needs the sandbox's namespace, which is the caller's check
// (compare namespace_name); with no labels to match, this selects every sandbox.
bool server_selects_sandbox(const McpServerSpec& spec, const governance::Labels& sandbox_labels);

}  // namespace kars::mcp
