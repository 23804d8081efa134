// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// KarsSandbox (kars.azure.com/v1alpha1; legacy kind name ClawSandbox): the fields of the CRD
// schema kars reads, typed, with the CRD's defaults applied. Unknown fields are tolerated
// (the CRD preserves them); known fields of the wrong type are errors naming the path.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/manifest/object_meta.h"
#include "core/manifest/yaml_reader.h"

namespace kars::manifest {

inline constexpr std::string_view kSandboxKind = "KarsSandbox";
inline constexpr std::string_view kLegacySandboxKind = "ClawSandbox";

enum class RuntimeKind {
    kOpenClaw,
    kOpenAIAgents,
    kMicrosoftAgentFramework,
    kSemanticKernel,
    kLangGraph,
    kAnthropic,
    kPydanticAi,
    kHermes,
    kByo,
};

// The CRD's PascalCase wire value ("OpenClaw", "BYO", ...).
std::string_view runtime_kind_name(RuntimeKind kind);

struct GitSource {
    std::string url;
    std::string ref;   // empty: the repository's HEAD
    std::string path;  // empty: the repository root
};

// Where agent code comes from; the CRD requires exactly one of the two.
struct AgentCode {
    std::optional<std::string> oci_image;
    std::optional<GitSource> git;
};

// spec.runtime: the discriminator plus the fields of the one variant block it selects.
struct RuntimeSpec {
    RuntimeKind kind = RuntimeKind::kOpenClaw;
    std::optional<std::string> version;   // openclaw.version, hermes.version
    std::optional<std::string> image;     // openclaw.image, byo.image
    std::optional<std::string> language;  // microsoftAgentFramework, semanticKernel, langGraph
    std::optional<std::string> python_version;  // openaiAgents, anthropic, pydanticAi
    std::optional<AgentCode> agent_code;
    std::vector<std::string> entrypoint;           // <variant>.entrypoint, or byo.command
    std::vector<std::string> args;                 // byo.args
    std::map<std::string, std::string> extra_env;  // <variant>.extraEnv, scalars as text
    std::optional<std::string> contract_version;   // byo.contractVersion (required for BYO)
    boost::json::value openclaw_config;            // openclaw.config as written; null if absent
    boost::json::value byo_env;                    // byo.env (raw EnvVar list); null if absent
};

// spec.sandbox, with the CRD defaults.
struct SandboxSecurity {
    std::string isolation = "enhanced";  // not checked against the CRD enum: see docs/manifest.md
    std::string seccomp_profile = "kars-strict";
    std::string selinux_context;
    bool read_only_root_filesystem = true;
    bool run_as_non_root = true;
    bool allow_privilege_escalation = false;
    std::vector<std::string> writable_paths = {"/sandbox", "/tmp"};
};

// One egress destination. The KarsSandbox CRD requires a port but shipped examples omit it
// and EgressApproval makes it optional, so absence is kept as nullopt for the caller.
struct Endpoint {
    std::string host;
    std::optional<std::uint16_t> port;
    std::string name;  // optional label some manifests carry
};

// Signed OCI artifact reference (networkPolicy.allowlistRef, InferencePolicy bundleRef).
struct OciArtifactRef {
    std::string registry;
    std::string repository;
    std::string digest;
    std::string artifact_type;
};

enum class EgressMode { kLearn, kStrict };

struct NetworkPolicy {
    bool default_deny = true;
    EgressMode egress_mode = EgressMode::kLearn;  // CRD default
    // True only when the manifest wrote egressMode. kars enforces unless learn mode was asked
    // for in so many words, whatever the CRD's default says (docs/egress.md, "Modes").
    bool egress_mode_set = false;
    std::vector<Endpoint> allowed_endpoints;
    std::optional<OciArtifactRef> allowlist_ref;
};

// spec.resources: Kubernetes quantities kept as written ("500m", "4Gi", "2").
struct ResourceRequirements {
    std::map<std::string, std::string> requests;
    std::map<std::string, std::string> limits;
};

struct Governance {
    bool enabled = false;
    std::optional<std::string> tool_policy_ref;  // governance.toolPolicyRef.name
    std::uint64_t trust_threshold = 500;         // 0..1000
    std::string trusted_peers;
    std::string registry_mode = "local";
    // governance.mcpServerRefs[].name, or the deprecated singular mcpServerRef folded in.
    std::vector<std::string> mcp_server_refs;
};

struct AzureService {
    std::string service;
    std::string account;
    std::vector<std::string> permissions;
};

// spec.agent: Foundry prompt-agent settings (incompatible with BYO runtimes).
struct FoundryAgent {
    std::string instructions;
    std::vector<std::string> tools;
    std::vector<std::string> file_ids;
};

struct KarsSandbox {
    SourceRef source;
    std::string kind;  // as written: KarsSandbox or the legacy ClawSandbox
    ObjectMeta metadata;
    RuntimeSpec runtime;
    SandboxSecurity sandbox;
    std::string inference_ref;  // spec.inferenceRef.name (required)
    std::optional<std::string> memory_ref;
    NetworkPolicy network_policy;
    ResourceRequirements resources;
    std::optional<Governance> governance;
    std::vector<AzureService> azure_services;
    std::optional<FoundryAgent> agent;
    bool suspended = false;
};

// Reads one KarsSandbox document; the first problem is recorded in `reader`.
KarsSandbox read_sandbox(FieldReader& reader, const Field& document);

// spec.runtime on its own (sandbox_runtime.cc).
RuntimeSpec read_runtime(FieldReader& reader, const Field& runtime);

// {host, port?, name?}; used by KarsSandbox and EgressApproval.
Endpoint read_endpoint(FieldReader& reader, const Field& entry);

OciArtifactRef read_artifact_ref(FieldReader& reader, const Field& ref);

}  // namespace kars::manifest
