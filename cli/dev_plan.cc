// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/dev_plan.h"

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "cli/credential_store.h"
#include "cli/resource_quantity.h"
#include "core/manifest/manifest.h"
#include "sandbox/launcher.h"

namespace kars::cli {
namespace {

namespace fs = std::filesystem;
using manifest::RuntimeKind;

// The agent's PATH: the host's system directories, seen read-only inside the sandbox.
constexpr const char* kAgentPath = "/usr/local/bin:/usr/bin:/bin";
// Substituted in the runtime's command and args, so a manifest can name files beside it.
constexpr std::string_view kManifestDirVar = "${KARS_MANIFEST_DIR}";
constexpr std::uint64_t kDefaultPidsMax = 1024;

// The YAML key of each runtime variant block, for messages that tell the user what to set.
std::string variant_key(RuntimeKind kind) {
    switch (kind) {
        case RuntimeKind::kOpenClaw:
            return "openclaw";
        case RuntimeKind::kOpenAIAgents:
            return "openaiAgents";
        case RuntimeKind::kMicrosoftAgentFramework:
            return "microsoftAgentFramework";
        case RuntimeKind::kSemanticKernel:
            return "semanticKernel";
        case RuntimeKind::kLangGraph:
            return "langGraph";
        case RuntimeKind::kAnthropic:
            return "anthropic";
        case RuntimeKind::kPydanticAi:
            return "pydanticAi";
        case RuntimeKind::kHermes:
            return "hermes";
        case RuntimeKind::kByo:
            return "byo";
    }
    return "byo";
}

std::string expand(std::string text, const std::string& manifest_dir) {
    for (auto at = text.find(kManifestDirVar); at != std::string::npos;
         at = text.find(kManifestDirVar, at + manifest_dir.size())) {
        text.replace(at, kManifestDirVar.size(), manifest_dir);
    }
    return text;
}

// What the sandbox will execve: a path, or a name the launcher finds in the agent's PATH.
bool command_exists(const std::string& argv0) {
    if (argv0.find('/') != std::string::npos) return access(argv0.c_str(), X_OK) == 0;
    std::string_view dirs = kAgentPath;
    while (!dirs.empty()) {
        const auto colon = dirs.find(':');
        const std::string dir(dirs.substr(0, colon));
        if (access((dir + "/" + argv0).c_str(), X_OK) == 0) return true;
        dirs = colon == std::string_view::npos ? "" : dirs.substr(colon + 1);
    }
    return false;
}

Result<std::vector<std::string>> agent_argv(const manifest::RuntimeSpec& rt,
                                            const std::string& manifest_dir) {
    const std::string key = variant_key(rt.kind);
    const std::string field = rt.kind == RuntimeKind::kByo ? "spec.runtime.byo.command"
                                                           : "spec.runtime." + key + ".entrypoint";
    if (rt.entrypoint.empty()) {
        const std::string packaged =
            rt.image ? "its image " + *rt.image
                     : std::string(manifest::runtime_kind_name(rt.kind)) + "'s container image";
        return make_error("runtime_not_installed",
                          fmt::format("runtime {} is not installed for kars dev: it runs {} and "
                                      "kars dev has no container engine; set {} to a local "
                                      "command (see docs/dev.md)",
                                      manifest::runtime_kind_name(rt.kind), packaged, field));
    }
    std::vector<std::string> argv;
    for (const auto& a : rt.entrypoint) argv.push_back(expand(a, manifest_dir));
    for (const auto& a : rt.args) argv.push_back(expand(a, manifest_dir));
    if (!command_exists(argv.front())) {
        return make_error("command_not_found",
                          fmt::format("command '{}' from {} is not installed (not executable, or "
                                      "not in {}); install it or change {}",
                                      argv.front(), field, kAgentPath, field));
    }
    return argv;
}

Result<const manifest::KarsSandbox*> pick_sandbox(const manifest::Manifest& m,
                                                  const DevOptions& o) {
    if (m.sandboxes.empty()) {
        return make_error("no_sandbox",
                          o.manifest.string() +
                              ": no KarsSandbox document; kars dev needs one "
                              "(kind: KarsSandbox, apiVersion kars.azure.com/v1alpha1)");
    }
    if (m.sandboxes.size() == 1) return &m.sandboxes.front();
    std::string names;
    for (const auto& s : m.sandboxes) {
        if (s.metadata.name == o.name) return &s;
        names += (names.empty() ? "" : ", ") + s.metadata.name;
    }
    return make_error("ambiguous_sandbox", o.manifest.string() + " holds several KarsSandboxes (" +
                                               names + "); choose one with --name");
}

void add_environment(const manifest::RuntimeSpec& rt, sandbox::SandboxSpec& spec,
                     std::vector<std::string>& notes) {
    for (const auto& [k, v] : rt.extra_env) spec.env.emplace_back(k, v);
    if (rt.byo_env.is_array()) {
        for (const auto& item : rt.byo_env.as_array()) {
            const auto* obj = item.if_object();
            const auto* name = obj ? obj->if_contains("name") : nullptr;
            const auto* value = obj ? obj->if_contains("value") : nullptr;
            if (name && name->is_string() && value && value->is_string()) {
                spec.env.emplace_back(std::string(name->as_string()),
                                      std::string(value->as_string()));
            } else if (name && name->is_string()) {
                notes.push_back("byo.env " + std::string(name->as_string()) +
                                ": valueFrom is not resolved locally; variable not set");
            }
        }
    }
    spec.env.emplace_back("PATH", kAgentPath);
    // SDKs refuse to start without a key. The router authenticates upstream with the real one,
    // so the agent only ever holds this placeholder.
    spec.env.emplace_back("OPENAI_API_KEY", "kars-router-holds-the-key");
    spec.env.emplace_back("ANTHROPIC_API_KEY", "kars-router-holds-the-key");
}

Status apply_resources(const manifest::ResourceRequirements& r, sandbox::SandboxSpec& spec) {
    spec.limits.pids_max = kDefaultPidsMax;
    if (auto it = r.limits.find("memory"); it != r.limits.end()) {
        auto bytes = parse_memory_bytes(it->second);
        if (!bytes) {
            return make_error("bad_quantity", "spec.resources.limits.memory: '" + it->second +
                                                  "' is not a quantity like 512Mi or 2Gi");
        }
        spec.limits.memory_bytes = *bytes;
    }
    if (auto it = r.limits.find("cpu"); it != r.limits.end()) {
        auto millis = parse_cpu_millis(it->second);
        if (!millis || *millis == 0) {
            return make_error("bad_quantity", "spec.resources.limits.cpu: '" + it->second +
                                                  "' is not a quantity like 500m or 2");
        }
        spec.limits.cpu_quota_us = *millis * spec.limits.cpu_period_us / 1000;
    }
    return ok_status();
}

struct ProviderChoice {
    boost::json::object config;
    std::string source;
    std::string model;  // upstream model/deployment, empty for replay
};

Result<ProviderChoice> choose_provider(const std::string& provider, const std::string& deployment,
                                       const DevOptions& o) {
    static const std::vector<std::string> kLive = {"openai", "azure-openai", "anthropic",
                                                   "github-models"};
    const bool live_kind = std::find(kLive.begin(), kLive.end(), provider) != kLive.end();
    const auto cred = live_kind && o.replay.empty() ? find_credential(provider) : std::nullopt;
    if (cred) {
        if (provider == "azure-openai" && cred->base_url.empty()) {
            return make_error("missing_endpoint",
                              "the azure-openai credential has no endpoint; run `kars credentials "
                              "set azure-openai --api-key-file FILE --base-url URL`");
        }
        boost::json::object p{
            {"name", provider}, {"kind", provider}, {"api_key_file", cred->key_file.string()}};
        if (!cred->base_url.empty()) p["base_url"] = cred->base_url;
        return ProviderChoice{p, "credential " + cred->key_file.string(), deployment};
    }
    fs::path cassette = o.replay;
#ifdef KARS_DEFAULT_CASSETTE
    if (cassette.empty()) cassette = KARS_DEFAULT_CASSETTE;
#endif
    std::error_code ec;
    if (cassette.empty() || !fs::is_regular_file(cassette, ec)) {
        return make_error("no_provider",
                          fmt::format("no credential for provider {} and no replay cassette at "
                                      "'{}': run `kars credentials set {} --api-key-file FILE` "
                                      "or pass --replay CASSETTE",
                                      provider, cassette.string(), provider));
    }
    cassette = fs::absolute(cassette);
    boost::json::object p{{"name", "replay"}, {"kind", "replay"}, {"cassette", cassette.string()}};
    return ProviderChoice{p, "replay cassette " + cassette.string(), ""};
}

std::string budget_summary(const policy::InferencePolicy& p) {
    if (!p.token_budget) return "none";
    const auto& b = *p.token_budget;
    return fmt::format("per request {}, daily {}, monthly {} (0 = unlimited)", b.per_request_tokens,
                       b.daily_tokens, b.monthly_tokens);
}

std::string router_config(const DevPlan& plan, const manifest::KarsSandbox& sb,
                          const ProviderChoice& provider) {
    boost::json::object labels;
    for (const auto& [k, v] : sb.metadata.labels) labels[k] = v;
    boost::json::object target{{"provider", provider.config.at("name")}};
    if (!provider.model.empty()) target["model"] = provider.model;
    boost::json::object cfg{
        // Unused: kars dev passes the socket made inside the sandbox with --listen-fd.
        {"listen", "127.0.0.1:8443"},
        {"sandbox",
         {{"name", plan.sandbox_name}, {"namespace", plan.namespace_name}, {"labels", labels}}},
        {"manifest", (plan.state_dir / "manifest.yaml").string()},
        {"providers", boost::json::array{provider.config}},
        {"models", {{"default", boost::json::array{target}}}},
        {"audit", {{"path", plan.audit_log.string()}, {"checkpoint_interval_ms", 1000}}},
        {"budget_state", plan.budget_state.string()},
        // The layout `kars egress` reads (cli/egress_cmd.h).
        {"egress",
         {{"approvals_dir", (plan.state_dir / "egress-approvals").string()},
          {"learn_file", (plan.state_dir / "egress-learned.json").string()}}},
        // Actions held for a person, answered with `kars approvals` (cli/approvals_cmd.h).
        {"governance", {{"approvals_dir", (plan.state_dir / "approvals").string()}}},
        // The router reads the copy in the state dir; `${KARS_MANIFEST_DIR}` in an McpServer
        // command still means the directory of the manifest the user wrote.
        {"mcp", {{"manifest_dir", plan.manifest.parent_path().string()}}},
    };
    // JSON is YAML: serializing keeps every path and name correctly quoted.
    return "# written by `kars dev`; regenerated on every start\n" + boost::json::serialize(cfg) +
           "\n";
}

void add_notes(const manifest::KarsSandbox& sb, DevPlan& plan) {
    if (!sb.network_policy.allowed_endpoints.empty()) {
        plan.notes.push_back(fmt::format(
            "networkPolicy lists {} allowed endpoints: reachable only through the router's "
            "egress proxy (HTTPS_PROXY=http://127.0.0.1:8444)",
            sb.network_policy.allowed_endpoints.size()));
    }
    if (sb.governance && sb.governance->enabled) {
        plan.notes.push_back(
            "governance: tool calls and inference are checked by the router against the built-in "
            "profile and the manifest's ToolPolicies; McpServer resources are not served by kars "
            "dev yet");
    }
    if (sb.sandbox.isolation != "enhanced" && sb.sandbox.isolation != "standard") {
        plan.notes.push_back("isolation '" + sb.sandbox.isolation +
                             "' is not available locally; the kars dev sandbox is used");
    }
}

}  // namespace

Result<DevPlan> make_dev_plan(const DevOptions& o) {
    auto loaded = manifest::load_manifest_file(o.manifest);
    if (!loaded.ok()) return loaded.error();
    auto picked = pick_sandbox(*loaded, o);
    if (!picked.ok()) return picked.error();
    const manifest::KarsSandbox& sb = **picked;

    DevPlan plan;
    plan.manifest = fs::absolute(o.manifest).lexically_normal();
    plan.sandbox_name = sb.metadata.name;
    plan.namespace_name =
        sb.metadata.namespace_name.empty() ? "default" : sb.metadata.namespace_name;
    plan.name = o.name.empty() || loaded->sandboxes.size() > 1 ? sb.metadata.name : o.name;

    auto argv = agent_argv(sb.runtime, plan.manifest.parent_path().string());
    if (!argv.ok()) return argv.error();

    auto policy = manifest::select_inference_policy(
        loaded->inference_policies, {plan.sandbox_name, plan.namespace_name, sb.metadata.labels});
    if (!policy.ok()) return policy.error();
    std::string provider = "openai";
    std::string deployment;
    plan.budget = "none";
    if (const auto* p = *policy) {
        plan.inference_policy = p->metadata.name;
        plan.budget = budget_summary(p->policy);
        if (p->policy.model_preference && p->policy.model_preference->primary) {
            provider = p->policy.model_preference->primary->provider;
            deployment = p->policy.model_preference->primary->deployment;
        }
    } else {
        plan.notes.push_back("no InferencePolicy applies to " + plan.sandbox_name +
                             ": no token budget or content safety");
    }
    plan.provider = provider;

    auto state_dir = sandbox_state_dir(plan.name, o.state_dir.string());
    if (!state_dir.ok()) return state_dir.error();
    plan.state_dir = std::move(*state_dir);
    plan.router_config = plan.state_dir / "router.yaml";
    plan.audit_log = plan.state_dir / "audit.jsonl";
    plan.router_log = plan.state_dir / "router.log";
    plan.budget_state = plan.state_dir / "budget.json";

    auto chosen = choose_provider(provider, deployment, o);
    if (!chosen.ok()) return chosen.error();
    plan.provider_source = chosen->source;
    plan.router_config_text = router_config(plan, sb, *chosen);

    plan.spec = sandbox::make_default_spec(plan.name, *argv);
    plan.spec.allow_degraded = o.allow_degraded;
    plan.spec.writable_paths.clear();
    for (const auto& p : sb.sandbox.writable_paths) plan.spec.writable_paths.push_back({p, ""});
    // A writable path is a fresh, empty tmpfs inside the sandbox: an agent file below one
    // (a checkout under /tmp, say) would be missing at run time with a confusing error.
    for (const auto& arg : plan.spec.argv) {
        if (arg.empty() || arg.front() != '/') continue;
        for (const auto& w : plan.spec.writable_paths) {
            const std::string prefix = w.path + "/";
            if (w.host_source.empty() && arg.rfind(prefix, 0) == 0) {
                plan.launch_blocker = "the agent's file " + arg + " is under " + w.path +
                                      ", which the sandbox replaces with an empty writable "
                                      "tmpfs; move the project outside " +
                                      w.path;
                plan.notes.push_back("cannot launch here: " + plan.launch_blocker);
            }
        }
    }
    add_environment(sb.runtime, plan.spec, plan.notes);
    if (auto st = apply_resources(sb.resources, plan.spec); !st.ok()) return st.error();
    if (auto st = sandbox::validate_spec(plan.spec); !st.ok()) {
        return make_error(st.error().code, "sandbox spec: " + st.error().message);
    }
    add_notes(sb, plan);
    return plan;
}

std::string describe_plan(const DevPlan& plan) {
    std::string argv;
    for (const auto& a : plan.spec.argv) argv += (argv.empty() ? "" : " ") + a;
    std::string writable;
    for (const auto& w : plan.spec.writable_paths) {
        writable += (writable.empty() ? "" : ", ") + w.path;
    }
    const auto& l = plan.spec.limits;
    std::string out = fmt::format(
        "sandbox:     {} (KarsSandbox {}/{})\n"
        "command:     {}\n"
        "writable:    {}\n"
        "limits:      memory {}, cpu {}, pids {} (0 = unlimited)\n"
        "policy:      {}\n"
        "budget:      {}\n"
        "provider:    {} via {}\n"
        "state dir:   {}\n"
        "audit log:   {}\n"
        "router log:  {}\n"
        "network:     only 127.0.0.1:8443 (router) and 8444 (egress proxy, allowlist enforced)\n",
        plan.name, plan.namespace_name, plan.sandbox_name, argv,
        writable.empty() ? "(none)" : writable, l.memory_bytes,
        l.cpu_quota_us == 0 ? std::string("0")
                            : fmt::format("{}m", l.cpu_quota_us * 1000 / l.cpu_period_us),
        l.pids_max, plan.inference_policy.empty() ? "(none)" : plan.inference_policy, plan.budget,
        plan.provider, plan.provider_source, plan.state_dir.string(), plan.audit_log.string(),
        plan.router_log.string());
    for (const auto& n : plan.notes) out += "note:        " + n + "\n";
    return out;
}

}  // namespace kars::cli
