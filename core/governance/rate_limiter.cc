// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/governance/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace kars::governance {
namespace {

std::string bucket_key(std::string_view limit_id, std::string_view principal) {
    std::string key;
    key.reserve(limit_id.size() + 1 + principal.size());
    // 0x1f cannot occur in a validated limit id or sandbox name, so keys cannot collide.
    key.append(limit_id).push_back('\x1f');
    key.append(principal);
    return key;
}

}  // namespace

void RateLimiter::refill(Bucket& bucket, const BucketSpec& spec, TimePoint now) {
    double elapsed = std::chrono::duration<double>(now - bucket.last).count();
    if (elapsed > 0) {
        bucket.tokens = std::min(spec.capacity, bucket.tokens + elapsed * spec.per_second);
        bucket.last = now;
    }
    // A reload may have lowered the capacity.
    bucket.tokens = std::min(bucket.tokens, spec.capacity);
    bucket.per_second = spec.per_second;
    bucket.capacity = spec.capacity;
}

void RateLimiter::drop_full_buckets(TimePoint now) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
        const Bucket& b = it->second;
        double elapsed = std::chrono::duration<double>(now - b.last).count();
        double tokens = b.tokens + std::max(0.0, elapsed) * b.per_second;
        it = tokens >= b.capacity ? buckets_.erase(it) : std::next(it);
    }
}

AcquireResult RateLimiter::acquire(std::span<const BucketSpec> specs, std::string_view principal,
                                   TimePoint now) {
    AcquireResult result;
    if (specs.empty()) return result;
    std::lock_guard lock(mutex_);
    if (buckets_.size() + specs.size() > max_keys_) drop_full_buckets(now);

    std::vector<std::string> keys;
    std::vector<Bucket*> found(specs.size(), nullptr);
    keys.reserve(specs.size());
    std::size_t fresh = 0;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        keys.push_back(bucket_key(specs[i].limit_id, principal));
        auto it = buckets_.find(keys.back());
        if (it == buckets_.end()) {
            ++fresh;
            if (specs[i].capacity < 1) {
                result.admitted = false;
                result.refused_index = i;
                return result;
            }
            continue;
        }
        found[i] = &it->second;
        refill(*found[i], specs[i], now);
        if (found[i]->tokens < 1) {
            result.admitted = false;
            result.refused_index = i;
            double wait =
                specs[i].per_second > 0 ? (1 - found[i]->tokens) / specs[i].per_second : 0;
            result.retry_after =
                std::chrono::nanoseconds(static_cast<std::int64_t>(std::ceil(wait * 1e9)));
            return result;
        }
    }
    if (buckets_.size() + fresh > max_keys_) {
        result.admitted = false;
        result.table_full = true;
        return result;
    }
    for (std::size_t i = 0; i < specs.size(); ++i) {
        if (found[i]) {
            found[i]->tokens -= 1;
        } else {
            buckets_[keys[i]] =
                Bucket{specs[i].capacity - 1, now, specs[i].per_second, specs[i].capacity};
        }
    }
    return result;
}

std::size_t RateLimiter::key_count() const {
    std::lock_guard lock(mutex_);
    return buckets_.size();
}

void RateLimiter::clear() {
    std::lock_guard lock(mutex_);
    buckets_.clear();
}

}  // namespace kars::governance
