// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <array>
#include <string>

#include <gtest/gtest.h>

#include "core/governance/rate_limiter.h"

namespace kars::governance {
namespace {

using namespace std::chrono_literals;
using TimePoint = RateLimiter::TimePoint;

TEST(GovernanceRateLimiter, BucketAdmitsCapacityThenRefillsWithInjectedTime) {
    RateLimiter limiter;
    std::array<BucketSpec, 1> spec{BucketSpec{"r", 2.0, 3.0}};
    TimePoint t(10s);
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.acquire(spec, "a", t).admitted);
    AcquireResult refused = limiter.acquire(spec, "a", t);
    EXPECT_FALSE(refused.admitted);
    EXPECT_EQ(refused.retry_after, 500ms);
    EXPECT_FALSE(limiter.acquire(spec, "a", t + 499ms).admitted);
    EXPECT_TRUE(limiter.acquire(spec, "a", t + 500ms).admitted);
}

// Checking every bucket before taking from any: a refusal by one never drains another.
TEST(GovernanceRateLimiter, RefusalTakesNoTokenFromOtherBuckets) {
    RateLimiter limiter;
    std::array<BucketSpec, 1> tight{BucketSpec{"tight", 0.001, 1.0}};
    std::array<BucketSpec, 2> both{BucketSpec{"loose", 0.001, 2.0},
                                   BucketSpec{"tight", 0.001, 1.0}};
    std::array<BucketSpec, 1> loose{BucketSpec{"loose", 0.001, 2.0}};
    TimePoint t(1s);
    EXPECT_TRUE(limiter.acquire(tight, "a", t).admitted);
    AcquireResult r = limiter.acquire(both, "a", t);
    EXPECT_FALSE(r.admitted);
    EXPECT_EQ(r.refused_index, 1u);
    EXPECT_TRUE(limiter.acquire(loose, "a", t).admitted);
    EXPECT_TRUE(limiter.acquire(loose, "a", t).admitted);
    EXPECT_FALSE(limiter.acquire(loose, "a", t).admitted);
}

TEST(GovernanceRateLimiter, KeyTableIsBoundedAndFailsClosedWhenFull) {
    RateLimiter limiter(4);
    std::array<BucketSpec, 1> spec{BucketSpec{"r", 1.0, 1.0}};
    TimePoint t(1s);
    for (int i = 0; i < 4; ++i) {
        EXPECT_TRUE(limiter.acquire(spec, "p" + std::to_string(i), t).admitted);
    }
    AcquireResult full = limiter.acquire(spec, "p-new", t);
    EXPECT_FALSE(full.admitted);
    EXPECT_TRUE(full.table_full);
    EXPECT_EQ(limiter.key_count(), 4u);
    // Once buckets have refilled they carry no state and make room for new keys.
    EXPECT_TRUE(limiter.acquire(spec, "p-new", t + 2s).admitted);
    EXPECT_LE(limiter.key_count(), 4u);
}

TEST(GovernanceRateLimiter, PrincipalsHaveSeparateBuckets) {
    RateLimiter limiter;
    std::array<BucketSpec, 1> spec{BucketSpec{"r", 1.0, 1.0}};
    TimePoint t(1s);
    EXPECT_TRUE(limiter.acquire(spec, "a", t).admitted);
    EXPECT_FALSE(limiter.acquire(spec, "a", t).admitted);
    EXPECT_TRUE(limiter.acquire(spec, "b", t).admitted);
}

}  // namespace
}  // namespace kars::governance
