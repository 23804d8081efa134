// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/manifest/sandbox.h"

#include <set>
#include <utility>

namespace kars::manifest {
namespace {

// The CRD caps mcpServerRefs at 8: the router mounts one file set per server.
constexpr std::size_t kMaxMcpServerRefs = 8;
constexpr std::uint64_t kMaxTrustThreshold = 1000;

std::optional<std::string> read_name_ref(FieldReader& r, const Field& ref, bool name_required) {
    if (!r.mapping(ref)) return std::nullopt;
    Field name = ref.at("name");
    auto value = name_required ? std::optional(r.required_string(name)) : r.string(name);
    if (r.ok() && value && value->empty()) r.fail(name.path, "must not be empty");
    return value;
}

bool is_safe_writable_path(std::string_view path) {
    if (!path.starts_with('/')) return false;
    // A ".." segment would let a manifest reach outside the directory it names.
    std::size_t pos = 0;
    while (pos <= path.size()) {
        std::size_t next = path.find('/', pos);
        if (next == std::string_view::npos) next = path.size();
        if (path.substr(pos, next - pos) == "..") return false;
        pos = next + 1;
    }
    return true;
}

SandboxSecurity read_security(FieldReader& r, const Field& f) {
    SandboxSecurity s;
    if (!r.require(f) || !r.mapping(f)) return s;
    if (auto v = r.string(f.at("isolation"))) s.isolation = *v;
    if (auto v = r.string(f.at("seccompProfile"))) s.seccomp_profile = *v;
    if (auto v = r.string(f.at("selinuxContext"))) s.selinux_context = *v;
    if (auto v = r.boolean(f.at("readOnlyRootFilesystem"))) s.read_only_root_filesystem = *v;
    if (auto v = r.boolean(f.at("runAsNonRoot"))) s.run_as_non_root = *v;
    if (auto v = r.boolean(f.at("allowPrivilegeEscalation"))) s.allow_privilege_escalation = *v;

    Field paths = f.at("writablePaths");
    if (paths.present()) s.writable_paths = r.string_list(paths);
    for (std::size_t i = 0; r.ok() && i < s.writable_paths.size(); ++i) {
        if (!is_safe_writable_path(s.writable_paths[i])) {
            r.fail(paths.at(i).path, "must be an absolute path without '..' segments");
        }
    }
    return s;
}

NetworkPolicy read_network(FieldReader& r, const Field& f) {
    NetworkPolicy n;
    if (!r.mapping(f)) return n;
    if (auto v = r.boolean(f.at("defaultDeny"))) n.default_deny = *v;
    if (auto mode = r.enumerated(f.at("egressMode"), {"Strict", "Learn"})) {
        n.egress_mode = *mode == "Strict" ? EgressMode::kStrict : EgressMode::kLearn;
        n.egress_mode_set = true;
    }
    Field endpoints = f.at("allowedEndpoints");
    if (r.sequence(endpoints)) {
        for (std::size_t i = 0; r.ok() && i < endpoints.node.size(); ++i) {
            n.allowed_endpoints.push_back(read_endpoint(r, endpoints.at(i)));
        }
    }
    Field ref = f.at("allowlistRef");
    if (ref.present()) n.allowlist_ref = read_artifact_ref(r, ref);
    return n;
}

ResourceRequirements read_resources(FieldReader& r, const Field& f) {
    ResourceRequirements res;
    if (!r.mapping(f)) return res;
    const std::pair<const char*, std::map<std::string, std::string>*> groups[] = {
        {"requests", &res.requests}, {"limits", &res.limits}};
    for (const auto& [key, target] : groups) {
        Field group = f.at(key);
        if (!r.mapping(group)) continue;
        for (const auto& entry : group.node) {
            const std::string& name = entry.first.Scalar();
            if (auto q = r.quantity(group.at(name))) (*target)[name] = *q;
        }
    }
    return res;
}

Governance read_governance(FieldReader& r, const Field& f) {
    Governance g;
    if (auto v = r.boolean(f.at("enabled"))) g.enabled = *v;

    Field tool_ref = f.at("toolPolicyRef");
    g.tool_policy_ref = read_name_ref(r, tool_ref, false);
    // Cross-namespace references are forbidden by the CRD; "ns/name" is the usual mistake.
    if (r.ok() && g.tool_policy_ref &&
        g.tool_policy_ref->find_first_of("/:") != std::string::npos) {
        r.fail(tool_ref.at("name").path, "must be a same-namespace name (no '/' or ':')");
    }
    if (auto v = r.uint(f.at("trustThreshold"), kMaxTrustThreshold)) g.trust_threshold = *v;
    g.trusted_peers = r.string(f.at("trustedPeers")).value_or("");
    if (auto v = r.enumerated(f.at("registryMode"), {"local", "global"})) g.registry_mode = *v;

    Field singular = f.at("mcpServerRef");
    Field plural = f.at("mcpServerRefs");
    if (r.sequence(plural)) {
        if (plural.node.size() > kMaxMcpServerRefs) {
            r.fail(plural.path, "may not exceed " + std::to_string(kMaxMcpServerRefs) + " entries");
        }
        std::set<std::string> seen;
        for (std::size_t i = 0; r.ok() && i < plural.node.size(); ++i) {
            auto name = read_name_ref(r, plural.at(i), true);
            if (name && !seen.insert(*name).second) {
                r.fail(plural.at(i).path, "duplicate McpServer reference \"" + *name + "\"");
            }
            if (name) g.mcp_server_refs.push_back(*name);
        }
    }
    if (singular.present()) {
        if (r.ok() && !g.mcp_server_refs.empty()) {
            r.fail(singular.path, "mcpServerRef and mcpServerRefs are mutually exclusive");
        }
        if (auto name = read_name_ref(r, singular, true)) g.mcp_server_refs.push_back(*name);
    }
    return g;
}

std::vector<AzureService> read_azure_services(FieldReader& r, const Field& f) {
    std::vector<AzureService> out;
    if (!r.sequence(f)) return out;
    for (std::size_t i = 0; r.ok() && i < f.node.size(); ++i) {
        Field item = f.at(i);
        if (!r.require(item) || !r.mapping(item)) break;
        AzureService s;
        s.service = r.required_string(item.at("service"));
        s.account = r.string(item.at("account")).value_or("");
        s.permissions = r.string_list(item.at("permissions"));
        out.push_back(std::move(s));
    }
    return out;
}

FoundryAgent read_agent(FieldReader& r, const Field& f) {
    FoundryAgent a;
    a.instructions = r.string(f.at("instructions")).value_or("");
    a.tools = r.string_list(f.at("tools"));
    a.file_ids = r.string_list(f.at("fileIds"));
    return a;
}

}  // namespace

Endpoint read_endpoint(FieldReader& r, const Field& entry) {
    Endpoint e;
    if (!r.require(entry) || !r.mapping(entry)) return e;
    Field host = entry.at("host");
    e.host = r.required_string(host);
    if (r.ok() && e.host.empty()) r.fail(host.path, "must not be empty");
    Field port = entry.at("port");
    if (auto p = r.uint(port, 65535)) {
        if (*p == 0) r.fail(port.path, "must be between 1 and 65535");
        e.port = static_cast<std::uint16_t>(*p);
    }
    e.name = r.string(entry.at("name")).value_or("");
    return e;
}

OciArtifactRef read_artifact_ref(FieldReader& r, const Field& ref) {
    OciArtifactRef out;
    if (!r.mapping(ref)) return out;
    out.registry = r.required_string(ref.at("registry"));
    out.repository = r.required_string(ref.at("repository"));
    out.digest = r.required_string(ref.at("digest"));
    out.artifact_type = r.required_string(ref.at("artifactType"));
    return out;
}

KarsSandbox read_sandbox(FieldReader& r, const Field& document) {
    KarsSandbox s;
    s.metadata = read_object_meta(r, document);
    Field spec = document.at("spec");
    if (!r.require(spec) || !r.mapping(spec)) return s;

    s.runtime = read_runtime(r, spec.at("runtime"));
    s.sandbox = read_security(r, spec.at("sandbox"));
    Field inference_ref = spec.at("inferenceRef");
    r.require(inference_ref);
    s.inference_ref = read_name_ref(r, inference_ref, true).value_or("");
    s.memory_ref = read_name_ref(r, spec.at("memoryRef"), true);
    s.network_policy = read_network(r, spec.at("networkPolicy"));
    s.resources = read_resources(r, spec.at("resources"));
    Field governance = spec.at("governance");
    if (r.mapping(governance)) s.governance = read_governance(r, governance);
    s.azure_services = read_azure_services(r, spec.at("azureServices"));
    Field agent = spec.at("agent");
    if (r.mapping(agent)) {
        s.agent = read_agent(r, agent);
        // BYO images run their own agent loop; a Foundry agent block would be ignored.
        if (r.ok() && s.runtime.kind == RuntimeKind::kByo) {
            r.fail(agent.path, "incompatible with spec.runtime.kind=BYO");
        }
    }
    if (auto v = r.boolean(spec.at("suspended"))) s.suspended = *v;
    return s;
}

}  // namespace kars::manifest
