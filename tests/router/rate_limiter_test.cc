// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/budget/rate_limiter.h"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

namespace kars::router::budget {
namespace {

using namespace std::chrono_literals;

const SteadyTime kStart = SteadyTime{} + 1000s;

TEST(RateLimiter, BurstIsAllowedThenRefused) {
    RateLimiter limiter({.requests_per_second = 1, .burst = 3});
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.try_acquire("demo", "gpt", kStart).allowed);
    RateDecision d = limiter.try_acquire("demo", "gpt", kStart);
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.retry_after_seconds, 1u);
}

TEST(RateLimiter, TokensRefillOverTime) {
    RateLimiter limiter({.requests_per_second = 2, .burst = 2});
    EXPECT_TRUE(limiter.try_acquire("demo", "gpt", kStart).allowed);
    EXPECT_TRUE(limiter.try_acquire("demo", "gpt", kStart).allowed);
    EXPECT_FALSE(limiter.try_acquire("demo", "gpt", kStart + 400ms).allowed);
    EXPECT_TRUE(limiter.try_acquire("demo", "gpt", kStart + 500ms).allowed);
    EXPECT_FALSE(limiter.try_acquire("demo", "gpt", kStart + 500ms).allowed);
    // Refill never exceeds the burst.
    for (int i = 0; i < 2; ++i)
        EXPECT_TRUE(limiter.try_acquire("demo", "gpt", kStart + 60s).allowed);
    EXPECT_FALSE(limiter.try_acquire("demo", "gpt", kStart + 60s).allowed);
}

TEST(RateLimiter, RetryAfterFollowsRefillRateRoundedUp) {
    RateLimiter slow({.requests_per_second = 0.1, .burst = 1});  // one request per 10 s
    EXPECT_TRUE(slow.try_acquire("demo", "gpt", kStart).allowed);
    EXPECT_EQ(slow.try_acquire("demo", "gpt", kStart).retry_after_seconds, 10u);
    EXPECT_EQ(slow.try_acquire("demo", "gpt", kStart + 2500ms).retry_after_seconds, 8u);

    RateLimiter fast({.requests_per_second = 100, .burst = 1});  // 10 ms, still at least 1 s
    EXPECT_TRUE(fast.try_acquire("demo", "gpt", kStart).allowed);
    EXPECT_EQ(fast.try_acquire("demo", "gpt", kStart).retry_after_seconds, 1u);
}

TEST(RateLimiter, KeysAreIsolatedBySandboxAndModel) {
    RateLimiter limiter({.requests_per_second = 1, .burst = 1});
    EXPECT_TRUE(limiter.try_acquire("a", "gpt", kStart).allowed);
    EXPECT_FALSE(limiter.try_acquire("a", "gpt", kStart).allowed);
    EXPECT_TRUE(limiter.try_acquire("a", "claude", kStart).allowed);
    EXPECT_TRUE(limiter.try_acquire("b", "gpt", kStart).allowed);
    EXPECT_EQ(limiter.key_count(), 3u);
}

// An agent cycling model names cannot grow the table past the cap, and cannot reset its
// own drained buckets by pushing them out.
TEST(RateLimiter, NewKeysPastTheCapAreRefusedWhileBucketsAreDrained) {
    RateLimiter limiter(
        {.requests_per_second = 1, .burst = 2, .max_keys = 4, .max_models_per_sandbox = 100});
    for (int i = 0; i < 4; ++i) {
        EXPECT_TRUE(limiter.try_acquire("s" + std::to_string(i), "m", kStart).allowed);
    }
    RateDecision d = limiter.try_acquire("newcomer", "m", kStart);
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.retry_after_seconds, 1u);  // the first drained bucket is full again in 1 s
    EXPECT_EQ(limiter.key_count(), 4u);

    // Once the old buckets have refilled they are indistinguishable from new ones: evicted.
    EXPECT_TRUE(limiter.try_acquire("newcomer", "m", kStart + 1s).allowed);
    EXPECT_EQ(limiter.key_count(), 1u);
}

TEST(RateLimiter, PerSandboxModelCapStopsOneSandboxFillingTheTable) {
    RateLimiter limiter(
        {.requests_per_second = 1, .burst = 5, .max_keys = 1000, .max_models_per_sandbox = 3});
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(limiter.try_acquire("attacker", "model-" + std::to_string(i), kStart).allowed);
    }
    EXPECT_FALSE(limiter.try_acquire("attacker", "model-3", kStart).allowed);
    EXPECT_TRUE(limiter.try_acquire("victim", "gpt", kStart).allowed);
    EXPECT_EQ(limiter.key_count(), 4u);
}

TEST(RateLimiter, InvalidOptionsAreClampedToUsableValues) {
    RateLimiter limiter({.requests_per_second = 0, .burst = 0});
    EXPECT_TRUE(limiter.try_acquire("demo", "gpt", kStart).allowed);
    RateDecision d = limiter.try_acquire("demo", "gpt", kStart);
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.retry_after_seconds, 86'400u);
}

}  // namespace
}  // namespace kars::router::budget
