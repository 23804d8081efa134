// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/config/router_config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace kars::router::config {
namespace {

constexpr const char* kMinimal = R"(
sandbox: {name: demo}
providers:
  - {name: r, kind: replay, cassette: c.jsonl}
audit: {path: audit.jsonl}
)";

TEST(RouterConfig, MinimalConfigGetsDefaults) {
    auto cfg = parse_router_config(kMinimal, "/srv/kars");
    ASSERT_TRUE(cfg.ok()) << cfg.error().message;
    EXPECT_EQ(cfg->listen_host, "127.0.0.1");
    EXPECT_EQ(cfg->listen_port, 8443);
    EXPECT_EQ(cfg->sandbox_name, "demo");
    EXPECT_EQ(cfg->providers.at(0).cassette, "/srv/kars/c.jsonl");
    EXPECT_EQ(cfg->audit.path, "/srv/kars/audit.jsonl");
    EXPECT_EQ(cfg->audit.signing_key, "/srv/kars/audit.jsonl.key");
    EXPECT_EQ(cfg->limits.max_body_bytes, 4u * 1024 * 1024);
    ASSERT_NE(cfg->targets_for("anything"), nullptr);
    EXPECT_EQ(cfg->targets_for("anything")->at(0).provider, "r");
    // Names without their own entry use the default route (and share its rate bucket).
    ASSERT_NE(cfg->route_for("anything"), nullptr);
    EXPECT_EQ(*cfg->route_for("anything"), "default");
}

// Identity comes from the config alone; without it the router must not start.
TEST(RouterConfig, RejectsMissingSandboxName) {
    auto cfg = parse_router_config("providers: []\naudit: {path: a}\n", "/");
    ASSERT_FALSE(cfg.ok());
    EXPECT_NE(cfg.error().message.find("sandbox"), std::string::npos);
}

TEST(RouterConfig, RejectsMissingAudit) {
    auto cfg = parse_router_config(
        "sandbox: {name: d}\nproviders: [{name: r, kind: replay, cassette: c}]\n", "/");
    ASSERT_FALSE(cfg.ok());
    EXPECT_NE(cfg.error().message.find("audit"), std::string::npos);
}

// A key pasted into the config would end up in backups and diffs; only files and
// environment variables may hold secrets.
TEST(RouterConfig, RefusesInlineApiKey) {
    auto cfg = parse_router_config(R"(
sandbox: {name: d}
providers: [{name: o, kind: openai, api_key: sk-123}]
audit: {path: a}
)",
                                   "/");
    ASSERT_FALSE(cfg.ok());
    EXPECT_NE(cfg.error().message.find("inline secrets"), std::string::npos);
}

TEST(RouterConfig, ReadsKeyFromFileAndTrimsNewline) {
    auto dir = std::filesystem::temp_directory_path() / "kars-config-test";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "key.txt") << "sk-test-123\n";
    auto cfg = parse_router_config(R"(
sandbox: {name: d}
providers: [{name: o, kind: openai, api_key_file: key.txt}]
audit: {path: a}
)",
                                   dir.string());
    ASSERT_TRUE(cfg.ok()) << cfg.error().message;
    EXPECT_EQ(cfg->providers.at(0).api_key, "sk-test-123");
    EXPECT_EQ(cfg->providers.at(0).base_url, "https://api.openai.com/v1");
}

TEST(RouterConfig, MissingKeyFileIsAnErrorAtLoad) {
    auto cfg = parse_router_config(R"(
sandbox: {name: d}
providers: [{name: o, kind: openai, api_key_file: /nonexistent/key}]
audit: {path: a}
)",
                                   "/");
    ASSERT_FALSE(cfg.ok());
    EXPECT_EQ(cfg.error().code, "missing_credential");
}

TEST(RouterConfig, EnvironmentOverrideWinsOverFile) {
    ::setenv("KARS_PROVIDER_MY_AZURE_API_KEY", "from-env", 1);
    auto cfg = parse_router_config(R"(
sandbox: {name: d}
providers: [{name: my-azure, kind: azure-openai, base_url: "https://x.openai.azure.com", api_key_file: /nonexistent}]
audit: {path: a}
)",
                                   "/");
    ::unsetenv("KARS_PROVIDER_MY_AZURE_API_KEY");
    ASSERT_TRUE(cfg.ok()) << cfg.error().message;
    EXPECT_EQ(cfg->providers.at(0).api_key, "from-env");
}

TEST(RouterConfig, ParsesIpv6ListenAndModelTargets) {
    auto cfg = parse_router_config(R"(
listen: "[::1]:9000"
sandbox: {name: d}
providers:
  - {name: a, kind: replay, cassette: c}
  - {name: b, kind: replay, cassette: c}
models:
  gpt-4o: [a, {provider: b, model: gpt-4o-mini}]
audit: {path: a}
)",
                                   "/");
    ASSERT_TRUE(cfg.ok()) << cfg.error().message;
    EXPECT_EQ(cfg->listen_host, "::1");
    EXPECT_EQ(cfg->listen_port, 9000);
    const auto* t = cfg->targets_for("gpt-4o");
    ASSERT_NE(t, nullptr);
    ASSERT_EQ(t->size(), 2u);
    EXPECT_EQ(t->at(1).model, "gpt-4o-mini");
    EXPECT_EQ(cfg->targets_for("other"), nullptr);
    ASSERT_NE(cfg->route_for("gpt-4o"), nullptr);
    EXPECT_EQ(*cfg->route_for("gpt-4o"), "gpt-4o");
    EXPECT_EQ(cfg->route_for("other"), nullptr);
}

TEST(RouterConfig, RejectsUnknownProviderInModels) {
    auto cfg = parse_router_config(R"(
sandbox: {name: d}
providers: [{name: a, kind: replay, cassette: c}]
models: {m: [nope]}
audit: {path: a}
)",
                                   "/");
    ASSERT_FALSE(cfg.ok());
    EXPECT_NE(cfg.error().message.find("unknown provider 'nope'"), std::string::npos);
}

TEST(RouterConfig, WrongTypesNameTheField) {
    auto cfg = parse_router_config(R"(
sandbox: {name: d}
providers: [{name: a, kind: replay, cassette: c}]
limits: {max_body_bytes: lots}
audit: {path: a}
)",
                                   "/");
    ASSERT_FALSE(cfg.ok());
    EXPECT_NE(cfg.error().message.find("limits.max_body_bytes"), std::string::npos);
}

TEST(RouterConfig, RejectsUnknownKindAndBadUrl) {
    EXPECT_FALSE(parse_router_config(R"(
sandbox: {name: d}
providers: [{name: a, kind: bedrock}]
audit: {path: a}
)",
                                     "/")
                     .ok());
    ::setenv("KARS_TEST_KEY", "k", 1);
    EXPECT_FALSE(parse_router_config(R"(
sandbox: {name: d}
providers: [{name: a, kind: openai, base_url: "ftp://x", api_key_env: KARS_TEST_KEY}]
audit: {path: a}
)",
                                     "/")
                     .ok());
}

TEST(RouterConfig, StructuralGarbageIsAnErrorNotAnException) {
    for (const char* text :
         {"[1,2,3]", "sandbox: [a]", "{sandbox: {name: {x: 1}}}", ":\n-", "models: 3"}) {
        auto cfg = parse_router_config(text, "/");
        EXPECT_FALSE(cfg.ok()) << text;
    }
}

TEST(RouterConfig, McpSectionDefaultsAndOverrides) {
    auto defaults = parse_router_config(kMinimal, "/srv/kars");
    ASSERT_TRUE(defaults.ok()) << defaults.error().message;
    EXPECT_EQ(defaults->mcp.pins_file, "/srv/kars/mcp-pins.json");
    EXPECT_TRUE(defaults->mcp.allowed_origins.empty());
    EXPECT_EQ(defaults->mcp.inherit_env.front(), "PATH");

    auto cfg = parse_router_config(std::string(kMinimal) + R"(
mcp:
  pins_file: pins/p.json
  call_timeout_ms: 1500
  max_sessions: 3
  session_idle_timeout_seconds: 60
  allowed_hosts: [router.internal]
  allowed_origins: ["http://tools.internal:6274"]
  inherit_env: [PATH]
)",
                                   "/srv/kars");
    ASSERT_TRUE(cfg.ok()) << cfg.error().message;
    EXPECT_EQ(cfg->mcp.pins_file, "/srv/kars/pins/p.json");
    EXPECT_EQ(cfg->mcp.call_timeout.count(), 1500);
    EXPECT_EQ(cfg->mcp.max_sessions, 3u);
    EXPECT_EQ(cfg->mcp.session_idle_timeout.count(), 60);
    EXPECT_EQ(cfg->mcp.allowed_hosts, std::vector<std::string>{"router.internal"});
    EXPECT_EQ(cfg->mcp.inherit_env, std::vector<std::string>{"PATH"});
}

TEST(RouterConfig, McpSectionMistakesNameTheField) {
    const std::pair<const char*, const char*> cases[] = {
        {"mcp: {max_sessions: 0}", "mcp.max_sessions"},
        {"mcp: {call_timeout_ms: -1}", "mcp.call_timeout_ms"},
        {"mcp: {allowed_origins: http://x}", "mcp.allowed_origins"},
        {"mcp: {inherit_env: ['']}", "mcp.inherit_env[0]"},
        {"mcp: {pin_file: x}", "mcp.pin_file"},
        {"mcp: [1]", "mcp"},
    };
    for (const auto& [yaml, field] : cases) {
        auto cfg = parse_router_config(std::string(kMinimal) + yaml + "\n", "/");
        ASSERT_FALSE(cfg.ok()) << yaml;
        EXPECT_NE(cfg.error().message.find(field), std::string::npos)
            << yaml << " -> " << cfg.error().message;
    }
}

}  // namespace
}  // namespace kars::router::config
