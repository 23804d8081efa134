// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/mcp/server_spec.h"

#include <algorithm>
#include <set>
#include <string>

#include <boost/json/object.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "core/governance/tool_policy.h"
#include "core/manifest/spec_reader.h"

namespace kars::mcp {
namespace {

namespace json = boost::json;
using manifest::SpecReader;

bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// POSIX portable names ([A-Za-z_][A-Za-z0-9_]*): anything else could not be set by a shell
// or looked up reliably, and '=' or NUL would corrupt the environment block.
bool is_env_name(std::string_view s) {
    if (s.empty() || is_digit(s[0])) return false;
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return is_alpha(c) || is_digit(c) || c == '_'; });
}

// MCP tool names (server/tools, "Tool names"): 1 to 128 of A-Z a-z 0-9 _ - .
bool is_tool_name(std::string_view s) {
    if (s.empty() || s.size() > kMaxToolNameLength) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return is_alpha(c) || is_digit(c) || c == '_' || c == '-' || c == '.';
    });
}

// RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
bool is_scope_token(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
    });
}

// execve(2) takes C strings: a NUL inside an argument or value would silently cut it.
bool has_nul(std::string_view s) {
    return s.find('\0') != std::string_view::npos;
}

bool is_loopback(const boost::urls::url_view& u) {
    switch (u.host_type()) {
        case boost::urls::host_type::ipv4:
            return u.host_ipv4_address().is_loopback();
        case boost::urls::host_type::ipv6:
            return u.host_ipv6_address().is_loopback();
        case boost::urls::host_type::name:
            return u.encoded_host() == "localhost";
        default:
            return false;
    }
}

void read_url(SpecReader& r, const std::string& text, McpServerSpec& s) {
    // The URL is never echoed in a message: a malformed one may still hold a password.
    auto parsed = boost::urls::parse_uri(text);
    if (!parsed) {
        return r.fail("spec.url", "not an absolute URL (" + parsed.error().message() + ")");
    }
    boost::urls::url_view u = *parsed;
    if (u.scheme_id() != boost::urls::scheme::http && u.scheme_id() != boost::urls::scheme::https) {
        return r.fail("spec.url", "scheme must be http or https");
    }
    if (u.has_userinfo()) {
        return r.fail("spec.url",
                      "must not contain user information (user:password@); give the server's "
                      "credential with bearerFromEnv");
    }
    if (!u.has_authority() || u.encoded_host().empty()) return r.fail("spec.url", "has no host");
    // A fragment is never sent to a server, so one here can only be a mistake.
    if (u.has_fragment()) return r.fail("spec.url", "must not have a fragment (#...)");
    s.url = text;
}

void read_env(SpecReader& r, const json::array& list, StdioLaunch& launch) {
    if (list.size() > kMaxStdioEnv) {
        return r.fail("spec.stdio.env", "at most " + std::to_string(kMaxStdioEnv) + " variables");
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < list.size() && r.ok(); ++i) {
        const std::string path = "spec.stdio.env[" + std::to_string(i) + "]";
        const json::object* item = list[i].if_object();
        if (!item) return r.fail(path, "expected object");
        r.known_keys(*item, path, {"name", "value", "valueFromEnv"});
        auto name = r.string(*item, "name", path + ".name");
        auto value = r.string(*item, "value", path + ".value");
        auto from = r.string(*item, "valueFromEnv", path + ".valueFromEnv");
        if (!r.ok()) return;
        if (!name) return r.fail(path + ".name", "required field is missing");
        if (!is_env_name(*name)) {
            return r.fail(path + ".name", "'" + *name +
                                              "' is not an environment variable name "
                                              "([A-Za-z_][A-Za-z0-9_]*)");
        }
        if (!seen.insert(*name).second) {
            return r.fail(path + ".name", "duplicate variable '" + *name + "'");
        }
        if (value && from) return r.fail(path, "value and valueFromEnv are mutually exclusive");
        if (!value && !from) return r.fail(path, "needs value or valueFromEnv");
        if (value && has_nul(*value)) {
            return r.fail(path + ".value", "must not contain a NUL character");
        }
        if (from && !is_env_name(*from)) {
            return r.fail(path + ".valueFromEnv", "'" + *from +
                                                      "' is not an environment variable name "
                                                      "([A-Za-z_][A-Za-z0-9_]*)");
        }
        launch.env.push_back(EnvVar{*name, value.value_or(""), from.value_or("")});
    }
}

void read_stdio(SpecReader& r, const json::object& spec, McpServerSpec& s) {
    const json::object* o = r.object(spec, "stdio", "spec.stdio");
    if (!o) return;
    r.known_keys(*o, "spec.stdio", {"command", "env", "workingDir"});
    StdioLaunch launch;
    auto argv = r.strings(*o, "command", "spec.stdio.command");
    if (!r.ok()) return;
    if (!argv || argv->empty()) {
        return r.fail("spec.stdio.command", "required: the program and its arguments");
    }
    if (argv->size() > kMaxStdioArgs) {
        return r.fail("spec.stdio.command",
                      "at most " + std::to_string(kMaxStdioArgs) + " arguments");
    }
    if (argv->front().empty()) return r.fail("spec.stdio.command[0]", "the program is empty");
    for (std::size_t i = 0; i < argv->size(); ++i) {
        if (has_nul((*argv)[i])) {
            return r.fail("spec.stdio.command[" + std::to_string(i) + "]",
                          "must not contain a NUL character");
        }
    }
    launch.argv = std::move(*argv);

    if (const json::array* env = r.array(*o, "env", "spec.stdio.env")) read_env(r, *env, launch);

    // Relative to what? The router's directory and the manifest's differ, so only an
    // absolute path means one thing.
    auto cwd = r.string(*o, "workingDir", "spec.stdio.workingDir");
    if (cwd && (cwd->empty() || cwd->front() != '/' || has_nul(*cwd))) {
        return r.fail("spec.stdio.workingDir", "must be an absolute path");
    }
    if (!r.ok()) return;
    launch.cwd = cwd.value_or("");
    s.stdio = std::move(launch);
}

void read_allowed_tools(SpecReader& r, const json::object& spec, McpServerSpec& s) {
    auto tools = r.strings(spec, "allowedTools", "spec.allowedTools");
    if (!tools) return;
    std::set<std::string_view> seen;
    for (std::size_t i = 0; i < tools->size(); ++i) {
        const std::string& t = (*tools)[i];
        const std::string path = "spec.allowedTools[" + std::to_string(i) + "]";
        if (t == "*") {
            if (tools->size() > 1) {
                return r.fail(path, "\"*\" allows every tool, so it must be the only entry");
            }
        } else if (!is_tool_name(t)) {
            return r.fail(path, "'" + t +
                                    "' is not a tool name (1 to 128 characters of A-Z a-z 0-9 "
                                    "_ . -) or \"*\"");
        }
        if (!seen.insert(t).second) return r.fail(path, "duplicate tool '" + t + "'");
    }
    s.allowed_tools = std::move(*tools);
}

void read_oauth(SpecReader& r, const json::object& spec, McpServerSpec& s) {
    const json::object* oauth = r.object(spec, "oauth", "spec.oauth");
    if (!oauth) return;
    r.known_keys(*oauth, "spec.oauth", {"audience", "issuer", "pkce", "resource"});
    auto issuer = r.string(*oauth, "issuer", "spec.oauth.issuer");
    auto pkce = r.string(*oauth, "pkce", "spec.oauth.pkce");
    (void)r.string(*oauth, "audience", "spec.oauth.audience");
    (void)r.string(*oauth, "resource", "spec.oauth.resource");
    if (!r.ok()) return;
    if (!issuer || issuer->empty()) return r.fail("spec.oauth.issuer", "required field is missing");
    // CRD rule: S256 is the only PKCE method (RFC 7636 section 4.2); "plain" leaks the verifier.
    if (pkce && *pkce != "S256") return r.fail("spec.oauth.pkce", "must be S256");
    s.oauth = *oauth;
}

void read_scopes(SpecReader& r, const json::object& spec, McpServerSpec& s) {
    auto scopes = r.strings(spec, "scopes", "spec.scopes");
    if (!scopes) return;
    for (std::size_t i = 0; i < scopes->size(); ++i) {
        if (!is_scope_token((*scopes)[i])) {
            return r.fail("spec.scopes[" + std::to_string(i) + "]",
                          "not an OAuth scope token (RFC 6749 section 3.3)");
        }
    }
    s.scopes = std::move(*scopes);
}

void read_credentials(SpecReader& r, const json::object& spec, McpServerSpec& s) {
    auto bearer = r.string(spec, "bearerFromEnv", "spec.bearerFromEnv");
    if (!bearer || !r.ok()) return;
    if (!is_env_name(*bearer)) {
        return r.fail(
            "spec.bearerFromEnv",
            "'" + *bearer + "' is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
    }
    if (s.stdio) {
        return r.fail("spec.bearerFromEnv",
                      "applies to url servers only; give a stdio server its credential with "
                      "stdio.env[].valueFromEnv");
    }
    // A bearer token over plain http is readable by anyone on the path; only a server on
    // this machine is exempt.
    auto u = boost::urls::parse_uri(s.url);
    if (u && u->scheme_id() == boost::urls::scheme::http && !is_loopback(*u)) {
        return r.fail("spec.bearerFromEnv",
                      "would send the token in clear text; use an https url (plain http is "
                      "accepted for loopback hosts only)");
    }
    s.bearer_from_env = std::move(*bearer);
}

// The CRD's admission rules for productionMode, which the controller would enforce.
void check_production_mode(SpecReader& r, McpServerSpec& s) {
    if (!r.ok() || !s.production_mode) return;
    if (s.oauth.is_null()) return r.fail("spec.productionMode", "requires spec.oauth.issuer");
    if (s.url.rfind("https://", 0) != 0) {
        return r.fail("spec.productionMode", "requires a url that begins with https://");
    }
}

}  // namespace

Result<McpServerSpec> compile_mcp_server(const manifest::ObjectMeta& metadata,
                                         const boost::json::value& spec) {
    McpServerSpec s;
    s.source = SpecReader::source_of(manifest::kMcpServerKind, metadata);
    s.name = metadata.name;
    s.namespace_name = metadata.namespace_name.empty() ? "default" : metadata.namespace_name;
    SpecReader r("invalid_mcp_server", s.source);
    if (!spec.is_object()) {
        r.fail("spec", spec.is_null() ? "required field is missing" : "expected object");
        return r.error();
    }
    const json::object& obj = spec.get_object();
    r.known_keys(obj, "spec",
                 {"allowedSandboxes", "allowedTools", "bearerFromEnv", "bundleRef", "displayName",
                  "oauth", "productionMode", "scopes", "stdio", "url"});
    if (r.get(obj, "bundleRef")) {
        r.fail("spec.bundleRef",
               "signed bundles are resolved by the kars controller and are not supported by "
               "a local router; write url or stdio inline");
    }
    const bool has_url = r.get(obj, "url") != nullptr;
    const bool has_stdio = r.get(obj, "stdio") != nullptr;
    if (has_url && has_stdio) r.fail("spec", "url and stdio are mutually exclusive");
    if (!has_url && !has_stdio)
        r.fail("spec", "needs url (a remote server) or stdio (a local one)");

    s.display_name = r.string(obj, "displayName", "spec.displayName").value_or("");
    if (auto url = r.string(obj, "url", "spec.url")) read_url(r, *url, s);
    read_stdio(r, obj, s);
    read_allowed_tools(r, obj, s);
    read_credentials(r, obj, s);
    if (const json::object* sel = r.object(obj, "allowedSandboxes", "spec.allowedSandboxes")) {
        r.known_keys(*sel, "spec.allowedSandboxes", {"matchLabels"});
        auto labels = r.labels(*sel, "matchLabels", "spec.allowedSandboxes.matchLabels");
        if (labels) s.allowed_sandbox_labels = std::move(*labels);
    }
    s.production_mode = r.boolean(obj, "productionMode", "spec.productionMode").value_or(false);
    read_oauth(r, obj, s);
    read_scopes(r, obj, s);
    check_production_mode(r, s);
    if (!r.ok()) return r.error();
    return s;
}

Result<McpServerSpec> compile_mcp_server(const manifest::OpaqueResource& resource) {
    return compile_mcp_server(resource.metadata, resource.spec);
}

bool server_allows_tool(const McpServerSpec& spec, std::string_view tool) {
    if (tool.empty()) return false;
    return std::any_of(spec.allowed_tools.begin(), spec.allowed_tools.end(),
                       [&](const std::string& t) { return t == "*" || t == tool; });
}

bool server_selects_sandbox(const McpServerSpec& spec, const governance::Labels& sandbox_labels) {
    return governance::labels_match(spec.allowed_sandbox_labels, &sandbox_labels);
}

}  // namespace kars::mcp
