// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/manifest/manifest.h"

namespace kars::manifest {
namespace {

const std::filesystem::path kExamples = KARS_SOURCE_DIR "/../shared/reference/examples";

Manifest load_example(const std::string& name) {
    auto m = load_manifest_file(kExamples / name);
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
    return m.ok() ? std::move(m).value() : Manifest{};
}

// The compatibility promise: every manifest shipped with the reference system loads.
TEST(ManifestExamples, EveryReferenceExampleLoads) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(kExamples)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
    }
    ASSERT_GE(files.size(), 10u) << "reference examples not found at " << kExamples;
    std::size_t sandboxes = 0;
    for (const auto& file : files) {
        auto m = load_manifest_file(file);
        ASSERT_TRUE(m.ok()) << file << ": " << m.error().message;
        sandboxes += m->sandboxes.size();
        // Every sandbox in the examples has its InferencePolicy beside it.
        for (const auto& s : m->sandboxes) {
            SandboxIdentity id{s.metadata.name, s.metadata.namespace_name, s.metadata.labels};
            auto chosen = select_inference_policy(m->inference_policies, id);
            ASSERT_TRUE(chosen.ok()) << chosen.error().message;
            ASSERT_NE(*chosen, nullptr) << file;
            EXPECT_EQ((*chosen)->metadata.name, s.inference_ref) << file;
        }
    }
    EXPECT_GE(sandboxes, 10u);
}

TEST(ManifestExamples, BasicAgentValuesAreParsed) {
    Manifest m = load_example("basic-agent__clawsandbox.yaml");
    ASSERT_EQ(m.sandboxes.size(), 1u);
    ASSERT_EQ(m.inference_policies.size(), 1u);
    const KarsSandbox& s = m.sandboxes[0];
    EXPECT_EQ(s.metadata.name, "my-assistant");
    EXPECT_EQ(s.metadata.namespace_name, "kars-system");
    EXPECT_EQ(s.source.document, 2u);
    EXPECT_EQ(s.runtime.kind, RuntimeKind::kOpenClaw);
    ASSERT_TRUE(s.runtime.openclaw_config.is_object());
    EXPECT_EQ(s.runtime.openclaw_config.at("agent").at("model").as_string(), "azure/gpt-4.1");
    EXPECT_EQ(s.sandbox.isolation, "enhanced");
    EXPECT_TRUE(s.sandbox.read_only_root_filesystem);
    EXPECT_EQ(s.sandbox.writable_paths, (std::vector<std::string>{"/sandbox", "/tmp"}));
    EXPECT_EQ(s.inference_ref, "my-assistant-inference");
    EXPECT_TRUE(s.network_policy.default_deny);
    EXPECT_EQ(s.network_policy.egress_mode, EgressMode::kLearn);
    ASSERT_EQ(s.network_policy.allowed_endpoints.size(), 2u);
    EXPECT_EQ(s.network_policy.allowed_endpoints[1].host, "api.github.com");
    EXPECT_EQ(s.network_policy.allowed_endpoints[1].port, 443);
    EXPECT_EQ(s.resources.limits.at("memory"), "4Gi");
    EXPECT_EQ(s.resources.requests.at("cpu"), "500m");
    ASSERT_EQ(s.azure_services.size(), 1u);
    EXPECT_EQ(s.azure_services[0].permissions, (std::vector<std::string>{"inference", "evaluate"}));

    const InferencePolicyResource& p = m.inference_policies[0];
    EXPECT_EQ(p.policy.name, "my-assistant-inference");
    EXPECT_EQ(p.applies_to.sandbox_name, "my-assistant");
    ASSERT_TRUE(p.policy.token_budget.has_value());
    EXPECT_EQ(p.policy.token_budget->daily_tokens, 500000u);
    EXPECT_EQ(p.policy.token_budget->per_request_tokens, 128000u);
    EXPECT_EQ(p.policy.token_budget->monthly_tokens, 0u);
    ASSERT_TRUE(p.policy.content_safety.has_value());
    EXPECT_TRUE(p.policy.content_safety->require_prompt_shields);
    EXPECT_FALSE(p.policy.content_safety->hate.has_value());
    ASSERT_TRUE(p.policy.model_preference && p.policy.model_preference->primary);
    EXPECT_EQ(p.policy.model_preference->primary->deployment, "gpt-4.1");
    EXPECT_EQ(p.policy.model_preference->primary->provider, "azure-openai");
}

TEST(ManifestExamples, ByoRuntimeAndMonthlyBudgetAreParsed) {
    Manifest byo = load_example("byo-quickstart__k8s__clawsandbox.yaml");
    ASSERT_EQ(byo.sandboxes.size(), 1u);
    EXPECT_EQ(byo.sandboxes[0].runtime.kind, RuntimeKind::kByo);
    EXPECT_EQ(byo.sandboxes[0].runtime.image, "REPLACE_ME");
    EXPECT_EQ(byo.sandboxes[0].runtime.contract_version, "v1");
    // Defaults from the CRD apply when the manifest leaves fields out.
    EXPECT_EQ(byo.sandboxes[0].sandbox.seccomp_profile, "kars-strict");
    EXPECT_EQ(byo.sandboxes[0].sandbox.isolation, "standard");

    Manifest demo = load_example("lethal-trifecta-demo__scenarios__02-kars-sandbox.yaml");
    ASSERT_EQ(demo.inference_policies.size(), 1u);
    const auto& budget = *demo.inference_policies[0].policy.token_budget;
    EXPECT_EQ(budget.per_request_tokens, 100u);
    EXPECT_EQ(budget.daily_tokens, 5000u);
    EXPECT_EQ(budget.monthly_tokens, 100000u);
    EXPECT_EQ(demo.sandboxes[0].metadata.labels.at("demo"), "lethal-trifecta");
}

TEST(ManifestExamples, LanguageRuntimesCarryAgentCode) {
    Manifest m = load_example("openai-agents-quickstart__clawsandbox.yaml");
    ASSERT_EQ(m.sandboxes.size(), 1u);
    const RuntimeSpec& rt = m.sandboxes[0].runtime;
    EXPECT_EQ(rt.kind, RuntimeKind::kOpenAIAgents);
    EXPECT_EQ(rt.python_version, "3.12");
    ASSERT_TRUE(rt.agent_code.has_value());
    EXPECT_EQ(rt.agent_code->oci_image, "REPLACE-ME/your-openai-agents-app:latest");
    EXPECT_EQ(rt.extra_env.at("AGENT_LOG_LEVEL"), "INFO");
    EXPECT_TRUE(m.sandboxes[0].network_policy.allowed_endpoints.empty());
}

// Hermes' example lists endpoints without ports; they load with the port left unset.
TEST(ManifestExamples, EndpointsWithoutPortKeepPortUnset) {
    Manifest m = load_example("hermes-quickstart__karssandbox.yaml");
    ASSERT_EQ(m.sandboxes.size(), 1u);
    const KarsSandbox& s = m.sandboxes[0];
    EXPECT_EQ(s.runtime.kind, RuntimeKind::kHermes);
    ASSERT_TRUE(s.governance.has_value());
    EXPECT_TRUE(s.governance->enabled);
    EXPECT_EQ(s.governance->trust_threshold, 500u);
    ASSERT_EQ(s.network_policy.allowed_endpoints.size(), 2u);
    EXPECT_EQ(s.network_policy.allowed_endpoints[0].name, "agentmesh-relay");
    EXPECT_FALSE(s.network_policy.allowed_endpoints[0].port.has_value());
}

// Kubernetes kinds (Namespace, Deployment, ...) are listed, not rejected.
TEST(ManifestExamples, ForeignKindsArePassedThrough) {
    Manifest m = load_example("lethal-trifecta-demo__scenarios__03-bait-server.yaml");
    EXPECT_TRUE(m.sandboxes.empty());
    ASSERT_EQ(m.other.size(), 6u);
    EXPECT_EQ(m.other[0].kind, "ConfigMap");
    EXPECT_EQ(m.other[0].api_version, "v1");
    EXPECT_EQ(m.other[0].name, "poisoned-skill");
    EXPECT_EQ(m.other[2].kind, "Deployment");
    EXPECT_EQ(m.other[2].document.at("spec").at("replicas").as_uint64(), 1u);
}

}  // namespace
}  // namespace kars::manifest
