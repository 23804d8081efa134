// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <atomic>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "router/budget/token_budget.h"

namespace kars::router::budget {
namespace {

using namespace std::chrono;

constexpr int kThreads = 16;
const SystemTime kNoon = sys_days{year{2026} / 3 / 14} + hours{12};

// Holding every reservation: exactly limit / estimate of them can be admitted, no matter
// how the 16 threads interleave.
TEST(TokenBudgetConcurrency, ConcurrentReservationsAdmitExactlyWhatFits) {
    auto ledger = std::move(BudgetLedger::open({})).value();
    constexpr std::uint64_t kLimit = 100'000;
    constexpr std::uint64_t kEstimate = 100;
    ledger->set_limits("demo", policy::TokenBudget{0, kLimit, 0});

    std::vector<std::vector<Reservation>> held(kThreads);
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            while (!go.load()) std::this_thread::yield();
            for (;;) {
                auto r = ledger->reserve("demo", kEstimate, kNoon);
                if (!r.ok()) break;
                held[t].push_back(std::move(r).value());
            }
        });
    }
    go = true;
    for (auto& th : threads) th.join();

    std::size_t admitted = 0;
    for (const auto& h : held) admitted += h.size();
    EXPECT_EQ(admitted, kLimit / kEstimate);
    EXPECT_EQ(ledger->remaining("demo", kNoon).daily_reserved, kLimit);

    std::mt19937 rng(7);
    std::uint64_t settled = 0;
    for (auto& h : held) {
        for (auto& r : h) {
            std::uint64_t actual = std::uniform_int_distribution<std::uint64_t>(0, kEstimate)(rng);
            settled += actual;
            ASSERT_TRUE(ledger->settle(std::move(r), actual).ok());
        }
    }
    BudgetRemaining rem = ledger->remaining("demo", kNoon);
    EXPECT_EQ(rem.daily_used, settled);
    EXPECT_EQ(rem.daily_reserved, 0u);
    EXPECT_LE(settled, kLimit);
}

// Reserve, then settle (<= estimate) or drop, from 16 threads at once: the sum of settled
// tokens never passes the daily limit, and once the threads are done nothing that still
// fits is refused.
TEST(TokenBudgetConcurrency, ConcurrentReservationsNeverOverspendDailyLimit) {
    auto ledger = std::move(BudgetLedger::open({})).value();
    constexpr std::uint64_t kLimit = 50'000;
    constexpr std::uint64_t kMaxEstimate = 400;
    ledger->set_limits("demo", policy::TokenBudget{0, kLimit, 0});

    std::atomic<std::uint64_t> settled{0};
    std::atomic<std::uint64_t> admitted{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            std::mt19937 rng(static_cast<unsigned>(t) + 1);
            std::uniform_int_distribution<std::uint64_t> estimate_dist(1, kMaxEstimate);
            while (!go.load()) std::this_thread::yield();
            int refusals = 0;
            while (refusals < 200) {
                std::uint64_t estimate = estimate_dist(rng);
                auto r = ledger->reserve("demo", estimate, kNoon);
                if (!r.ok()) {
                    ++refusals;
                    continue;
                }
                admitted.fetch_add(1);
                if (rng() % 8 == 0) continue;  // dropped: the destructor releases it
                std::uint64_t actual =
                    std::uniform_int_distribution<std::uint64_t>(0, estimate)(rng);
                settled.fetch_add(actual);
                ASSERT_TRUE(ledger->settle(std::move(r).value(), actual).ok());
                EXPECT_LE(settled.load(), kLimit);
            }
        });
    }
    go = true;
    for (auto& th : threads) th.join();

    BudgetRemaining rem = ledger->remaining("demo", kNoon);
    EXPECT_GT(admitted.load(), kLimit / kMaxEstimate);
    EXPECT_EQ(rem.daily_reserved, 0u);
    EXPECT_EQ(rem.daily_used, settled.load());
    EXPECT_LE(rem.daily_used, kLimit);

    // Fill what is left one token at a time: exactly the remainder is admitted.
    std::uint64_t left = kLimit - rem.daily_used;
    std::uint64_t filled = 0;
    while (true) {
        auto r = ledger->reserve("demo", 1, kNoon);
        if (!r.ok()) break;
        ASSERT_TRUE(ledger->settle(std::move(r).value(), 1).ok());
        ++filled;
    }
    EXPECT_EQ(filled, left);
    EXPECT_EQ(ledger->remaining("demo", kNoon).daily_used, kLimit);
}

}  // namespace
}  // namespace kars::router::budget
