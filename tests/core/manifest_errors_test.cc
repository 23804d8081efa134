// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/manifest/manifest.h"

namespace kars::manifest {
namespace {

using ::testing::HasSubstr;

// A valid sandbox; tests splice one bad line into it.
std::string sandbox_yaml(const std::string& extra_spec = "", const std::string& name = "demo") {
    return "apiVersion: kars.azure.com/v1alpha1\n"
           "kind: KarsSandbox\n"
           "metadata:\n"
           "  name: " +
           name +
           "\n"
           "spec:\n"
           "  runtime:\n"
           "    kind: OpenClaw\n"
           "  sandbox:\n"
           "    isolation: enhanced\n"
           "  inferenceRef:\n"
           "    name: demo-inference\n" +
           extra_spec;
}

Error load_error(const std::string& text) {
    auto m = load_manifest_string(text, "demo.yaml");
    EXPECT_FALSE(m.ok()) << "expected the manifest to be refused";
    return m.ok() ? Error{} : m.error();
}

TEST(ManifestErrors, MinimalSandboxLoads) {
    auto m = load_manifest_string(sandbox_yaml());
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m->sandboxes.at(0).kind, "KarsSandbox");
}

TEST(ManifestErrors, LegacyClawSandboxKindIsAccepted) {
    std::string text = sandbox_yaml();
    text.replace(text.find("KarsSandbox"), 11, "ClawSandbox");
    auto m = load_manifest_string(text);
    ASSERT_TRUE(m.ok()) << m.error().message;
    ASSERT_EQ(m->sandboxes.size(), 1u);
    EXPECT_EQ(m->sandboxes[0].kind, "ClawSandbox");
}

TEST(ManifestErrors, MalformedYamlNamesFileAndLine) {
    Error e = load_error("apiVersion: kars.azure.com/v1alpha1\nkind: [unclosed\n");
    EXPECT_EQ(e.code, "invalid_yaml");
    EXPECT_THAT(e.message, HasSubstr("demo.yaml: line "));
    EXPECT_THAT(e.message, HasSubstr("invalid YAML"));
}

TEST(ManifestErrors, WrongKarsApiVersionIsRefused) {
    std::string text = sandbox_yaml();
    text.replace(text.find("v1alpha1"), 8, "v1beta1");
    Error e = load_error(text);
    EXPECT_EQ(e.code, "unsupported_api_version");
    EXPECT_EQ(e.message,
              "demo.yaml: document 1: KarsSandbox/demo: apiVersion: expected "
              "kars.azure.com/v1alpha1, got \"kars.azure.com/v1beta1\"");
}

TEST(ManifestErrors, KarsKindUnderForeignGroupIsRefused) {
    std::string text = sandbox_yaml();
    text.replace(0, text.find('\n'), "apiVersion: v1");
    EXPECT_EQ(load_error(text).code, "unsupported_api_version");
}

TEST(ManifestErrors, WrongFieldTypeNamesResourceAndPath) {
    Error e =
        load_error(sandbox_yaml("  resources:\n    limits:\n      memory:\n        amount: 4Gi\n"));
    EXPECT_EQ(e.code, "invalid_manifest");
    EXPECT_EQ(e.message,
              "demo.yaml: document 1: KarsSandbox/demo: spec.resources.limits.memory: "
              "expected string, got mapping");
}

TEST(ManifestErrors, ErrorNamesTheDocumentIndex) {
    std::string text = "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\n" +
                       sandbox_yaml("  suspended: \"yes\"\n");
    Error e = load_error(text);
    EXPECT_THAT(e.message, HasSubstr("demo.yaml: document 2: KarsSandbox/demo: spec.suspended: "
                                     "expected boolean, got string"));
}

TEST(ManifestErrors, QuotedNumberIsNotAnInteger) {
    std::string text =
        "apiVersion: kars.azure.com/v1alpha1\nkind: InferencePolicy\nmetadata: {name: p}\n"
        "spec:\n  appliesTo: {sandboxName: demo}\n  tokenBudget:\n    dailyTokens: \"1000\"\n";
    EXPECT_THAT(load_error(text).message,
                HasSubstr("InferencePolicy/p: spec.tokenBudget.dailyTokens: expected integer, "
                          "got string"));
}

TEST(ManifestErrors, NegativeTokenBudgetIsRefused) {
    std::string text =
        "apiVersion: kars.azure.com/v1alpha1\nkind: InferencePolicy\nmetadata: {name: p}\n"
        "spec:\n  appliesTo: {}\n  tokenBudget:\n    perRequestTokens: -5\n";
    EXPECT_THAT(load_error(text).message, HasSubstr("spec.tokenBudget.perRequestTokens: must not "
                                                    "be negative"));
}

TEST(ManifestErrors, UnknownSeverityIsRefusedButCaseIsIgnored) {
    std::string base =
        "apiVersion: kars.azure.com/v1alpha1\nkind: InferencePolicy\nmetadata: {name: p}\n"
        "spec:\n  appliesTo: {}\n  contentSafety:\n    hate: ";
    auto ok = load_manifest_string(base + "mEDium\n    selfHarm: low\n");
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ(ok->inference_policies[0].policy.content_safety->hate, policy::Severity::kMedium);
    EXPECT_EQ(ok->inference_policies[0].policy.content_safety->self_harm, policy::Severity::kLow);
    EXPECT_THAT(load_error(base + "extreme\n").message,
                HasSubstr("spec.contentSafety.hate: must be one of Safe, Low, Medium, High"));
}

TEST(ManifestErrors, MonthlyBelowDailyIsRefused) {
    std::string text =
        "apiVersion: kars.azure.com/v1alpha1\nkind: InferencePolicy\nmetadata: {name: p}\n"
        "spec:\n  appliesTo: {}\n  tokenBudget: {dailyTokens: 10, monthlyTokens: 5}\n";
    EXPECT_THAT(load_error(text).message, HasSubstr("monthlyTokens: must be >= "));
}

TEST(ManifestErrors, MissingRequiredFieldIsNamed) {
    std::string text = sandbox_yaml();
    text.erase(text.find("  inferenceRef:"));
    EXPECT_THAT(load_error(text).message,
                HasSubstr("KarsSandbox/demo: spec.inferenceRef: required field is missing"));
}

TEST(ManifestErrors, UnknownRuntimeKindListsChoices) {
    std::string text = sandbox_yaml();
    text.replace(text.find("OpenClaw"), 8, "Nope");
    EXPECT_THAT(load_error(text).message,
                HasSubstr("spec.runtime.kind: must be one of OpenClaw, OpenAIAgents"));
}

TEST(ManifestErrors, RuntimeBlockForOtherKindIsRefused) {
    std::string text = sandbox_yaml();
    text.insert(text.find("  sandbox:"), "    byo: {image: x, contractVersion: v1}\n");
    EXPECT_THAT(load_error(text).message,
                HasSubstr("spec.runtime.byo: set, but spec.runtime.kind is OpenClaw"));
}

TEST(ManifestErrors, EndpointPortOutOfRangeIsRefused) {
    Error e = load_error(sandbox_yaml(
        "  networkPolicy:\n    allowedEndpoints:\n      - {host: a.example, port: 70000}\n"));
    EXPECT_THAT(e.message,
                HasSubstr("spec.networkPolicy.allowedEndpoints[0].port: must be at most 65535"));
}

TEST(ManifestErrors, RelativeOrEscapingWritablePathIsRefused) {
    std::string base = sandbox_yaml();
    std::string text = base;
    text.insert(text.find("  inferenceRef:"), "    writablePaths: [/sandbox, /tmp/../etc]\n");
    EXPECT_THAT(load_error(text).message, HasSubstr("spec.sandbox.writablePaths[1]: must be an "
                                                    "absolute path"));
}

TEST(ManifestErrors, LabelKeysWithDotsAreQuotedInPaths) {
    std::string text = sandbox_yaml();
    text.insert(text.find("spec:"), "  labels:\n    kars.azure.com/dev-only: true\n");
    EXPECT_THAT(load_error(text).message,
                HasSubstr("metadata.labels[\"kars.azure.com/dev-only\"]: expected string, got "
                          "boolean"));
}

TEST(ManifestErrors, DuplicateKeysAreRefused) {
    std::string text = sandbox_yaml("  suspended: false\n  suspended: true\n");
    EXPECT_THAT(load_error(text).message, HasSubstr("spec.suspended: duplicate key"));
}

TEST(ManifestErrors, DuplicateResourcesAreRefused) {
    Error e = load_error(sandbox_yaml() + "---\n" + sandbox_yaml());
    EXPECT_THAT(e.message, HasSubstr("document 2: KarsSandbox/demo: duplicate of document 1"));
}

// An alias bomb expands past the node budget instead of exhausting memory.
TEST(ManifestErrors, AliasExpansionIsBounded) {
    std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    char prev = 'a';
    for (char c = 'b'; c <= 'j'; ++c) {
        text += std::string(1, c) + ": &" + c + " [";
        for (int i = 0; i < 10; ++i) text += std::string(i ? ", *" : "*") + prev;
        text += "]\n";
        prev = c;
    }
    Error e = load_error(text);
    EXPECT_THAT(e.message, HasSubstr("nodes after alias expansion"));
}

TEST(ManifestErrors, DeepNestingIsRefused) {
    std::string text =
        "apiVersion: v1\nkind: X\nspec: " + std::string(100, '[') + std::string(100, ']') + "\n";
    EXPECT_THAT(load_error(text).message, HasSubstr("nested deeper than"));
}

TEST(ManifestErrors, DocumentWithoutKindIsRefused) {
    EXPECT_THAT(load_error("apiVersion: v1\nmetadata: {name: x}\n").message,
                HasSubstr("document 1: kind: required field is missing"));
    EXPECT_THAT(load_error("- just\n- a list\n").message,
                HasSubstr("expected a mapping with apiVersion and kind, got sequence"));
}

TEST(ManifestErrors, OpaqueKindsKeepTheirSpec) {
    auto m = load_manifest_string(
        "apiVersion: kars.azure.com/v1alpha1\nkind: ToolPolicy\nmetadata: {name: t}\n"
        "spec:\n  appliesTo: {tool: shell}\n  maxCalls: 3\n---\n"
        "apiVersion: kars.azure.com/v1alpha1\nkind: KarsMemory\nmetadata: {name: m}\n"
        "---\n---\n");
    ASSERT_TRUE(m.ok()) << m.error().message;
    ASSERT_EQ(m->tool_policies.size(), 1u);
    EXPECT_EQ(m->tool_policies[0].spec.at("maxCalls").as_uint64(), 3u);
    EXPECT_EQ(m->tool_policies[0].spec.at("appliesTo").at("tool").as_string(), "shell");
    ASSERT_EQ(m->other.size(), 1u);
    EXPECT_EQ(m->other[0].kind, "KarsMemory");
}

TEST(ManifestErrors, EgressApprovalIsReadWithLimits) {
    std::string base =
        "apiVersion: kars.azure.com/v1alpha1\nkind: EgressApproval\nmetadata: {name: e}\n"
        "spec:\n  sandbox: demo\n  reason: incident\n  ttl: PT15M\n  hosts:";
    auto m = load_manifest_string(base + " [{host: api.example.com, port: 443}, {host: b.io}]\n");
    ASSERT_TRUE(m.ok()) << m.error().message;
    ASSERT_EQ(m->egress_approvals.size(), 1u);
    EXPECT_EQ(m->egress_approvals[0].hosts[0].port, 443);
    EXPECT_FALSE(m->egress_approvals[0].hosts[1].port.has_value());
    EXPECT_EQ(m->egress_approvals[0].ttl, "PT15M");
    EXPECT_THAT(load_error(base + " []\n").message,
                HasSubstr("spec.hosts: must contain between 1 and 16 entries"));
}

TEST(ManifestErrors, MissingFileIsAnError) {
    auto m = load_manifest_file("/nonexistent/kars/manifest.yaml");
    ASSERT_FALSE(m.ok());
    EXPECT_THAT(m.error().message, HasSubstr("cannot open file"));
}

}  // namespace
}  // namespace kars::manifest
