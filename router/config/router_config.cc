// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/config/router_config.h"
#include "core/yaml/parser_traps.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>
#include <boost/url/parse.hpp>

namespace kars::router::config {

namespace {

namespace fs = std::filesystem;

const std::set<std::string> kProviderKinds = {"openai", "azure-openai", "anthropic",
                                              "github-models", "replay"};

// yaml-cpp reports errors by throwing; this wrapper turns each field read into a Result so
// a bad config names the field instead of aborting start-up with an opaque exception.
class Reader {
public:
    explicit Reader(std::string path) : path_(std::move(path)) {}

    template <typename T>
    bool get(const YAML::Node& node, const char* key, T& out) {
        if (!error_.empty()) return false;
        const YAML::Node v = node[key];
        if (!v || v.IsNull()) return false;
        try {
            out = v.as<T>();
            return true;
        } catch (const YAML::Exception&) {
            error_ = path_ + key + ": wrong type";
            return false;
        }
    }

    void millis(const YAML::Node& node, const char* key, std::chrono::milliseconds& out) {
        std::int64_t ms = 0;
        if (get(node, key, ms)) {
            if (ms <= 0) fail(std::string(key) + ": must be a positive number of milliseconds");
            out = std::chrono::milliseconds(ms);
        }
    }

    void fail(const std::string& message) {
        if (error_.empty()) error_ = path_ + message;
    }
    Reader at(const std::string& sub) const { return Reader(path_ + sub + "."); }
    const std::string& error() const { return error_; }
    void take(const Reader& child) {
        if (error_.empty() && !child.error().empty()) error_ = child.error();
    }

private:
    std::string path_;
    std::string error_;
};

std::string resolve(const std::string& base_dir, const std::string& p) {
    if (p.empty() || fs::path(p).is_absolute()) return p;
    return (fs::path(base_dir) / p).lexically_normal().string();
}

std::string env_name_for(const std::string& provider) {
    std::string out = "KARS_PROVIDER_";
    for (char c : provider) {
        out.push_back(std::isalnum(static_cast<unsigned char>(c))
                          ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                          : '_');
    }
    return out + "_API_KEY";
}

Status read_secret(const std::string& base_dir, ProviderConfig& p) {
    if (const char* v = std::getenv(env_name_for(p.name).c_str()); v != nullptr && *v) {
        p.api_key = v;
        return ok_status();
    }
    if (!p.api_key_env.empty()) {
        const char* v = std::getenv(p.api_key_env.c_str());
        if (v == nullptr || *v == '\0') {
            return make_error(
                "missing_credential",
                "provider " + p.name + ": environment variable " + p.api_key_env + " is not set");
        }
        p.api_key = v;
        return ok_status();
    }
    if (!p.api_key_file.empty()) {
        p.api_key_file = resolve(base_dir, p.api_key_file);
        std::ifstream in(p.api_key_file);
        if (!in) {
            return make_error(
                "missing_credential",
                "provider " + p.name + ": cannot read api_key_file " + p.api_key_file);
        }
        std::stringstream ss;
        ss << in.rdbuf();
        std::string key = ss.str();
        while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
        if (key.empty()) {
            return make_error("missing_credential", "provider " + p.name + ": api_key_file " +
                                                        p.api_key_file + " is empty");
        }
        p.api_key = std::move(key);
    }
    return ok_status();
}

Result<ProviderConfig> parse_provider(const YAML::Node& node, std::size_t index,
                                      const std::string& base_dir) {
    Reader r("providers[" + std::to_string(index) + "].");
    ProviderConfig p;
    if (!node.IsMap())
        return make_error("bad_config",
                          "providers[" + std::to_string(index) + "]: expected a mapping");
    r.get(node, "name", p.name);
    r.get(node, "kind", p.kind);
    r.get(node, "base_url", p.base_url);
    r.get(node, "api_key_file", p.api_key_file);
    r.get(node, "api_key_env", p.api_key_env);
    r.get(node, "auth", p.auth);
    r.get(node, "api_version", p.api_version);
    r.get(node, "url_style", p.url_style);
    r.get(node, "anthropic_version", p.anthropic_version);
    r.get(node, "cassette", p.cassette);
    r.get(node, "record_to", p.record_to);
    if (node["api_key"]) {
        r.fail("api_key: inline secrets are refused; use api_key_file or api_key_env");
    }
    if (p.name.empty()) r.fail("name: required");
    if (!kProviderKinds.count(p.kind)) {
        r.fail("kind: '" + p.kind +
               "' is not one of openai, azure-openai, anthropic, github-models, replay");
    }
    if (p.kind == "replay") {
        if (p.cassette.empty()) r.fail("cassette: required for kind replay");
        p.cassette = resolve(base_dir, p.cassette);
    } else if (p.kind == "github-models" && p.base_url.empty()) {
        p.base_url = "https://models.github.ai/inference";
    } else if (p.kind == "anthropic" && p.base_url.empty()) {
        p.base_url = "https://api.anthropic.com";
    } else if (p.kind == "openai" && p.base_url.empty()) {
        p.base_url = "https://api.openai.com/v1";
    }
    if (p.kind != "replay") {
        auto url = boost::urls::parse_absolute_uri(p.base_url);
        if (!url || (url->scheme() != "http" && url->scheme() != "https")) {
            r.fail("base_url: '" + p.base_url + "' is not an absolute http(s) URL");
        }
    }
    if (p.auth != "api-key" && p.auth != "bearer") r.fail("auth: must be api-key or bearer");
    if (p.url_style != "v1" && p.url_style != "deployments") {
        r.fail("url_style: must be v1 or deployments");
    }
    p.record_to = resolve(base_dir, p.record_to);
    if (!r.error().empty()) return make_error("bad_config", r.error());
    if (p.kind != "replay") {
        auto st = read_secret(base_dir, p);
        if (!st.ok()) return st.error();
    }
    return p;
}

// The `governance:` section. Profile files are only located here; PolicySet::build reads
// and validates them so its errors name the file and rule.
Status parse_governance(const YAML::Node& node, const std::string& base_dir,
                        GovernanceSettings& out) {
    if (!node.IsMap()) return make_error("bad_config", "governance: expected a mapping");
    Reader r("governance.");
    if (const YAML::Node files = node["profiles"]) {
        if (!files.IsSequence()) return make_error("bad_config", "governance.profiles: list");
        out.use_builtin_default = false;
        for (std::size_t i = 0; i < files.size(); ++i) {
            if (!files[i].IsScalar() || files[i].Scalar().empty()) {
                r.fail("profiles[" + std::to_string(i) + "]: expected a file path");
                continue;
            }
            out.profiles.push_back(resolve(base_dir, files[i].Scalar()));
        }
    }
    r.get(node, "audit_offered_tools", out.audit_offered_tools);
    if (r.get(node, "approvals_dir", out.approvals_dir)) {
        out.approvals_dir = resolve(base_dir, out.approvals_dir);
    }
    std::int64_t timeout = out.approval_timeout.count();
    if (r.get(node, "approval_timeout_seconds", timeout)) {
        if (timeout < 1 || timeout > 7 * 24 * 3600) {
            r.fail("approval_timeout_seconds: must be 1 to 604800");
        } else {
            out.approval_timeout = std::chrono::seconds(timeout);
        }
    }
    std::int64_t watch = out.watch_interval.count();
    if (r.get(node, "watch_interval_ms", watch)) {
        if (watch < 0) r.fail("watch_interval_ms: 0 (off) or a positive number of milliseconds");
        out.watch_interval = std::chrono::milliseconds(std::max<std::int64_t>(watch, 0));
    }
    for (const auto& kv : node) {
        const auto key = kv.first.as<std::string>();
        if (key != "profiles" && key != "audit_offered_tools" && key != "approvals_dir" &&
            key != "approval_timeout_seconds" && key != "watch_interval_ms") {
            r.fail(key + ": unknown field");
        }
    }
    if (!r.error().empty()) return make_error("bad_config", r.error());
    return ok_status();
}

Status string_list(const YAML::Node& node, const std::string& where,
                   std::vector<std::string>& out) {
    if (!node.IsSequence()) return make_error("bad_config", where + ": expected a list");
    out.clear();
    for (std::size_t i = 0; i < node.size(); ++i) {
        if (!node[i].IsScalar() || node[i].Scalar().empty()) {
            return make_error("bad_config",
                              where + "[" + std::to_string(i) + "]: expected a non-empty string");
        }
        out.push_back(node[i].Scalar());
    }
    return ok_status();
}

// The `mcp:` section.
Status parse_mcp(const YAML::Node& node, const std::string& base_dir, McpSettings& out) {
    if (!node.IsMap()) return make_error("bad_config", "mcp: expected a mapping");
    Reader r("mcp.");
    if (r.get(node, "pins_file", out.pins_file)) out.pins_file = resolve(base_dir, out.pins_file);
    if (r.get(node, "manifest_dir", out.manifest_dir)) {
        out.manifest_dir = resolve(base_dir, out.manifest_dir);
    }
    r.millis(node, "call_timeout_ms", out.call_timeout);
    r.millis(node, "list_timeout_ms", out.list_timeout);
    r.get(node, "max_message_bytes", out.max_message_bytes);
    if (out.max_message_bytes < 1024) r.fail("max_message_bytes: at least 1024");
    r.get(node, "max_sessions", out.max_sessions);
    if (out.max_sessions == 0) r.fail("max_sessions: must be positive");
    std::int64_t idle = out.session_idle_timeout.count();
    if (r.get(node, "session_idle_timeout_seconds", idle)) {
        if (idle < 1) r.fail("session_idle_timeout_seconds: must be positive");
        out.session_idle_timeout = std::chrono::seconds(idle);
    }
    for (const char* key : {"allowed_hosts", "allowed_origins", "inherit_env"}) {
        const YAML::Node list = node[key];
        if (!list) continue;
        auto& target = std::string_view(key) == "allowed_hosts"     ? out.allowed_hosts
                       : std::string_view(key) == "allowed_origins" ? out.allowed_origins
                                                                    : out.inherit_env;
        auto st = string_list(list, std::string("mcp.") + key, target);
        if (!st.ok()) return st;
    }
    static const std::set<std::string> kKnown = {"pins_file",       "call_timeout_ms",
                                                 "list_timeout_ms", "max_message_bytes",
                                                 "max_sessions",    "session_idle_timeout_seconds",
                                                 "allowed_hosts",   "allowed_origins",
                                                 "inherit_env",     "manifest_dir"};
    for (const auto& kv : node) {
        const auto key = kv.first.as<std::string>();
        if (!kKnown.contains(key)) r.fail(key + ": unknown field");
    }
    if (!r.error().empty()) return make_error("bad_config", r.error());
    return ok_status();
}

Status parse_listen(const std::string& text, RouterConfig& cfg) {
    auto auth = boost::urls::parse_authority(text);
    if (!auth || !auth->has_port() || (auth->port_number() == 0 && auth->port() != "0")) {
        return make_error("bad_config", "listen: '" + text + "' is not host:port");
    }
    std::string host(auth->encoded_host_address());
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    cfg.listen_host = host;
    cfg.listen_port = auth->port_number();
    return ok_status();
}

// The `egress:` section. Entries are only shape-checked here; the egress engine validates
// hosts and ports when the policy is built, so both errors name the config field.
Status parse_egress(const YAML::Node& node, const std::string& base_dir, EgressSettings& out) {
    Reader r("egress.");
    if (!node.IsMap()) return make_error("bad_config", "egress: expected a mapping");
    std::string listen;
    if (r.get(node, "listen", listen)) {
        RouterConfig tmp;
        auto st = parse_listen(listen, tmp);
        if (!st.ok()) return make_error("bad_config", "egress." + st.error().message);
        out.listen_set = true;
        out.listen_host = tmp.listen_host;
        out.listen_port = tmp.listen_port;
    }
    out.mode_set = r.get(node, "mode", out.mode);
    if (out.mode != "enforce" && out.mode != "learn") r.fail("mode: must be enforce or learn");
    if (r.get(node, "learn_file", out.learn_file)) {
        out.learn_file = resolve(base_dir, out.learn_file);
    }
    if (const YAML::Node eps = node["allowed_endpoints"]) {
        if (!eps.IsSequence()) return make_error("bad_config", "egress.allowed_endpoints: list");
        for (std::size_t i = 0; i < eps.size(); ++i) {
            Reader re = r.at("allowed_endpoints[" + std::to_string(i) + "]");
            EgressEndpointConfig ep;
            if (!eps[i].IsMap()) {
                re.fail("expected {host, port}");
            } else {
                re.get(eps[i], "host", ep.host);
                re.get(eps[i], "port", ep.port);
                if (ep.host.empty()) re.fail("host: required");
            }
            r.take(re);
            out.allowed_endpoints.push_back(std::move(ep));
        }
    }
    if (const YAML::Node bls = node["blocklists"]) {
        if (!bls.IsSequence()) return make_error("bad_config", "egress.blocklists: list");
        for (std::size_t i = 0; i < bls.size(); ++i) {
            Reader rb = r.at("blocklists[" + std::to_string(i) + "]");
            EgressBlocklistFile bl;
            if (bls[i].IsScalar()) {
                bl.path = bls[i].as<std::string>();
            } else {
                rb.get(bls[i], "path", bl.path);
                rb.get(bls[i], "format", bl.format);
            }
            if (bl.path.empty()) rb.fail("path: required");
            if (bl.format != "auto" && bl.format != "hosts" && bl.format != "domains" &&
                bl.format != "adblock") {
                rb.fail("format: must be auto, hosts, domains or adblock");
            }
            bl.path = resolve(base_dir, bl.path);
            r.take(rb);
            out.blocklists.push_back(std::move(bl));
        }
    }
    if (r.get(node, "approvals_dir", out.approvals_dir)) {
        out.approvals_dir = resolve(base_dir, out.approvals_dir);
    }
    std::int64_t watch_ms = 0;
    if (r.get(node, "watch_interval_ms", watch_ms)) {
        if (watch_ms < 0) r.fail("watch_interval_ms: must be 0 (off) or positive");
        out.watch_interval = std::chrono::milliseconds(watch_ms);
    }
    r.millis(node, "connect_timeout_ms", out.connect_timeout);
    r.millis(node, "idle_timeout_ms", out.idle_timeout);
    std::int64_t lifetime = 0;
    if (r.get(node, "max_tunnel_seconds", lifetime)) {
        if (lifetime <= 0) r.fail("max_tunnel_seconds: must be positive");
        out.max_tunnel_lifetime = std::chrono::seconds(lifetime);
    }
    r.get(node, "max_tunnels", out.max_tunnels);
    if (out.max_tunnels == 0) r.fail("max_tunnels: must be positive");
    if (!r.error().empty()) return make_error("bad_config", r.error());
    return ok_status();
}

}  // namespace

const ProviderConfig* RouterConfig::provider(const std::string& name) const {
    for (const auto& p : providers) {
        if (p.name == name) return &p;
    }
    return nullptr;
}

const std::string* RouterConfig::route_for(const std::string& model) const {
    if (auto it = models.find(model); it != models.end()) return &it->first;
    if (auto it = models.find("default"); it != models.end()) return &it->first;
    return nullptr;
}

const std::vector<ModelTarget>* RouterConfig::targets_for(const std::string& model) const {
    const auto* route = route_for(model);
    return route != nullptr ? &models.at(*route) : nullptr;
}

namespace {

Result<RouterConfig> parse_impl(const std::string& yaml_text, const std::string& base_dir) {
    if (auto trap = yaml::reject_parser_traps(yaml_text); !trap.ok()) {
        return make_error("bad_config", "not valid YAML: " + trap.error().message);
    }
    YAML::Node root;
    try {
        root = YAML::Load(yaml_text);
    } catch (const YAML::Exception& e) {
        return make_error("bad_config", std::string("not valid YAML: ") + e.what());
    }
    if (!root.IsMap()) return make_error("bad_config", "top level must be a mapping");

    RouterConfig cfg;
    Reader r("");
    std::string listen;
    if (r.get(root, "listen", listen)) {
        auto st = parse_listen(listen, cfg);
        if (!st.ok()) return st.error();
    }
    const YAML::Node sandbox = root["sandbox"];
    if (!sandbox || !sandbox.IsMap()) {
        return make_error("bad_config",
                          "sandbox: required (name of the sandbox this router serves)");
    }
    Reader rs = r.at("sandbox");
    rs.get(sandbox, "name", cfg.sandbox_name);
    rs.get(sandbox, "namespace", cfg.sandbox_namespace);
    rs.get(sandbox, "labels", cfg.sandbox_labels);
    r.take(rs);
    if (cfg.sandbox_name.empty()) r.fail("sandbox.name: required");
    if (r.get(root, "manifest", cfg.manifest)) cfg.manifest = resolve(base_dir, cfg.manifest);
    r.get(root, "threads", cfg.threads);
    if (cfg.threads == 0 || cfg.threads > 64) r.fail("threads: must be 1..64");
    if (!r.error().empty()) return make_error("bad_config", r.error());

    const YAML::Node providers = root["providers"];
    if (!providers || !providers.IsSequence() || providers.size() == 0) {
        return make_error("bad_config", "providers: at least one provider is required");
    }
    for (std::size_t i = 0; i < providers.size(); ++i) {
        auto p = parse_provider(providers[i], i, base_dir);
        if (!p.ok()) return p.error();
        if (cfg.provider(p->name) != nullptr) {
            return make_error("bad_config", "providers: duplicate name " + p->name);
        }
        cfg.providers.push_back(std::move(*p));
    }

    const YAML::Node models = root["models"];
    if (models && !models.IsMap()) return make_error("bad_config", "models: expected a mapping");
    if (models) {
        for (const auto& entry : models) {
            std::string name = entry.first.as<std::string>("");
            if (!entry.second.IsSequence()) {
                return make_error("bad_config", "models." + name + ": expected a list of targets");
            }
            std::vector<ModelTarget> targets;
            for (const auto& t : entry.second) {
                ModelTarget target;
                if (t.IsScalar()) {
                    target.provider = t.as<std::string>();
                } else if (t.IsMap()) {
                    target.provider = t["provider"].as<std::string>("");
                    target.model = t["model"].as<std::string>("");
                }
                if (cfg.provider(target.provider) == nullptr) {
                    return make_error("bad_config", "models." + name + ": unknown provider '" +
                                                        target.provider + "'");
                }
                targets.push_back(std::move(target));
            }
            cfg.models[name] = std::move(targets);
        }
    }
    if (cfg.models.empty()) cfg.models["default"] = {ModelTarget{cfg.providers.front().name, ""}};

    if (const YAML::Node l = root["limits"]) {
        Reader rl = r.at("limits");
        rl.get(l, "max_body_bytes", cfg.limits.max_body_bytes);
        rl.get(l, "max_header_bytes", cfg.limits.max_header_bytes);
        rl.get(l, "max_header_count", cfg.limits.max_header_count);
        rl.get(l, "max_upstream_response_bytes", cfg.limits.max_upstream_response_bytes);
        rl.millis(l, "header_timeout_ms", cfg.limits.header_timeout);
        rl.millis(l, "body_timeout_ms", cfg.limits.body_timeout);
        if (cfg.limits.max_body_bytes == 0) rl.fail("max_body_bytes: must be positive");
        r.take(rl);
    }
    if (const YAML::Node rl_node = root["rate_limit"]) {
        Reader rr = r.at("rate_limit");
        rr.get(rl_node, "requests_per_second", cfg.rate_limit.requests_per_second);
        rr.get(rl_node, "burst", cfg.rate_limit.burst);
        if (cfg.rate_limit.requests_per_second < 0 || cfg.rate_limit.burst < 0) {
            rr.fail("values must not be negative");
        }
        if (cfg.rate_limit.requests_per_second > 0 && cfg.rate_limit.burst < 1) {
            cfg.rate_limit.burst = std::max(1.0, cfg.rate_limit.requests_per_second);
        }
        r.take(rr);
    }
    if (const YAML::Node u = root["upstream"]) {
        Reader ru = r.at("upstream");
        ru.millis(u, "connect_timeout_ms", cfg.upstream.connect_timeout);
        ru.millis(u, "first_byte_timeout_ms", cfg.upstream.first_byte_timeout);
        ru.millis(u, "idle_timeout_ms", cfg.upstream.idle_timeout);
        if (ru.get(u, "ca_file", cfg.upstream.ca_file)) {
            cfg.upstream.ca_file = resolve(base_dir, cfg.upstream.ca_file);
        }
        r.take(ru);
    }
    const YAML::Node audit = root["audit"];
    if (!audit || !audit.IsMap()) {
        return make_error("bad_config", "audit: required (path of the audit log)");
    }
    Reader ra = r.at("audit");
    ra.get(audit, "path", cfg.audit.path);
    ra.get(audit, "signing_key", cfg.audit.signing_key);
    ra.get(audit, "checkpoint_every", cfg.audit.checkpoint_every);
    ra.millis(audit, "checkpoint_interval_ms", cfg.audit.checkpoint_interval);
    if (cfg.audit.path.empty()) ra.fail("path: required");
    if (cfg.audit.checkpoint_every == 0) ra.fail("checkpoint_every: must be positive");
    r.take(ra);
    cfg.audit.path = resolve(base_dir, cfg.audit.path);
    if (cfg.audit.signing_key.empty()) cfg.audit.signing_key = cfg.audit.path + ".key";
    cfg.audit.signing_key = resolve(base_dir, cfg.audit.signing_key);
    if (r.get(root, "budget_state", cfg.budget_state)) {
        cfg.budget_state = resolve(base_dir, cfg.budget_state);
    }
    if (const YAML::Node egress = root["egress"]) {
        auto st = parse_egress(egress, base_dir, cfg.egress);
        if (!st.ok()) return st.error();
    }
    if (const YAML::Node governance = root["governance"]) {
        auto st = parse_governance(governance, base_dir, cfg.governance);
        if (!st.ok()) return st.error();
    }
    if (const YAML::Node mcp = root["mcp"]) {
        auto st = parse_mcp(mcp, base_dir, cfg.mcp);
        if (!st.ok()) return st.error();
    }
    if (cfg.mcp.manifest_dir.empty() && !cfg.manifest.empty()) {
        cfg.mcp.manifest_dir = fs::path(cfg.manifest).parent_path().string();
    }
    if (cfg.mcp.pins_file.empty()) {
        cfg.mcp.pins_file = (fs::path(cfg.audit.path).parent_path() / "mcp-pins.json").string();
    }
    if (!r.error().empty()) return make_error("bad_config", r.error());
    return cfg;
}

}  // namespace

Result<RouterConfig> parse_router_config(const std::string& yaml_text,
                                         const std::string& base_dir) {
    // Field readers above convert yaml-cpp's exceptions; this catches the structural ones
    // (indexing into a scalar, odd node types) so no input can escape as an exception.
    try {
        return parse_impl(yaml_text, base_dir);
    } catch (const YAML::Exception& e) {
        return make_error("bad_config", std::string("invalid config structure: ") + e.what());
    }
}

Result<RouterConfig> load_router_config(const std::string& path) {
    std::ifstream in(path);
    if (!in) return make_error("bad_config", "cannot read config file " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    auto dir = fs::absolute(fs::path(path)).parent_path().string();
    auto cfg = parse_router_config(ss.str(), dir);
    if (!cfg.ok()) return make_error(cfg.error().code, path + ": " + cfg.error().message);
    return cfg;
}

}  // namespace kars::router::config
