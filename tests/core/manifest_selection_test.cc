// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/manifest/manifest.h"

namespace kars::manifest {
namespace {

using ::testing::HasSubstr;

std::string policy_yaml(const std::string& name, const std::string& applies_to,
                        const std::string& ns = "team") {
    return "apiVersion: kars.azure.com/v1alpha1\nkind: InferencePolicy\nmetadata:\n  name: " +
           name + "\n  namespace: " + ns + "\nspec:\n  appliesTo: " + applies_to + "\n---\n";
}

std::vector<InferencePolicyResource> load_policies(const std::string& text) {
    auto m = load_manifest_string(text, "policies.yaml");
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
    return m.ok() ? m->inference_policies : std::vector<InferencePolicyResource>{};
}

const SandboxIdentity kDemo{"demo", "team", {{"tier", "gold"}, {"env", "prod"}}};

std::string selected(const std::vector<InferencePolicyResource>& policies,
                     const SandboxIdentity& sandbox = kDemo, std::string_view action = "") {
    auto r = select_inference_policy(policies, sandbox, action);
    if (!r.ok()) return "error: " + r.error().message;
    return *r == nullptr ? "none" : (*r)->metadata.name;
}

TEST(ManifestSelection, SandboxNameBeatsLabels) {
    auto policies = load_policies(policy_yaml("by-labels",
                                              "{sandboxMatchLabels: {tier: gold, "
                                              "env: prod}}") +
                                  policy_yaml("by-name", "{sandboxName: demo}") +
                                  policy_yaml("everyone", "{}"));
    EXPECT_EQ(selected(policies), "by-name");
}

TEST(ManifestSelection, MoreLabelsBeatFewerAndEmptySelectorIsFallback) {
    auto policies =
        load_policies(policy_yaml("one", "{sandboxMatchLabels: {tier: gold}}") +
                      policy_yaml("two", "{sandboxMatchLabels: {tier: gold, env: prod}}") +
                      policy_yaml("everyone", "{}"));
    EXPECT_EQ(selected(policies), "two");
    EXPECT_EQ(selected(policies, SandboxIdentity{"other", "team", {{"tier", "gold"}}}), "one");
    EXPECT_EQ(selected(policies, SandboxIdentity{"other", "team", {}}), "everyone");
}

TEST(ManifestSelection, NonMatchingSelectorsAndOtherNamespacesAreIgnored) {
    auto policies = load_policies(policy_yaml("wrong-name", "{sandboxName: someone-else}") +
                                  policy_yaml("wrong-label", "{sandboxMatchLabels: {tier: free}}") +
                                  policy_yaml("other-ns", "{sandboxName: demo}", "elsewhere"));
    EXPECT_EQ(selected(policies), "none");
}

TEST(ManifestSelection, EquallySpecificPoliciesAreAnErrorNamingBoth) {
    auto policies = load_policies(policy_yaml("first", "{sandboxName: demo}") +
                                  policy_yaml("second", "{sandboxName: demo}"));
    std::string result = selected(policies);
    EXPECT_THAT(result, HasSubstr("error: sandbox demo is matched equally by"));
    EXPECT_THAT(result, HasSubstr("InferencePolicy/first"));
    EXPECT_THAT(result, HasSubstr("InferencePolicy/second"));
}

// A tie below the winner does not matter: only the most specific level must be unique.
TEST(ManifestSelection, TieBelowTheWinnerIsNotAnError) {
    auto policies = load_policies(policy_yaml("a", "{}") + policy_yaml("b", "{}") +
                                  policy_yaml("named", "{sandboxName: demo}"));
    EXPECT_EQ(selected(policies), "named");
}

TEST(ManifestSelection, ActionSpecificPolicyWinsOnlyForItsAction) {
    auto policies = load_policies(policy_yaml("any", "{sandboxName: demo}") +
                                  policy_yaml("chat-only", "{sandboxName: demo, action: chat}"));
    EXPECT_EQ(selected(policies, kDemo, "chat"), "chat-only");
    EXPECT_EQ(selected(policies, kDemo, "embeddings"), "any");
    EXPECT_EQ(selected(policies, kDemo), "any");
}

}  // namespace
}  // namespace kars::manifest
