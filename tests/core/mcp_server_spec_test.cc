// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// McpServer resources compiled from manifests: what is accepted, recorded and refused.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "core/manifest/manifest.h"
#include "core/mcp/server_spec.h"

namespace kars::mcp {
namespace {

Result<McpServerSpec> compile(std::string_view spec_json, std::string_view name = "bad") {
    manifest::ObjectMeta meta;
    meta.name = std::string(name);
    meta.namespace_name = "agents";
    return compile_mcp_server(meta, boost::json::parse(spec_json));
}

McpServerSpec compiled(std::string_view spec_json) {
    auto s = compile(spec_json, "ok");
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? *s : McpServerSpec{};
}

std::string compile_error(std::string_view spec_json) {
    auto s = compile(spec_json);
    if (s.ok()) return "<compiled>";
    EXPECT_EQ(s.error().code, "invalid_mcp_server");
    return s.error().message;
}

TEST(McpServerSpec, LoadsAUrlServerFromAManifestDocument) {
    auto m = manifest::load_manifest_string(
        "apiVersion: kars.azure.com/v1alpha1\nkind: McpServer\nmetadata:\n  name: github\n"
        "  namespace: agents\nspec:\n  displayName: GitHub\n"
        "  url: https://api.githubcopilot.com/mcp/\n  allowedTools: [search_code, get_issue]\n"
        "  bearerFromEnv: COPILOT_GITHUB_TOKEN\n"
        "  allowedSandboxes:\n    matchLabels: {team: web}\n",
        "mcp.yaml");
    ASSERT_TRUE(m.ok()) << m.error().message;
    ASSERT_EQ(m->mcp_servers.size(), 1u);
    auto s = compile_mcp_server(m->mcp_servers[0]);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(s->source, "McpServer/agents/github");
    EXPECT_EQ(s->name, "github");
    EXPECT_EQ(s->namespace_name, "agents");
    EXPECT_EQ(s->display_name, "GitHub");
    EXPECT_EQ(s->url, "https://api.githubcopilot.com/mcp/");
    EXPECT_FALSE(s->stdio.has_value());
    EXPECT_EQ(s->allowed_tools, (std::vector<std::string>{"search_code", "get_issue"}));
    EXPECT_EQ(s->bearer_from_env, "COPILOT_GITHUB_TOKEN");
    EXPECT_EQ(s->allowed_sandbox_labels, (governance::Labels{{"team", "web"}}));
    EXPECT_FALSE(s->production_mode);
    EXPECT_TRUE(s->oauth.is_null());
}

TEST(McpServerSpec, CompilesAStdioServer) {
    McpServerSpec s = compiled(R"({
        "stdio": {"command": ["npx", "-y", "@modelcontextprotocol/server-filesystem", "/data"],
                  "env": [{"name": "LOG_LEVEL", "value": "debug"},
                          {"name": "API_KEY", "valueFromEnv": "KARS_FS_KEY"},
                          {"name": "EMPTY", "value": ""}],
                  "workingDir": "/srv/mcp"},
        "allowedTools": ["*"]})");
    ASSERT_TRUE(s.stdio.has_value());
    EXPECT_TRUE(s.url.empty());
    EXPECT_EQ(s.stdio->argv.size(), 4u);
    EXPECT_EQ(s.stdio->argv[0], "npx");
    ASSERT_EQ(s.stdio->env.size(), 3u);
    EXPECT_EQ(s.stdio->env[0].name, "LOG_LEVEL");
    EXPECT_EQ(s.stdio->env[0].value, "debug");
    EXPECT_TRUE(s.stdio->env[0].value_from_env.empty());
    EXPECT_EQ(s.stdio->env[1].value_from_env, "KARS_FS_KEY");
    EXPECT_TRUE(s.stdio->env[1].value.empty());
    EXPECT_EQ(s.stdio->cwd, "/srv/mcp");
    EXPECT_EQ(s.source, "McpServer/agents/ok");
}

TEST(McpServerSpec, RecordsProductionModeOauthAndScopes) {
    McpServerSpec s = compiled(R"({"url": "https://mcp.example.com/", "productionMode": true,
        "oauth": {"issuer": "https://login.example.com", "pkce": "S256", "audience": "api"},
        "scopes": ["mcp:tools", "read"]})");
    EXPECT_TRUE(s.production_mode);
    EXPECT_EQ(s.oauth.at("issuer"), "https://login.example.com");
    EXPECT_EQ(s.scopes, (std::vector<std::string>{"mcp:tools", "read"}));
}

TEST(McpServerSpec, NullFieldsAreUnset) {
    McpServerSpec s = compiled(R"({"url": "http://127.0.0.1:8080/mcp", "displayName": null,
        "allowedTools": null, "oauth": null, "bundleRef": null, "stdio": null})");
    EXPECT_EQ(s.url, "http://127.0.0.1:8080/mcp");
    EXPECT_TRUE(s.allowed_tools.empty());
}

struct Rejected {
    const char* spec;
    const char* message;  // the whole message after "McpServer/agents/bad: "
};

TEST(McpServerSpec, RefusesBadSpecsNamingTheField) {
    const Rejected cases[] = {
        {"null", "spec: required field is missing"},
        {"[]", "spec: expected object"},
        {R"({"url":"https://a.example","urls":1})", "spec.urls: unknown field"},
        {R"({})", "spec: needs url (a remote server) or stdio (a local one)"},
        {R"({"url":"https://a.example","stdio":{"command":["x"]}})",
         "spec: url and stdio are mutually exclusive"},
        {R"({"bundleRef":{"digest":"sha256:00"}})",
         "spec.bundleRef: signed bundles are resolved by the kars controller and are not "
         "supported by a local router; write url or stdio inline"},
        // url
        {R"({"url":5})", "spec.url: expected string"},
        {R"({"url":"ftp://a.example/"})", "spec.url: scheme must be http or https"},
        {R"({"url":"https://user:secret@a.example/"})",
         "spec.url: must not contain user information (user:password@); give the server's "
         "credential with bearerFromEnv"},
        {R"({"url":"https://a.example/#frag"})", "spec.url: must not have a fragment (#...)"},
        {R"({"url":"https:///path"})", "spec.url: has no host"},
        // stdio
        {R"({"stdio":{"command":[]}})",
         "spec.stdio.command: required: the program and its arguments"},
        {R"({"stdio":{}})", "spec.stdio.command: required: the program and its arguments"},
        {R"({"stdio":{"command":"npx server"}})", "spec.stdio.command: expected array"},
        {R"({"stdio":{"command":["", "a"]}})", "spec.stdio.command[0]: the program is empty"},
        {R"({"stdio":{"command":["a", 1]}})", "spec.stdio.command[1]: expected string"},
        {R"({"stdio":{"command":["a", "b\u0000c"]}})",
         "spec.stdio.command[1]: must not contain a NUL character"},
        {R"({"stdio":{"command":["a"],"args":["b"]}})", "spec.stdio.args: unknown field"},
        {R"({"stdio":{"command":["a"],"workingDir":"rel/dir"}})",
         "spec.stdio.workingDir: must be an absolute path"},
        {R"({"stdio":{"command":["a"],"env":{"A":"b"}}})", "spec.stdio.env: expected array"},
        {R"({"stdio":{"command":["a"],"env":["A=b"]}})", "spec.stdio.env[0]: expected object"},
        {R"({"stdio":{"command":["a"],"env":[{"name":"1A","value":"b"}]}})",
         "spec.stdio.env[0].name: '1A' is not an environment variable name "
         "([A-Za-z_][A-Za-z0-9_]*)"},
        {R"({"stdio":{"command":["a"],"env":[{"name":"A=B","value":"b"}]}})",
         "spec.stdio.env[0].name: 'A=B' is not an environment variable name "
         "([A-Za-z_][A-Za-z0-9_]*)"},
        {R"({"stdio":{"command":["a"],"env":[{"value":"b"}]}})",
         "spec.stdio.env[0].name: required field is missing"},
        {R"({"stdio":{"command":["a"],"env":[{"name":"A","value":"b","valueFromEnv":"C"}]}})",
         "spec.stdio.env[0]: value and valueFromEnv are mutually exclusive"},
        {R"({"stdio":{"command":["a"],"env":[{"name":"A"}]}})",
         "spec.stdio.env[0]: needs value or valueFromEnv"},
        {R"({"stdio":{"command":["a"],"env":[{"name":"A","valueFromEnv":"B-C"}]}})",
         "spec.stdio.env[0].valueFromEnv: 'B-C' is not an environment variable name "
         "([A-Za-z_][A-Za-z0-9_]*)"},
        {R"({"stdio":{"command":["a"],"env":[{"name":"A","value":"1"},{"name":"A","value":"2"}]}})",
         "spec.stdio.env[1].name: duplicate variable 'A'"},
        {R"({"stdio":{"command":["a"],"env":[{"name":"A","secret":"x"}]}})",
         "spec.stdio.env[0].secret: unknown field"},
        // allowedTools
        {R"({"url":"https://a.example","allowedTools":"*"})", "spec.allowedTools: expected array"},
        {R"({"url":"https://a.example","allowedTools":["ok","has space"]})",
         "spec.allowedTools[1]: 'has space' is not a tool name (1 to 128 characters of A-Z a-z "
         "0-9 _ . -) or \"*\""},
        {R"({"url":"https://a.example","allowedTools":[""]})",
         "spec.allowedTools[0]: '' is not a tool name (1 to 128 characters of A-Z a-z 0-9 _ . "
         "-) or \"*\""},
        {R"({"url":"https://a.example","allowedTools":["git*"]})",
         "spec.allowedTools[0]: 'git*' is not a tool name (1 to 128 characters of A-Z a-z 0-9 "
         "_ . -) or \"*\""},
        {R"({"url":"https://a.example","allowedTools":["a","*"]})",
         "spec.allowedTools[1]: \"*\" allows every tool, so it must be the only entry"},
        {R"({"url":"https://a.example","allowedTools":["a","a"]})",
         "spec.allowedTools[1]: duplicate tool 'a'"},
        // credentials and selection
        {R"({"url":"https://a.example","bearerFromEnv":"MY-TOKEN"})",
         "spec.bearerFromEnv: 'MY-TOKEN' is not an environment variable name "
         "([A-Za-z_][A-Za-z0-9_]*)"},
        {R"({"url":"http://a.example","bearerFromEnv":"TOKEN"})",
         "spec.bearerFromEnv: would send the token in clear text; use an https url (plain http "
         "is accepted for loopback hosts only)"},
        {R"({"url":"http://127.evil.example","bearerFromEnv":"TOKEN"})",
         "spec.bearerFromEnv: would send the token in clear text; use an https url (plain http "
         "is accepted for loopback hosts only)"},
        {R"({"stdio":{"command":["a"]},"bearerFromEnv":"TOKEN"})",
         "spec.bearerFromEnv: applies to url servers only; give a stdio server its credential "
         "with stdio.env[].valueFromEnv"},
        {R"({"url":"https://a.example","allowedSandboxes":{"matchLabels":{"team":1}}})",
         "spec.allowedSandboxes.matchLabels.team: expected string"},
        {R"({"url":"https://a.example","allowedSandboxes":{"matchExpressions":[]}})",
         "spec.allowedSandboxes.matchExpressions: unknown field"},
        // productionMode, oauth, scopes (the CRD's admission rules)
        {R"({"url":"https://a.example","productionMode":"yes"})",
         "spec.productionMode: expected true or false"},
        {R"({"url":"https://a.example","productionMode":true})",
         "spec.productionMode: requires spec.oauth.issuer"},
        {R"({"url":"http://localhost:1","productionMode":true,"oauth":{"issuer":"https://i"}})",
         "spec.productionMode: requires a url that begins with https://"},
        {R"({"stdio":{"command":["a"]},"productionMode":true,"oauth":{"issuer":"https://i"}})",
         "spec.productionMode: requires a url that begins with https://"},
        {R"({"url":"https://a.example","oauth":{}})",
         "spec.oauth.issuer: required field is missing"},
        {R"({"url":"https://a.example","oauth":{"issuer":"https://i","pkce":"plain"}})",
         "spec.oauth.pkce: must be S256"},
        {R"({"url":"https://a.example","oauth":{"issuer":"https://i","clientSecret":"x"}})",
         "spec.oauth.clientSecret: unknown field"},
        {R"({"url":"https://a.example","scopes":["read write"]})",
         "spec.scopes[0]: not an OAuth scope token (RFC 6749 section 3.3)"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.spec);
        EXPECT_EQ(compile_error(c.spec), std::string("McpServer/agents/bad: ") + c.message);
    }
}

TEST(McpServerSpec, UrlErrorsNeverEchoTheUrl) {
    std::string message = compile_error(R"({"url":"https://user:hunter2@a.example/"})");
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
    message = compile_error(R"({"url":"not a url hunter2"})");
    EXPECT_NE(message.find("spec.url: not an absolute URL"), std::string::npos) << message;
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
}

TEST(McpServerSpec, ArgumentAndToolLengthLimits) {
    auto args = [](std::size_t n) {
        std::string list = R"({"stdio":{"command":[)";
        for (std::size_t i = 0; i < n; ++i) list += (i ? ",\"a\"" : "\"a\"");
        return list + "]}}";
    };
    EXPECT_TRUE(compile(args(kMaxStdioArgs)).ok());
    EXPECT_EQ(compile_error(args(kMaxStdioArgs + 1)),
              "McpServer/agents/bad: spec.stdio.command: at most 64 arguments");

    auto tool = [](std::size_t n) {
        return R"({"url":"https://a.example","allowedTools":[")" + std::string(n, 't') + "\"]}";
    };
    EXPECT_TRUE(compile(tool(kMaxToolNameLength)).ok());
    EXPECT_NE(compile_error(tool(kMaxToolNameLength + 1)).find("spec.allowedTools[0]"),
              std::string::npos);
}

TEST(McpServerSpec, BearerOverPlainHttpIsAllowedForLoopbackOnly) {
    for (const char* url : {"http://localhost:3000/mcp", "http://127.0.0.1:3000/mcp",
                            "http://127.1.2.3/mcp", "http://[::1]:3000/mcp"}) {
        SCOPED_TRACE(url);
        std::string spec = R"({"url":")" + std::string(url) + R"(","bearerFromEnv":"LOCAL_TOKEN"})";
        EXPECT_EQ(compiled(spec).bearer_from_env, "LOCAL_TOKEN");
    }
}

TEST(McpServerSpec, AllowedToolsStarNamesOrNothing) {
    McpServerSpec all = compiled(R"({"url":"https://a.example","allowedTools":["*"]})");
    EXPECT_TRUE(server_allows_tool(all, "anything"));
    EXPECT_TRUE(server_allows_tool(all, "search_code"));
    EXPECT_FALSE(server_allows_tool(all, ""));

    McpServerSpec named =
        compiled(R"({"url":"https://a.example","allowedTools":["search_code","get.issue"]})");
    EXPECT_TRUE(server_allows_tool(named, "search_code"));
    EXPECT_TRUE(server_allows_tool(named, "get.issue"));
    EXPECT_FALSE(server_allows_tool(named, "search_code2"));
    EXPECT_FALSE(server_allows_tool(named, "search"));
    EXPECT_FALSE(server_allows_tool(named, "get_issue"));

    // Fail-closed, as the CRD documents: no list, or an empty one, allows no tool at all.
    for (const char* spec :
         {R"({"url":"https://a.example"})", R"({"url":"https://a.example","allowedTools":[]})"}) {
        SCOPED_TRACE(spec);
        McpServerSpec none = compiled(spec);
        EXPECT_FALSE(server_allows_tool(none, "search_code"));
        EXPECT_FALSE(server_allows_tool(none, "*"));
    }
}

TEST(McpServerSpec, SandboxSelectionNeedsEveryLabel) {
    McpServerSpec any = compiled(R"({"url":"https://a.example"})");
    EXPECT_TRUE(server_selects_sandbox(any, {}));
    EXPECT_TRUE(server_selects_sandbox(any, {{"team", "web"}}));

    McpServerSpec web = compiled(R"({"url":"https://a.example",
        "allowedSandboxes":{"matchLabels":{"team":"web","tier":"prod"}}})");
    EXPECT_TRUE(server_selects_sandbox(web, {{"team", "web"}, {"tier", "prod"}, {"x", "y"}}));
    EXPECT_FALSE(server_selects_sandbox(web, {{"team", "web"}}));
    EXPECT_FALSE(server_selects_sandbox(web, {{"team", "web"}, {"tier", "dev"}}));
    EXPECT_FALSE(server_selects_sandbox(web, {}));

    McpServerSpec empty_selector =
        compiled(R"({"url":"https://a.example","allowedSandboxes":{"matchLabels":{}}})");
    EXPECT_TRUE(server_selects_sandbox(empty_selector, {{"team", "web"}}));
}

}  // namespace
}  // namespace kars::mcp
