// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Learn mode's record: every host:port that was allowed only because the sandbox runs in learn
// mode, so an operator can turn a trial run into an allowlist and switch to enforce mode.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/egress/decision.h"
#include "core/manifest/sandbox.h"

namespace kars::egress {

class LearnLog {
public:
    // At most `capacity` distinct host:port pairs are kept; further ones are counted as
    // dropped so an agent cannot grow the record without bound.
    explicit LearnLog(std::size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

    // Records the decision if learn mode decided it; other decisions are ignored. Safe to
    // call from several threads. True when the pair was new and kept.
    bool record(const Decision& decision);

    // Adds a pair recorded earlier (by a previous run); same capacity rule as record().
    bool add(std::string host, std::uint16_t port);

    // The record as allowedEndpoints entries, sorted by host then port; loading them with
    // Allowlist::load reproduces the learned decisions in enforce mode.
    std::vector<manifest::Endpoint> to_allowed_endpoints() const;

    // Distinct pairs not kept because the log was full.
    std::size_t dropped() const;

    static constexpr std::size_t kDefaultCapacity = 4096;

private:
    mutable std::mutex mutex_;
    std::size_t capacity_;
    std::size_t dropped_ = 0;
    std::set<std::pair<std::string, std::uint16_t>> seen_;
};

}  // namespace kars::egress
