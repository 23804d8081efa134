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

}  // namespace
}  // namespace kars::router::config
