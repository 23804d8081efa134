// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/budget/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kars::router::budget {
namespace {

constexpr double kMinRate = 1e-6;
constexpr double kMaxRetryAfter = 86'400.0;  // a day; beyond that the number means nothing

}  // namespace

RateLimiter::RateLimiter(RateLimiterOptions options) : options_(options) {
    if (!(options_.requests_per_second > kMinRate)) options_.requests_per_second = kMinRate;
    if (!(options_.burst >= 1.0)) options_.burst = 1.0;
    options_.max_keys = std::max<std::size_t>(options_.max_keys, 1);
    options_.max_models_per_sandbox = std::max<std::size_t>(options_.max_models_per_sandbox, 1);
}

void RateLimiter::refill(Bucket& b, SteadyTime now) const {
    double elapsed = std::chrono::duration<double>(now - b.updated).count();
    if (elapsed > 0) {
        b.tokens = std::min(options_.burst, b.tokens + elapsed * options_.requests_per_second);
        b.updated = now;
    }
}

double RateLimiter::seconds_until_full(const Bucket& b, SteadyTime now) const {
    Bucket copy = b;
    refill(copy, now);
    return (options_.burst - copy.tokens) / options_.requests_per_second;
}

std::uint32_t RateLimiter::retry_after(double seconds) const {
    double s = std::ceil(std::min(seconds, kMaxRetryAfter));
    return static_cast<std::uint32_t>(std::max(1.0, s));
}

double RateLimiter::prune(SandboxBuckets* only, SteadyTime now) {
    double soonest = std::numeric_limits<double>::infinity();
    auto sweep = [&](SandboxBuckets& sb) {
        for (auto it = sb.models.begin(); it != sb.models.end();) {
            double wait = seconds_until_full(it->second, now);
            if (wait <= 0) {
                it = sb.models.erase(it);
                --key_count_;
            } else {
                soonest = std::min(soonest, wait);
                ++it;
            }
        }
    };
    if (only != nullptr) {
        sweep(*only);
        return soonest;
    }
    for (auto it = sandboxes_.begin(); it != sandboxes_.end();) {
        sweep(it->second);
        it = it->second.models.empty() ? sandboxes_.erase(it) : std::next(it);
    }
    return soonest;
}

RateDecision RateLimiter::try_acquire(const std::string& sandbox, const std::string& model,
                                      SteadyTime now) {
    std::lock_guard lock(mutex_);
    auto sb_it = sandboxes_.find(sandbox);
    Bucket* bucket = nullptr;
    if (sb_it != sandboxes_.end()) {
        auto m = sb_it->second.models.find(model);
        if (m != sb_it->second.models.end()) bucket = &m->second;
    }

    if (bucket == nullptr) {
        // New key: make room under both caps or refuse.
        if (sb_it != sandboxes_.end() &&
            sb_it->second.models.size() >= options_.max_models_per_sandbox) {
            double wait = prune(&sb_it->second, now);
            if (sb_it->second.models.size() >= options_.max_models_per_sandbox) {
                return RateDecision{false, retry_after(wait)};
            }
        }
        if (key_count_ >= options_.max_keys) {
            if (now < next_global_prune_) {
                double wait = std::chrono::duration<double>(next_global_prune_ - now).count();
                return RateDecision{false, retry_after(wait)};
            }
            double wait = prune(nullptr, now);
            if (key_count_ >= options_.max_keys) {
                next_global_prune_ =
                    now + std::chrono::duration_cast<SteadyTime::duration>(
                              std::chrono::duration<double>(std::min(wait, kMaxRetryAfter)));
                return RateDecision{false, retry_after(wait)};
            }
            sb_it = sandboxes_.find(sandbox);  // prune may have erased the sandbox's entry
        }
        if (sb_it == sandboxes_.end()) sb_it = sandboxes_.try_emplace(sandbox).first;
        bucket =
            &sb_it->second.models.try_emplace(model, Bucket{options_.burst, now}).first->second;
        ++key_count_;
    }

    refill(*bucket, now);
    if (bucket->tokens >= 1.0) {
        bucket->tokens -= 1.0;
        return RateDecision{true, 0};
    }
    return RateDecision{false, retry_after((1.0 - bucket->tokens) / options_.requests_per_second)};
}

std::size_t RateLimiter::key_count() const {
    std::lock_guard lock(mutex_);
    return key_count_;
}

}  // namespace kars::router::budget
