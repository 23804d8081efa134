// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// kars-router's own configuration file (YAML). Every field is documented in
// docs/router-config.md. The sandbox's identity comes from here and nowhere else: a request
// header can never change which sandbox's budget, limits or audit trail it is charged to.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"

namespace kars::router::config {

struct ProviderConfig {
    std::string name;  // referenced from `models`
    std::string kind;  // openai | azure-openai | anthropic | github-models | replay
    std::string base_url;
    std::string api_key;  // resolved secret; never logged
    std::string api_key_file;
    std::string api_key_env;
    std::string auth = "api-key";  // azure-openai: api-key | bearer
    std::string api_version = "2024-10-21";
    std::string url_style = "v1";  // azure-openai: v1 | deployments
    std::string anthropic_version = "2023-06-01";
    std::string cassette;   // replay: cassette to serve
    std::string record_to;  // any real provider: also write exchanges to this cassette
};

// A model name the agent may ask for, and the ordered upstream targets that serve it; the
// next target is tried when one answers 429 or 5xx.
struct ModelTarget {
    std::string provider;
    std::string model;  // model/deployment sent upstream; empty = as requested
};

struct Limits {
    std::size_t max_body_bytes = 4 * 1024 * 1024;
    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_header_count = 100;
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds body_timeout{30'000};
    std::size_t max_upstream_response_bytes = 32 * 1024 * 1024;
};

struct RateLimit {
    double requests_per_second = 0;  // 0 disables
    double burst = 0;
};

struct UpstreamSettings {
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds first_byte_timeout{120'000};
    std::chrono::milliseconds idle_timeout{120'000};
    std::string ca_file;
};

struct AuditSettings {
    std::string path;         // required: the audit trail is not optional
    std::string signing_key;  // Ed25519 PEM; created if missing
    std::size_t checkpoint_every = 100;
    std::chrono::milliseconds checkpoint_interval{5'000};
};

// One blocklist file for the egress proxy and how its lines are written.
struct EgressBlocklistFile {
    std::string path;
    std::string format = "auto";  // auto | hosts | domains | adblock
};

// One allowed egress destination as written in the config (validated by the egress engine).
struct EgressEndpointConfig {
    std::string host;
    std::uint32_t port = 0;
};

// The egress forward proxy (docs/router-config.md, "egress"). Off unless `listen` is set or
// the supervisor passes --egress-listen-fd.
struct EgressSettings {
    bool listen_set = false;
    std::string listen_host = "127.0.0.1";
    std::uint16_t listen_port = 8444;
    std::string mode = "enforce";  // enforce | learn
    bool mode_set = false;         // written in the config (learn needs an explicit request)
    std::string learn_file;        // learn mode's record (JSON), rewritten per new host
    std::vector<EgressEndpointConfig> allowed_endpoints;
    std::vector<EgressBlocklistFile> blocklists;
    std::string approvals_dir;  // EgressApproval YAML files; empty = none
    // How often blocklist files, the approvals directory and the manifest are checked for
    // changes (mtime, size, inode); a change rebuilds the egress policy. 0 turns it off.
    std::chrono::milliseconds watch_interval{1000};
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds idle_timeout{300'000};
    std::chrono::seconds max_tunnel_lifetime{3600};
    std::size_t max_tunnels = 256;
};

// Governance (docs/router-config.md, "governance"): the AGT-format profiles every tool call,
// inference call and /v1/governance/evaluate question is decided by. ToolPolicy resources
// come from the sandbox manifest.
struct GovernanceSettings {
    // Profile files, merged. When the section or the key is absent the router's built-in
    // default profile applies; an explicit empty list means "ToolPolicies and per-kind
    // defaults only".
    std::vector<std::string> profiles;
    bool use_builtin_default = true;
    // Also audit each tool that is offered and allowed (removals are always audited).
    bool audit_offered_tools = false;
    // Where RequiresApproval actions are filed for `kars approvals`; empty: nowhere, and
    // such actions are simply refused.
    std::string approvals_dir;
    // How long a filed request waits for an answer before it expires.
    std::chrono::seconds approval_timeout{900};
    // How often profile files and the manifest are checked for changes (mtime, size,
    // inode); a change reloads the configuration as SIGHUP does. 0 turns it off.
    std::chrono::milliseconds watch_interval{1000};
};

// The MCP gateway at /mcp. Which servers it fronts comes from the McpServer resources of
// the manifest; these settings say how it treats them and its clients.
struct McpSettings {
    // Tool definition pins (JSON). Default: mcp-pins.json beside the audit log, so pins
    // survive restarts exactly as long as the audit trail does.
    std::string pins_file;
    std::chrono::milliseconds call_timeout{60'000};
    std::chrono::milliseconds list_timeout{30'000};
    std::size_t max_message_bytes = 4 * 1024 * 1024;
    std::size_t max_sessions = 256;
    std::chrono::seconds session_idle_timeout{1800};
    // Host header values accepted besides loopback names and addresses (DNS rebinding
    // defence), and the Origin values accepted from browsers (none by default).
    std::vector<std::string> allowed_hosts;
    std::vector<std::string> allowed_origins;
    // Router environment variables a stdio server inherits; nothing else is passed on
    // unless its McpServer names it (the router's environment holds credentials).
    std::vector<std::string> inherit_env = {"PATH", "HOME", "LANG", "TMPDIR"};
    // What `${KARS_MANIFEST_DIR}` stands for in a stdio server's command and workingDir, so
    // a manifest can name servers shipped beside it. Default: the manifest's directory
    // (kars dev, which copies the manifest, points it at the original's).
    std::string manifest_dir;
};

struct RouterConfig {
    std::string listen_host = "127.0.0.1";
    std::uint16_t listen_port = 8443;
    std::string sandbox_name;
    std::string sandbox_namespace = "default";
    std::map<std::string, std::string> sandbox_labels;
    std::string manifest;  // KarsSandbox + InferencePolicy documents; optional
    std::vector<ProviderConfig> providers;
    std::map<std::string, std::vector<ModelTarget>> models;  // "default" catches the rest
    Limits limits;
    RateLimit rate_limit;
    UpstreamSettings upstream;
    AuditSettings audit;
    std::string budget_state;  // token budget persistence file; empty = in memory
    unsigned threads = 1;
    EgressSettings egress;
    GovernanceSettings governance;
    McpSettings mcp;

    const ProviderConfig* provider(const std::string& name) const;
    // The `models` entry a requested model uses: its own, else "default", else null.
    const std::string* route_for(const std::string& model) const;
    // Targets for a requested model: those of route_for(model), else null.
    const std::vector<ModelTarget>* targets_for(const std::string& model) const;
};

// Parses YAML text. `base_dir` resolves relative paths. Secrets named by api_key_file or
// api_key_env (or the override KARS_PROVIDER_<NAME>_API_KEY) are read here, so a config
// whose credentials are missing is rejected at load, not at the first request.
Result<RouterConfig> parse_router_config(const std::string& yaml_text, const std::string& base_dir);

Result<RouterConfig> load_router_config(const std::string& path);

}  // namespace kars::router::config
