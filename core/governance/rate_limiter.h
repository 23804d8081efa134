// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Token buckets keyed by (limit, principal), with injected time and a bounded key table.
//
// A call that several limits apply to is admitted only if every bucket has a token, and
// then takes one from each: checking all before consuming any means a refusal by one limit
// never drains another (the reference debited its global bucket even when the per-agent
// bucket refused).
//
// Memory is bounded by max_keys. A bucket that has refilled to capacity carries no
// information, so when the table is full those entries are dropped first; if none can be
// dropped a new key is refused (fail closed) rather than evicting a bucket that is still
// limiting someone, which would let a caller reset its own limit by flooding new keys.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

namespace kars::governance {

inline constexpr std::size_t kDefaultMaxRateKeys = 4096;

struct BucketSpec {
    std::string_view
        limit_id;  // stable across reloads, e.g. "kars-default.yaml#inference-rate-limit"
    double per_second = 0;
    double capacity = 0;
};

struct AcquireResult {
    bool admitted = true;
    std::size_t refused_index = 0;            // which spec refused, when !admitted
    std::chrono::nanoseconds retry_after{0};  // until that bucket has a token again
    bool table_full = false;                  // refused because no key slot was free
};

class RateLimiter {
public:
    using TimePoint = std::chrono::steady_clock::time_point;

    explicit RateLimiter(std::size_t max_keys = kDefaultMaxRateKeys) : max_keys_(max_keys) {}

    // Takes one token from each bucket of `specs` for `principal`, or none at all.
    AcquireResult acquire(std::span<const BucketSpec> specs, std::string_view principal,
                          TimePoint now);

    std::size_t key_count() const;
    void clear();

private:
    struct Bucket {
        double tokens = 0;
        TimePoint last{};
        // Rate and capacity as last used, so a sweep can tell when a bucket is full again.
        double per_second = 0;
        double capacity = 0;
    };

    static void refill(Bucket& bucket, const BucketSpec& spec, TimePoint now);
    void drop_full_buckets(TimePoint now);

    mutable std::mutex mutex_;
    std::size_t max_keys_;
    std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace kars::governance
