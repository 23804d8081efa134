// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/budget/token_budget.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kars::router::budget {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono;

SystemTime at(int y, unsigned m, unsigned d, int hour = 12) {
    return sys_days{year{y} / month{m} / day{d}} + hours{hour};
}

const SystemTime kNoon = at(2026, 3, 14);

std::unique_ptr<BudgetLedger> memory_ledger() {
    auto l = BudgetLedger::open({});
    EXPECT_TRUE(l.ok());
    return std::move(l).value();
}

policy::TokenBudget limits(std::uint64_t per_request, std::uint64_t daily, std::uint64_t monthly) {
    return policy::TokenBudget{per_request, daily, monthly};
}

class TempDir {
public:
    TempDir() {
        path_ = std::filesystem::temp_directory_path() /
                ("kars-budget-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    std::filesystem::path file(const std::string& name) const { return path_ / name; }

private:
    static inline int counter_ = 0;
    std::filesystem::path path_;
};

TEST(TokenBudget, SandboxWithoutLimitsIsUnlimitedButTracked) {
    auto ledger = memory_ledger();
    auto r = ledger->reserve("demo", 1'000'000'000, kNoon);
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(ledger->settle(std::move(r).value(), 123).ok());
    BudgetRemaining rem = ledger->remaining("demo", kNoon);
    EXPECT_EQ(rem.daily_used, 123u);
    EXPECT_FALSE(rem.daily_remaining.has_value());
    EXPECT_FALSE(rem.monthly_remaining.has_value());
}

TEST(TokenBudget, ZeroLimitsMeanUnlimited) {
    auto ledger = memory_ledger();
    ledger->set_limits("demo", limits(0, 0, 0));
    EXPECT_TRUE(ledger->reserve("demo", UINT64_MAX, kNoon).ok());
}

TEST(TokenBudget, RequestAbovePerRequestLimitIsRefused) {
    auto ledger = memory_ledger();
    ledger->set_limits("demo", limits(100, 0, 0));
    EXPECT_TRUE(ledger->reserve("demo", 100, kNoon).ok());
    auto r = ledger->reserve("demo", 101, kNoon);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "token_budget_exceeded");
    EXPECT_EQ(r.error().message,
              "Per-request token budget exceeded for sandbox demo: 101 requested > 100 limit");
}

TEST(TokenBudget, DailyLimitRefusesWithUsageInMessage) {
    auto ledger = memory_ledger();
    ledger->set_limits("demo", limits(0, 10'000, 0));
    auto r = ledger->reserve("demo", 9'800, kNoon);
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(ledger->settle(std::move(r).value(), 9'800).ok());
    EXPECT_TRUE(ledger->reserve("demo", 200, kNoon).ok());  // exactly at the limit: allowed
    auto denied = ledger->reserve("demo", 500, kNoon);
    ASSERT_FALSE(denied.ok());
    EXPECT_EQ(denied.error().code, "token_budget_exceeded");
    EXPECT_EQ(denied.error().message,
              "Daily token budget exceeded for sandbox demo: 9800 used + 500 requested > 10000 "
              "limit; resets at 00:00 UTC");
}

TEST(TokenBudget, HeldReservationsCountAgainstTheLimit) {
    auto ledger = memory_ledger();
    ledger->set_limits("demo", limits(0, 1'000, 0));
    auto held = ledger->reserve("demo", 700, kNoon);
    ASSERT_TRUE(held.ok());
    auto denied = ledger->reserve("demo", 400, kNoon);
    ASSERT_FALSE(denied.ok());
    EXPECT_THAT(denied.error().message,
                HasSubstr("0 used + 700 reserved in flight + 400 requested > 1000 limit"));
}

TEST(TokenBudget, MonthlyLimitRefusesAndNamesResetDate) {
    auto ledger = memory_ledger();
    ledger->set_limits("demo", limits(0, 0, 1'000));
    for (unsigned d = 1; d <= 4; ++d) {
        auto r = ledger->reserve("demo", 250, at(2026, 3, d));
        ASSERT_TRUE(r.ok());
        ASSERT_TRUE(ledger->settle(std::move(r).value(), 250).ok());
    }
    auto denied = ledger->reserve("demo", 1, at(2026, 3, 20));
    ASSERT_FALSE(denied.ok());
    EXPECT_EQ(denied.error().message,
              "Monthly token budget exceeded for sandbox demo: 1000 used + 1 requested > 1000 "
              "limit; resets at 00:00 UTC on 2026-04-01");
}

TEST(TokenBudget, DailyWindowResetsAtUtcMidnight) {
    auto ledger = memory_ledger();
    ledger->set_limits("demo", limits(0, 100, 0));
    auto r = ledger->reserve("demo", 100, at(2026, 3, 14, 23));
    ASSERT_TRUE(ledger->settle(std::move(r).value(), 100).ok());
    SystemTime last_second = at(2026, 3, 14, 0) + hours{23} + minutes{59} + seconds{59};
    EXPECT_FALSE(ledger->reserve("demo", 1, last_second).ok());
    EXPECT_TRUE(ledger->reserve("demo", 100, at(2026, 3, 15, 0)).ok());
}

TEST(TokenBudget, MonthlyWindowResetsOnTheFirst) {
    auto ledger = memory_ledger();
    ledger->set_limits("demo", limits(0, 0, 100));
    auto r = ledger->reserve("demo", 100, at(2026, 2, 28, 23));
    ASSERT_TRUE(ledger->settle(std::move(r).value(), 100).ok());
    EXPECT_FALSE(ledger->reserve("demo", 1, at(2026, 2, 28, 23)).ok());
    EXPECT_TRUE(ledger->reserve("demo", 100, at(2026, 3, 1, 0)).ok());
}

TEST(TokenBudget, WindowsResetAcrossTheYearBoundary) {
    auto ledger = memory_ledger();
    ledger->set_limits("demo", limits(0, 100, 100));
    auto r = ledger->reserve("demo", 100, at(2025, 12, 31, 23));
    ASSERT_TRUE(ledger->settle(std::move(r).value(), 100).ok());
    auto denied = ledger->reserve("demo", 1, at(2025, 12, 31, 23));
    ASSERT_FALSE(denied.ok());
    auto next = ledger->reserve("demo", 100, at(2026, 1, 1, 0));
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(utc_month_index(at(2026, 1, 1)), utc_month_index(at(2025, 12, 31)) + 1);
}

TEST(TokenBudget, ClockGoingBackDoesNotReopenAClosedDay) {
    auto ledger = memory_ledger();
    ledger->set_limits("demo", limits(0, 100, 0));
    auto r = ledger->reserve("demo", 100, at(2026, 3, 15, 1));
    ASSERT_TRUE(ledger->settle(std::move(r).value(), 100).ok());
    EXPECT_FALSE(ledger->reserve("demo", 1, at(2026, 3, 14, 23)).ok());
}

TEST(TokenBudget, SandboxesHaveSeparateBudgets) {
    auto ledger = memory_ledger();
    ledger->set_limits("a", limits(0, 100, 0));
    ledger->set_limits("b", limits(0, 100, 0));
    auto r = ledger->reserve("a", 100, kNoon);
    ASSERT_TRUE(ledger->settle(std::move(r).value(), 100).ok());
    EXPECT_FALSE(ledger->reserve("a", 1, kNoon).ok());
    EXPECT_TRUE(ledger->reserve("b", 100, kNoon).ok());
    EXPECT_EQ(ledger->remaining("b", kNoon).daily_remaining, 100u);  // the hold above dropped
}

TEST(TokenBudget, DroppedReservationReleasesItsTokens) {
    auto ledger = memory_ledger();
    ledger->set_limits("demo", limits(0, 100, 0));
    {
        auto r = ledger->reserve("demo", 100, kNoon);
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(ledger->remaining("demo", kNoon).daily_reserved, 100u);
        EXPECT_FALSE(ledger->reserve("demo", 1, kNoon).ok());
    }
    EXPECT_EQ(ledger->remaining("demo", kNoon).daily_reserved, 0u);
    EXPECT_EQ(ledger->remaining("demo", kNoon).daily_used, 0u);
    EXPECT_TRUE(ledger->reserve("demo", 100, kNoon).ok());
}

TEST(TokenBudget, ReleaseChargesNothing) {
    auto ledger = memory_ledger();
    ledger->set_limits("demo", limits(0, 100, 0));
    auto r = ledger->reserve("demo", 80, kNoon);
    ASSERT_TRUE(r.ok());
    ledger->release(std::move(r).value());
    EXPECT_EQ(ledger->remaining("demo", kNoon).daily_remaining, 100u);
}

TEST(TokenBudget, SettleRecordsActualUsageAboveOrBelowEstimate) {
    auto ledger = memory_ledger();
    ledger->set_limits("demo", limits(0, 1'000, 0));
    auto low = ledger->reserve("demo", 500, kNoon);
    ASSERT_TRUE(ledger->settle(std::move(low).value(), 100).ok());
    EXPECT_EQ(ledger->remaining("demo", kNoon).daily_used, 100u);
    EXPECT_EQ(ledger->remaining("demo", kNoon).daily_reserved, 0u);

    auto high = ledger->reserve("demo", 100, kNoon);
    ASSERT_TRUE(ledger->settle(std::move(high).value(), 1'200).ok());
    BudgetRemaining rem = ledger->remaining("demo", kNoon);
    EXPECT_EQ(rem.daily_used, 1'300u);
    EXPECT_EQ(rem.daily_remaining, 0u);
    EXPECT_FALSE(ledger->reserve("demo", 0 + 1, kNoon).ok());
}

TEST(TokenBudget, SettleAfterMidnightChargesTheDayOfTheReservation) {
    auto ledger = memory_ledger();
    ledger->set_limits("demo", limits(0, 100, 1'000));
    auto r = ledger->reserve("demo", 50, at(2026, 3, 14, 23));
    ASSERT_TRUE(r.ok());
    auto next_day = ledger->reserve("demo", 10, at(2026, 3, 15, 0));  // rolls the day over
    ASSERT_TRUE(next_day.ok());
    ASSERT_TRUE(ledger->settle(std::move(r).value(), 50).ok());
    BudgetRemaining rem = ledger->remaining("demo", at(2026, 3, 15, 1));
    EXPECT_EQ(rem.daily_used, 0u);       // the closed day absorbed it
    EXPECT_EQ(rem.daily_reserved, 10u);  // the new day's hold is untouched
    EXPECT_EQ(rem.monthly_used, 50u);    // same month: charged there
}

TEST(TokenBudget, SettlingTwiceIsRefused) {
    auto ledger = memory_ledger();
    Reservation empty;
    EXPECT_FALSE(ledger->settle(std::move(empty), 1).ok());
}

TEST(TokenBudget, UsagePersistsAcrossRestart) {
    TempDir dir;
    BudgetLedgerOptions options{dir.file("budget.json")};
    {
        auto ledger = BudgetLedger::open(options);
        ASSERT_TRUE(ledger.ok());
        (*ledger)->set_limits("demo", limits(0, 1'000, 5'000));
        auto r = (*ledger)->reserve("demo", 900, kNoon);
        ASSERT_TRUE((*ledger)->settle(std::move(r).value(), 900).ok());
        auto in_flight = (*ledger)->reserve("demo", 50, kNoon);  // not persisted
        ASSERT_TRUE(in_flight.ok());
        EXPECT_FALSE(std::filesystem::exists(dir.file("budget.json.tmp")));
        // The hold is released before the ledger goes away.
    }
    auto reopened = BudgetLedger::open(options);
    ASSERT_TRUE(reopened.ok()) << reopened.error().message;
    (*reopened)->set_limits("demo", limits(0, 1'000, 5'000));
    BudgetRemaining rem = (*reopened)->remaining("demo", kNoon);
    EXPECT_EQ(rem.daily_used, 900u);
    EXPECT_EQ(rem.monthly_used, 900u);
    EXPECT_EQ(rem.daily_reserved, 0u);
    EXPECT_FALSE((*reopened)->reserve("demo", 101, kNoon).ok());
    EXPECT_EQ((*reopened)->remaining("demo", at(2026, 3, 15)).monthly_used, 900u);
}

TEST(TokenBudget, CorruptStateFileIsAnErrorUnlessStartingFresh) {
    TempDir dir;
    for (const char* bad :
         {"{not json", "[]", R"({"version":2,"sandboxes":{}})",
          R"({"version":1,"sandboxes":{"d":{"day":1,"day_used":-4,"month":1,"month_used":0}}})"}) {
        std::ofstream(dir.file("budget.json"), std::ios::trunc) << bad;
        auto ledger = BudgetLedger::open({dir.file("budget.json")});
        ASSERT_FALSE(ledger.ok()) << bad;
        EXPECT_EQ(ledger.error().code, "budget_state_corrupt");
        EXPECT_THAT(ledger.error().message, HasSubstr("refusing to start from zero usage"));
    }
    auto fresh = BudgetLedger::open({dir.file("budget.json"), /*start_fresh=*/true});
    ASSERT_TRUE(fresh.ok());
    EXPECT_EQ((*fresh)->remaining("d", kNoon).daily_used, 0u);
}

TEST(TokenBudget, MissingStateFileStartsEmpty) {
    TempDir dir;
    auto ledger = BudgetLedger::open({dir.file("absent.json")});
    ASSERT_TRUE(ledger.ok());
}

TEST(TokenBudget, UnwritableStateFileIsReportedButUsageIsStillCounted) {
    auto ledger = BudgetLedger::open({"/nonexistent-dir/kars/budget.json"});
    ASSERT_TRUE(ledger.ok());
    (*ledger)->set_limits("demo", limits(0, 100, 0));
    auto r = (*ledger)->reserve("demo", 60, kNoon);
    Status s = (*ledger)->settle(std::move(r).value(), 60);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, "budget_persist_failed");
    EXPECT_EQ((*ledger)->remaining("demo", kNoon).daily_used, 60u);
}

}  // namespace
}  // namespace kars::router::budget
