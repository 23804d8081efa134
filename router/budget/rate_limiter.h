// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Request-rate limiting per (sandbox, model) with token buckets: each key holds up to
// `burst` requests and regains `requests_per_second` of them per second.
//
// Memory is bounded because model names come from the agent: a sandbox may hold at most
// max_models_per_sandbox keys and the limiter at most max_keys. When a new key would exceed
// a cap, buckets that have refilled to full are evicted first (a full bucket is exactly a
// fresh one, so evicting it forgives nothing). If every bucket is still partly drained,
// the new key is refused (fail closed) with retry_after set to when the first bucket will
// be full again. Draining buckets is what it takes to hold keys, and that is itself rate
// limited, so an agent cycling model names only ever locks itself out.
//
// Time is passed in (steady clock) so tests need no sleeping. Thread-safe.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace kars::router::budget {

using SteadyTime = std::chrono::steady_clock::time_point;

struct RateLimiterOptions {
    double requests_per_second = 1.0;  // refill rate, > 0
    double burst = 10.0;               // bucket capacity, >= 1
    std::size_t max_keys = 10'000;
    std::size_t max_models_per_sandbox = 64;
};

struct RateDecision {
    bool allowed = false;
    std::uint32_t retry_after_seconds = 0;  // 0 when allowed, otherwise >= 1
};

class RateLimiter {
public:
    // Non-positive rates and bursts below one are raised to the smallest usable values.
    explicit RateLimiter(RateLimiterOptions options);

    // Takes one request from the (sandbox, model) bucket if available.
    RateDecision try_acquire(const std::string& sandbox, const std::string& model, SteadyTime now);

    // Number of live buckets, for metrics and tests.
    std::size_t key_count() const;

private:
    struct Bucket {
        double tokens = 0;
        SteadyTime updated;
    };
    struct SandboxBuckets {
        std::unordered_map<std::string, Bucket> models;
    };

    void refill(Bucket& b, SteadyTime now) const;
    double seconds_until_full(const Bucket& b, SteadyTime now) const;
    std::uint32_t retry_after(double seconds) const;
    // Evicts full buckets (of one sandbox, or of all when `only` is null); returns the
    // seconds until the soonest remaining bucket is full.
    double prune(SandboxBuckets* only, SteadyTime now);

    RateLimiterOptions options_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, SandboxBuckets> sandboxes_;
    std::size_t key_count_ = 0;
    // While every bucket is partly drained, a global prune cannot free anything before this
    // moment; refusing without rescanning keeps a flood of new keys at O(1) per request.
    SteadyTime next_global_prune_{};
};

}  // namespace kars::router::budget
