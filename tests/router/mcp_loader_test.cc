// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/config/mcp_loader.h"

#include <gtest/gtest.h>

namespace kars::router::config {
namespace {

constexpr const char* kServers = R"(apiVersion: kars.azure.com/v1alpha1
kind: McpServer
metadata: {name: fs, namespace: team}
spec:
  allowedTools: ["*"]
  stdio:
    command: [node, server.js]
    env:
      - {name: TOKEN, valueFromEnv: FS_TOKEN}
      - {name: MODE, value: ro}
---
apiVersion: kars.azure.com/v1alpha1
kind: McpServer
metadata: {name: github, namespace: team}
spec:
  allowedTools: [create_issue]
  url: https://mcp.example.test/mcp
  bearerFromEnv: GH_TOKEN
---
apiVersion: kars.azure.com/v1alpha1
kind: McpServer
metadata: {name: gated, namespace: team}
spec:
  allowedTools: ["*"]
  url: http://127.0.0.1:9/mcp
  allowedSandboxes: {matchLabels: {tier: gold}}
---
apiVersion: kars.azure.com/v1alpha1
kind: McpServer
metadata: {name: foreign, namespace: other}
spec:
  allowedTools: ["*"]
  url: http://127.0.0.1:9/mcp
)";

class McpPlans : public ::testing::Test {
protected:
    McpPlans() {
        cfg_.sandbox_name = "agent";
        cfg_.sandbox_namespace = "team";
        cfg_.mcp.inherit_env = {"PATH"};
    }

    Result<std::vector<McpServerPlan>> plans(const std::string& extra = "") {
        auto m = manifest::load_manifest_string(std::string(kServers) + extra, "test.yaml");
        EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
        if (!m.ok()) return m.error();
        return build_mcp_plans(cfg_, &*m, [this](const std::string& name) {
            auto it = env_.find(name);
            return it == env_.end() ? std::nullopt : std::optional<std::string>(it->second);
        });
    }

    static std::vector<std::string> names(const std::vector<McpServerPlan>& p) {
        std::vector<std::string> out;
        for (const auto& x : p) out.push_back(x.spec.name);
        return out;
    }

    RouterConfig cfg_;
    std::map<std::string, std::string> env_ = {
        {"PATH", "/usr/bin"}, {"FS_TOKEN", "t0k"}, {"GH_TOKEN", "gh"}, {"OTHER", "secret"}};
};

TEST_F(McpPlans, WithoutRefsEveryAdmittingServerOfTheNamespace) {
    auto p = plans();
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(names(*p), (std::vector<std::string>{"fs", "github"}));
    cfg_.sandbox_labels = {{"tier", "gold"}};
    p = plans();
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(names(*p), (std::vector<std::string>{"fs", "gated", "github"}));
}

TEST_F(McpPlans, StdioEnvironmentIsExactlyInheritedBasicsAndNamedVariables) {
    auto p = plans();
    ASSERT_TRUE(p.ok()) << p.error().message;
    const auto& fs = p->front();
    EXPECT_TRUE(fs.stdio);
    EXPECT_EQ(fs.argv, (std::vector<std::string>{"node", "server.js"}));
    EXPECT_EQ(fs.env, (std::vector<std::string>{"MODE=ro", "PATH=/usr/bin", "TOKEN=t0k"}));
    const auto& gh = p->back();
    EXPECT_FALSE(gh.stdio);
    EXPECT_EQ(gh.bearer, "gh");
    EXPECT_EQ(gh.url, "https://mcp.example.test/mcp");
}

TEST_F(McpPlans, ManifestDirIsExpandedInTheCommand) {
    cfg_.mcp.manifest_dir = "/srv/agents/demo";
    auto p = plans(R"(---
apiVersion: kars.azure.com/v1alpha1
kind: McpServer
metadata: {name: local, namespace: team}
spec:
  allowedTools: ["*"]
  stdio:
    command: [node, "${KARS_MANIFEST_DIR}/tools/server.mjs", "--root=${KARS_MANIFEST_DIR}"]
)");
    ASSERT_TRUE(p.ok()) << p.error().message;
    const auto& local = (*p)[2];
    ASSERT_EQ(local.spec.name, "local");
    EXPECT_EQ(local.argv, (std::vector<std::string>{"node", "/srv/agents/demo/tools/server.mjs",
                                                    "--root=/srv/agents/demo"}));
}

TEST_F(McpPlans, AMissingCredentialFailsTheLoad) {
    env_.erase("FS_TOKEN");
    auto p = plans();
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.error().message.find("FS_TOKEN"), std::string::npos) << p.error().message;
    env_["FS_TOKEN"] = "t0k";
    env_.erase("GH_TOKEN");
    p = plans();
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.error().message.find("GH_TOKEN"), std::string::npos) << p.error().message;
}

TEST_F(McpPlans, FingerprintFollowsTheSecret) {
    auto a = plans();
    env_["FS_TOKEN"] = "rotated";
    auto b = plans();
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_NE(a->front().fingerprint, b->front().fingerprint);
    EXPECT_EQ(a->back().fingerprint, b->back().fingerprint);
}

constexpr const char* kSandboxWithRefs = R"(---
apiVersion: kars.azure.com/v1alpha1
kind: KarsSandbox
metadata: {name: agent, namespace: team}
spec:
  runtime: {kind: OpenClaw}
  sandbox: {isolation: enhanced}
  inferenceRef: {name: default}
  governance:
    enabled: true
    mcpServerRefs:
      - name: github
)";

TEST_F(McpPlans, RefsPickExactlyTheNamedServers) {
    auto p = plans(kSandboxWithRefs);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(names(*p), (std::vector<std::string>{"github"}));
}

TEST_F(McpPlans, ARefToAServerThatDoesNotAdmitTheSandboxIsAnError) {
    std::string refs = kSandboxWithRefs;
    refs += "      - name: gated\n";
    auto p = plans(refs);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.error().message.find("allowedSandboxes"), std::string::npos) << p.error().message;
}

TEST_F(McpPlans, ARefToAnUnknownServerIsAnError) {
    std::string refs = kSandboxWithRefs;
    refs += "      - name: nowhere\n";
    auto p = plans(refs);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.error().message.find("nowhere"), std::string::npos) << p.error().message;
}

}  // namespace
}  // namespace kars::router::config
