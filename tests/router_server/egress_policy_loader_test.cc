// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/egress_policy_loader.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "router/server/input_watch.h"

namespace kars::router::server {
namespace {

namespace fs = std::filesystem;

class EgressPolicyLoaderTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "kars-egress-loader-").string();
        tmpl.append(6, 'X');
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl;
        cfg_.sandbox_name = "sb";
    }
    void TearDown() override { fs::remove_all(dir_); }

    void write(const std::string& name, const std::string& text) {
        std::ofstream(dir_ / name) << text;
    }

    // A KarsSandbox named "sb" whose networkPolicy holds `policy_lines` (indented 4).
    void use_manifest(const std::string& policy_lines) {
        write("manifest.yaml",
              "apiVersion: kars.azure.com/v1alpha1\nkind: KarsSandbox\nmetadata:\n  name: sb\n"
              "spec:\n  runtime:\n    kind: BYO\n    byo:\n      image: example.test/a:v1\n"
              "      contractVersion: v1\n      command: [\"true\"]\n"
              "  sandbox:\n    isolation: enhanced\n  inferenceRef:\n    name: inf\n"
              "  networkPolicy:\n" +
                  policy_lines);
        cfg_.manifest = (dir_ / "manifest.yaml").string();
    }

    fs::path dir_;
    config::RouterConfig cfg_;
};

TEST_F(EgressPolicyLoaderTest, EnforcesWhenNothingAsksForLearnMode) {
    auto p = build_egress_policy(cfg_);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ((*p)->mode, egress::EgressMode::kEnforce);
    EXPECT_EQ((*p)->mode_origin, "default");
}

// The CRD defaults egressMode to Learn; an absent field must not turn learn mode on.
TEST_F(EgressPolicyLoaderTest, ManifestWithoutEgressModeEnforcesDespiteCrdDefault) {
    use_manifest("    allowedEndpoints:\n      - {host: a.test, port: 443}\n");
    auto p = build_egress_policy(cfg_);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ((*p)->mode, egress::EgressMode::kEnforce);
    EXPECT_EQ((*p)->allowlist.entries().size(), 1u);
}

TEST_F(EgressPolicyLoaderTest, ManifestEgressModeLearnTurnsLearnModeOn) {
    use_manifest("    egressMode: Learn\n");
    auto p = build_egress_policy(cfg_);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ((*p)->mode, egress::EgressMode::kLearn);
    EXPECT_NE((*p)->mode_origin.find("egressMode: Learn"), std::string::npos);
}

TEST_F(EgressPolicyLoaderTest, ManifestEgressModeStrictEnforces) {
    use_manifest("    egressMode: Strict\n");
    auto p = build_egress_policy(cfg_);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ((*p)->mode, egress::EgressMode::kEnforce);
}

TEST_F(EgressPolicyLoaderTest, ConfigLearnWithoutManifestTurnsLearnModeOn) {
    cfg_.egress.mode = "learn";
    cfg_.egress.mode_set = true;
    auto p = build_egress_policy(cfg_);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ((*p)->mode, egress::EgressMode::kLearn);
}

TEST_F(EgressPolicyLoaderTest, RejectsConfigAndManifestModesThatDisagree) {
    use_manifest("    egressMode: Strict\n");
    cfg_.egress.mode = "learn";
    cfg_.egress.mode_set = true;
    auto p = build_egress_policy(cfg_);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.error().message.find("contradicts"), std::string::npos);
}

// Another sandbox's learn mode in the same manifest does not apply to this one.
TEST_F(EgressPolicyLoaderTest, IgnoresEgressModeOfOtherSandboxes) {
    write("manifest.yaml",
          "apiVersion: kars.azure.com/v1alpha1\nkind: KarsSandbox\nmetadata:\n  name: other\n"
          "spec:\n  runtime:\n    kind: BYO\n    byo:\n      image: example.test/a:v1\n"
          "      contractVersion: v1\n      command: [\"true\"]\n"
          "  sandbox:\n    isolation: enhanced\n  inferenceRef:\n    name: inf\n"
          "  networkPolicy:\n"
          "    egressMode: Learn\n");
    cfg_.manifest = (dir_ / "manifest.yaml").string();
    auto p = build_egress_policy(cfg_);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ((*p)->mode, egress::EgressMode::kEnforce);
}

TEST_F(EgressPolicyLoaderTest, FingerprintChangesWhenABlocklistOrApprovalChanges) {
    write("block.txt", "a.test\n");
    fs::create_directory(dir_ / "approvals");
    cfg_.egress.blocklists.push_back({(dir_ / "block.txt").string(), "auto"});
    cfg_.egress.approvals_dir = (dir_ / "approvals").string();
    const auto first = egress_inputs_fingerprint(cfg_);
    EXPECT_EQ(first, egress_inputs_fingerprint(cfg_));

    write("block.txt", "a.test\nb.test\n");
    const auto second = egress_inputs_fingerprint(cfg_);
    EXPECT_NE(first, second);

    write("approvals/x.yaml", "# new approval\n");
    const auto third = egress_inputs_fingerprint(cfg_);
    EXPECT_NE(second, third);

    fs::remove(dir_ / "block.txt");
    EXPECT_NE(third, egress_inputs_fingerprint(cfg_));
}

}  // namespace
}  // namespace kars::router::server
