// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// Runs the built `kars` binary against real audit logs written by the library.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "core/audit/audit_log.h"
#include "tests/integration/run_command.h"

namespace kars::audit {
namespace {

using Run = kars::testing::CmdResult;
using kars::testing::run_kars;

class AuditCliTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("kars-audit-cli-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        path_ = (dir_ / "audit.jsonl").string();

        LogOptions o;
        o.path = path_;
        auto log = AuditLog::open(o);
        ASSERT_TRUE(log.ok()) << log.error().message;
        for (int i = 0; i < 5; ++i) {
            Event e;
            e.sandbox = "sb-cli";
            e.action = "chat.completions";
            e.decision = i == 4 ? "deny" : "allow";
            e.policy_kind = "inference";
            e.reason = i == 4 ? "evil \x1b[2J reason" : "ok " + std::to_string(i);
            e.trace_id = "t" + std::to_string(i);
            ASSERT_TRUE((*log)->append_sync(e).ok());
        }
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::filesystem::path dir_;
    std::string path_;
};

TEST_F(AuditCliTest, VerifyExitsZeroForAnIntactLog) {
    auto r = run_kars("audit verify " + path_);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("integrity:    PASS (5 entries"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("signatures verified"), std::string::npos) << r.output;
}

TEST_F(AuditCliTest, VerifyJsonReportIsMachineReadable) {
    auto r = run_kars("audit verify --json " + path_ + " --public-key " + path_ + ".key.pub");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto v = boost::json::parse(r.output);
    EXPECT_TRUE(v.at("ok").as_bool());
    EXPECT_EQ(v.at("integrity").at("entries").as_int64(), 5);
    EXPECT_EQ(v.at("completeness").at("signatures").as_string(), "verified");
}

TEST_F(AuditCliTest, VerifyExitsOneAndNamesTheLineOfAnEdit) {
    std::ifstream in(path_);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    in.close();
    lines[1].replace(lines[1].find("ok 1"), 4, "ok 9");
    std::ofstream out(path_, std::ios::trunc);
    for (const auto& l : lines) out << l << "\n";
    out.close();

    auto r = run_kars("audit verify " + path_);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("FAIL at line 2: hash_mismatch"), std::string::npos) << r.output;
}

TEST_F(AuditCliTest, VerifyAcceptsATornTailButSaysSo) {
    std::ofstream(path_, std::ios::app) << "{\"seq\":5";
    auto r = run_kars("audit verify " + path_);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("partial tail"), std::string::npos) << r.output;
}

TEST_F(AuditCliTest, VerifyExitsTwoForAMissingFileOrBadUsage) {
    EXPECT_EQ(run_kars("audit verify " + (dir_ / "none.jsonl").string()).exit_code, 2);
    EXPECT_EQ(run_kars("audit verify").exit_code, 2);
    EXPECT_EQ(run_kars("audit frobnicate").exit_code, 2);
}

TEST_F(AuditCliTest, TailPrintsTheLastEntriesWithControlCharactersEscaped) {
    auto r = run_kars("audit tail -n 2 " + path_);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(r.output.find("#2 "), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("#3 sb-cli allow chat.completions ok 3"), std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("#4 sb-cli deny chat.completions evil \\x1b[2J reason"),
              std::string::npos)
        << r.output;
    EXPECT_EQ(r.output.find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace kars::audit
