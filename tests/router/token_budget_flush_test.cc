// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <gtest/gtest.h>

#include <filesystem>

#include "router/budget/token_budget.h"

namespace kars::router::budget {
namespace {

using Durability = BudgetLedger::Durability;

// A deferred settle updates the ledger at once but reaches the state file only at the next
// flush; a restart before the flush forgets it, a restart after it does not.
TEST(TokenBudgetFlush, DeferredSettleIsDurableOnlyAfterFlush) {
    auto dir = std::filesystem::temp_directory_path() / "kars-budget-flush";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto file = dir / "budget.json";
    auto now = std::chrono::system_clock::now();

    auto ledger = BudgetLedger::open({.state_file = file});
    ASSERT_TRUE(ledger.ok()) << ledger.error().message;
    auto r = (*ledger)->reserve("sb", 10, now);
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE((*ledger)->settle(std::move(*r), 7, Durability::kDeferred).ok());
    EXPECT_EQ((*ledger)->remaining("sb", now).daily_used, 7u);

    auto before = BudgetLedger::open({.state_file = file});
    ASSERT_TRUE(before.ok());
    EXPECT_EQ((*before)->remaining("sb", now).daily_used, 0u);

    ASSERT_TRUE((*ledger)->flush().ok());
    auto after = BudgetLedger::open({.state_file = file});
    ASSERT_TRUE(after.ok());
    EXPECT_EQ((*after)->remaining("sb", now).daily_used, 7u);
}

}  // namespace
}  // namespace kars::router::budget
