// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// The approval store: requests are filed once, answered once, used once, and lapse.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "core/approvals/approval_store.h"

namespace kars::approvals {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class ApprovalStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("kars-approvals-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    fs::path dir_;
    Clock::time_point t0_ = Clock::time_point(std::chrono::seconds(1'800'000'000));
};

TEST_F(ApprovalStoreTest, RetriesShareOnePendingRequest) {
    ApprovalStore store(dir_);
    auto a = store.request("sb", "admin:deploy", "r", "why", 60s, t0_);
    ASSERT_TRUE(a.ok()) << a.error().message;
    auto b = store.request("sb", "admin:deploy", "r", "why", 60s, t0_ + 1s);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(a->id, b->id);
    auto c = store.request("sb", "admin:other", "r", "why", 60s, t0_);
    ASSERT_TRUE(c.ok());
    EXPECT_NE(a->id, c->id);
    EXPECT_EQ(store.list(t0_)->size(), 2u);
    EXPECT_EQ(fs::status(dir_).permissions() & fs::perms::all, fs::perms::owner_all);
}

TEST_F(ApprovalStoreTest, AnApprovalIsUsedOnceForExactlyItsAction) {
    ApprovalStore store(dir_);
    auto a = store.request("sb", "tool:wire_money", "r", "why", 60s, t0_);
    ASSERT_TRUE(a.ok());
    EXPECT_FALSE(store.consume("tool:wire_money", t0_)->has_value());  // not yet approved
    ASSERT_TRUE(store.decide(a->id, true, "ok once", 300s, t0_ + 1s).ok());
    EXPECT_FALSE(store.consume("tool:wire_money_more", t0_ + 2s)->has_value());
    auto used = store.consume("tool:wire_money", t0_ + 2s);
    ASSERT_TRUE(used.ok() && used->has_value());
    EXPECT_EQ((*used)->note, "ok once");
    EXPECT_FALSE(store.consume("tool:wire_money", t0_ + 3s)->has_value());
    EXPECT_EQ(store.list(t0_ + 3s)->front().state, State::kUsed);
}

TEST_F(ApprovalStoreTest, DeniedAndAnsweredRequestsCannotBeDecidedAgain) {
    ApprovalStore store(dir_);
    auto a = store.request("sb", "admin:x", "r", "why", 60s, t0_);
    ASSERT_TRUE(store.decide(a->id, false, "no", 300s, t0_).ok());
    EXPECT_FALSE(store.consume("admin:x", t0_)->has_value());
    auto again = store.decide(a->id, true, "", 300s, t0_);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, "approval_not_pending");
}

TEST_F(ApprovalStoreTest, UnansweredAndUnusedApprovalsExpire) {
    ApprovalStore store(dir_);
    auto a = store.request("sb", "admin:x", "r", "why", 10s, t0_);
    auto late = store.decide(a->id, true, "", 300s, t0_ + 11s);
    ASSERT_FALSE(late.ok());
    EXPECT_NE(late.error().message.find("expired"), std::string::npos);

    auto b = store.request("sb", "admin:x", "r", "why", 10s, t0_ + 20s);
    ASSERT_TRUE(b.ok());
    EXPECT_NE(a->id, b->id);  // the expired one is not reused
    ASSERT_TRUE(store.decide(b->id, true, "", 5s, t0_ + 21s).ok());
    EXPECT_FALSE(store.consume("admin:x", t0_ + 27s)->has_value());
}

TEST_F(ApprovalStoreTest, IdsThatAreNotIdsNeverTouchTheFilesystem) {
    ApprovalStore store(dir_);
    for (const char* id : {"../../etc/passwd", "", "ABCDEF0123456789ABCDEF0123456789",
                           "0123456789abcdef0123456789abcde/"}) {
        auto r = store.decide(id, true, "", 60s, t0_);
        ASSERT_FALSE(r.ok()) << id;
        EXPECT_EQ(r.error().code, "approval_not_found");
    }
    EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(ApprovalStoreTest, ADamagedFileIsSkippedNotFatal) {
    ApprovalStore store(dir_);
    auto a = store.request("sb", "admin:x", "r", "why", 60s, t0_);
    ASSERT_TRUE(a.ok());
    std::ofstream(dir_ / "0123456789abcdef0123456789abcdef.json") << "{not json";
    auto all = store.list(t0_);
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ(all->front().id, a->id);
}

}  // namespace
}  // namespace kars::approvals
