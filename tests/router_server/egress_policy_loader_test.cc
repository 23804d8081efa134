// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/egress_policy_loader.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/egress/approvals.h"
#include "core/egress/canonical_host.h"

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

// An EgressApproval for sandbox "sb" granting grant.test:443, with the given status lines.
std::string approval(const std::string& name, const std::string& status,
                     const std::string& ns = "default") {
    return "apiVersion: kars.azure.com/v1alpha1\nkind: EgressApproval\nmetadata:\n  name: " + name +
           "\n  namespace: " + ns +
           "\nspec:\n  sandbox: sb\n  hosts: [{host: grant.test, port: 443}]\n"
           "  reason: test\n  ttl: PT1H\nstatus:\n" +
           status;
}

std::string utc_in(std::chrono::hours from_now) {
    return egress::format_utc(egress::Clock::now() + from_now);
}

class EgressApprovalLoadTest : public EgressPolicyLoaderTest {
protected:
    // Whether grant.test:443 is granted by the approvals directory holding `doc`.
    Result<bool> grants(const std::string& doc) {
        fs::create_directories(dir_ / "approvals");
        write("approvals/a.yaml", doc);
        cfg_.egress.approvals_dir = (dir_ / "approvals").string();
        auto policy = build_egress_policy(cfg_);
        if (!policy.ok()) return policy.error();
        auto host = egress::canonicalize_host("grant.test");
        return (*policy)->approvals.match(*host, 443, egress::Clock::now()).grant != nullptr;
    }
};

TEST_F(EgressApprovalLoadTest, OnlyAnActiveApprovalWithinItsWindowGrants) {
    const auto window = "  effectiveAt: \"" + utc_in(std::chrono::hours(-1)) +
                        "\"\n  expiresAt: \"" + utc_in(std::chrono::hours(1)) + "\"\n";
    auto active = grants(approval("ok", "  phase: Active\n" + window));
    ASSERT_TRUE(active.ok()) << active.error().message;
    EXPECT_TRUE(*active);
    for (const char* phase : {"Pending", "Expired", "Revoked", "Denied", ""}) {
        auto r = grants(approval("p", std::string("  phase: \"") + phase + "\"\n" + window));
        ASSERT_TRUE(r.ok()) << phase;
        EXPECT_FALSE(*r) << "phase '" << phase << "' must not grant";
    }
    EXPECT_FALSE(*grants(approval("nophase", window)));
}

TEST_F(EgressApprovalLoadTest, NotBeforeEffectiveAtNorAfterExpiresAt) {
    auto future = grants(
        approval("later", "  phase: Active\n  effectiveAt: \"" + utc_in(std::chrono::hours(1)) +
                              "\"\n  expiresAt: \"" + utc_in(std::chrono::hours(2)) + "\"\n"));
    ASSERT_TRUE(future.ok());
    EXPECT_FALSE(*future);
    auto past = grants(approval("gone", "  phase: Active\n  effectiveAt: \"" +
                                            utc_in(std::chrono::hours(-2)) + "\"\n  expiresAt: \"" +
                                            utc_in(std::chrono::hours(-1)) + "\"\n"));
    ASSERT_TRUE(past.ok());
    EXPECT_FALSE(*past);
}

TEST_F(EgressApprovalLoadTest, AWindowOverSevenDaysIsRefused) {
    auto r = grants(approval("long", "  phase: Active\n  effectiveAt: \"" +
                                         utc_in(std::chrono::hours(-1)) + "\"\n  expiresAt: \"" +
                                         utc_in(std::chrono::hours(24 * 30)) + "\"\n"));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("7 day"), std::string::npos) << r.error().message;
    // Without effectiveAt the ceiling counts from now.
    EXPECT_FALSE(
        grants(approval("long2", "  phase: Active\n  expiresAt: \"2099-01-01T00:00:00Z\"\n")).ok());
}

TEST_F(EgressApprovalLoadTest, AnApprovalOfAnotherNamespaceDoesNotGrant) {
    cfg_.sandbox_namespace = "team-a";
    const auto status = "  phase: Active\n  expiresAt: \"" + utc_in(std::chrono::hours(1)) + "\"\n";
    EXPECT_FALSE(*grants(approval("other", status, "team-b")));
    EXPECT_TRUE(*grants(approval("mine", status, "team-a")));
}

}  // namespace
}  // namespace kars::router::server
