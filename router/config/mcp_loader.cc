// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/config/mcp_loader.h"

#include <algorithm>
#include <cstdlib>
#include <map>

#include "core/audit/digest.h"

namespace kars::router::config {

namespace {

Error plan_error(const std::string& source, const std::string& message) {
    return make_error("invalid_mcp_server", source + ": " + message);
}

std::string namespace_of(const manifest::ObjectMeta& m, const RouterConfig& cfg) {
    return m.namespace_name.empty() ? cfg.sandbox_namespace : m.namespace_name;
}

constexpr std::string_view kManifestDirVar = "${KARS_MANIFEST_DIR}";

std::string expand_manifest_dir(std::string text, const std::string& dir) {
    for (auto at = text.find(kManifestDirVar); at != std::string::npos;
         at = text.find(kManifestDirVar, at + dir.size())) {
        text.replace(at, kManifestDirVar.size(), dir);
    }
    return text;
}

Result<McpServerPlan> plan_for(const ::kars::mcp::McpServerSpec& spec, const RouterConfig& cfg,
                               const EnvLookup& env) {
    McpServerPlan plan;
    plan.spec = spec;
    std::string material;
    if (spec.stdio) {
        plan.stdio = true;
        for (const auto& a : spec.stdio->argv) {
            plan.argv.push_back(expand_manifest_dir(a, cfg.mcp.manifest_dir));
        }
        plan.cwd = expand_manifest_dir(spec.stdio->cwd, cfg.mcp.manifest_dir);
        std::map<std::string, std::string> vars;
        for (const auto& name : cfg.mcp.inherit_env) {
            if (auto v = env(name)) vars[name] = *v;
        }
        for (const auto& e : spec.stdio->env) {
            if (!e.value_from_env.empty()) {
                auto v = env(e.value_from_env);
                if (!v || v->empty()) {
                    return plan_error(spec.source, "spec.stdio.env " + e.name +
                                                       ": the router's environment variable " +
                                                       e.value_from_env + " is not set");
                }
                vars[e.name] = *v;
            } else {
                vars[e.name] = e.value;
            }
        }
        for (const auto& [k, v] : vars) plan.env.push_back(k + "=" + v);
        for (const auto& a : plan.argv) material += "argv\x1f" + a + "\x1e";
        for (const auto& e : plan.env) material += "env\x1f" + e + "\x1e";
        material += "cwd\x1f" + plan.cwd;
    } else {
        plan.url = spec.url;
        if (!spec.bearer_from_env.empty()) {
            auto v = env(spec.bearer_from_env);
            if (!v || v->empty()) {
                return plan_error(spec.source,
                                  "spec.bearerFromEnv: the router's environment "
                                  "variable " +
                                      spec.bearer_from_env + " is not set");
            }
            plan.bearer = *v;
        }
        material = "url\x1f" + plan.url + "\x1e" + "bearer\x1f" + plan.bearer;
    }
    plan.fingerprint = audit::sha256_hex(material);
    return plan;
}

}  // namespace

std::optional<std::string> process_env(const std::string& name) {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
}

Result<std::vector<McpServerPlan>> build_mcp_plans(const RouterConfig& cfg,
                                                   const manifest::Manifest* manifest,
                                                   const EnvLookup& env) {
    std::vector<McpServerPlan> out;
    if (manifest == nullptr) return out;

    const manifest::KarsSandbox* sandbox = nullptr;
    for (const auto& s : manifest->sandboxes) {
        if (s.metadata.name == cfg.sandbox_name) sandbox = &s;
    }
    const std::vector<std::string>* refs = nullptr;
    if (sandbox && sandbox->governance && !sandbox->governance->mcp_server_refs.empty()) {
        refs = &sandbox->governance->mcp_server_refs;
    }
    governance::Labels labels(cfg.sandbox_labels.begin(), cfg.sandbox_labels.end());

    for (const auto& resource : manifest->mcp_servers) {
        const bool referenced =
            refs && std::find(refs->begin(), refs->end(), resource.metadata.name) != refs->end();
        if (refs && !referenced) continue;
        // Servers are namespaced like sandboxes; one of another namespace is not this
        // sandbox's to use (cross-namespace sharing is the controller's call, not ours).
        if (namespace_of(resource.metadata, cfg) != cfg.sandbox_namespace) continue;
        auto spec = ::kars::mcp::compile_mcp_server(resource);
        if (!spec.ok()) return spec.error();
        if (!::kars::mcp::server_selects_sandbox(*spec, labels)) {
            if (referenced) {
                return plan_error(spec->source, "spec.allowedSandboxes does not admit sandbox " +
                                                    cfg.sandbox_name +
                                                    ", which lists it in mcpServerRefs");
            }
            continue;
        }
        auto plan = plan_for(*spec, cfg, env);
        if (!plan.ok()) return plan.error();
        out.push_back(std::move(*plan));
    }
    if (refs) {
        for (const auto& name : *refs) {
            bool found = std::any_of(out.begin(), out.end(),
                                     [&](const McpServerPlan& p) { return p.spec.name == name; });
            if (!found) {
                return make_error("invalid_mcp_server", "KarsSandbox/" + cfg.sandbox_name +
                                                            ": governance.mcpServerRefs "
                                                            "names McpServer '" +
                                                            name +
                                                            "', which the manifest does not "
                                                            "define");
            }
        }
    }
    std::sort(out.begin(), out.end(), [](const McpServerPlan& a, const McpServerPlan& b) {
        return a.spec.name < b.spec.name;
    });
    return out;
}

}  // namespace kars::router::config
