// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/egress_learn.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/json/parse.hpp>

#include "router/server/egress_policy_loader.h"

namespace kars::router::server {
namespace {

namespace fs = std::filesystem;

class LearnRecordTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "kars-learn-").string();
        tmpl.append(6, 'X');
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl;
        config::RouterConfig cfg;
        cfg.sandbox_name = "sb";
        cfg.egress.mode = "learn";
        cfg.egress.mode_set = true;
        auto p = build_egress_policy(cfg);
        ASSERT_TRUE(p.ok()) << p.error().message;
        policy_ = *p;
    }
    void TearDown() override { fs::remove_all(dir_); }

    egress::Decision learned(const std::string& host, std::uint32_t port) {
        auto d = egress::decide(*policy_, host, port, std::chrono::system_clock::now());
        EXPECT_EQ(d.decided_by, egress::DecidedBy::kLearnMode) << host;
        return d;
    }

    std::vector<std::string> endpoints_in(const fs::path& file) {
        std::ifstream in(file);
        std::stringstream ss;
        ss << in.rdbuf();
        auto doc = boost::json::parse(ss.str());
        std::vector<std::string> out;
        for (const auto& ep : doc.at("endpoints").as_array()) {
            out.push_back(std::string(ep.at("host").as_string()) + ":" +
                          std::to_string(ep.at("port").as_int64()));
        }
        return out;
    }

    fs::path dir_;
    std::shared_ptr<const egress::EgressPolicy> policy_;
};

TEST_F(LearnRecordTest, ARestartedRouterAddsToTheRecordOfTheEarlierRun) {
    const auto file = (dir_ / "learned.json").string();
    {
        LearnRecorder first("sb");
        first.record(learned("api.vendor.test", 443), file);
        first.record(learned("cdn.vendor.test", 443), file);
    }
    EXPECT_EQ(endpoints_in(file),
              (std::vector<std::string>{"api.vendor.test:443", "cdn.vendor.test:443"}));
    LearnRecorder second("sb");
    second.record(learned("new.vendor.test", 8443), file);
    EXPECT_EQ(endpoints_in(file),
              (std::vector<std::string>{"api.vendor.test:443", "cdn.vendor.test:443",
                                        "new.vendor.test:8443"}));
}

TEST_F(LearnRecordTest, AnUnreadableRecordIsKeptAsideNotOverwritten) {
    const auto file = dir_ / "learned.json";
    std::ofstream(file) << "{not json";
    LearnRecorder recorder("sb");
    recorder.record(learned("api.vendor.test", 443), file.string());
    EXPECT_EQ(endpoints_in(file), (std::vector<std::string>{"api.vendor.test:443"}));
    std::ifstream aside(dir_ / "learned.json.unreadable");
    std::string kept((std::istreambuf_iterator<char>(aside)), std::istreambuf_iterator<char>());
    EXPECT_EQ(kept, "{not json");
}

}  // namespace
}  // namespace kars::router::server
