// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Approvals of actions a governance rule holds for a person (RequiresApproval). The router
// files a pending request; an operator approves or denies it with `kars approvals`; an
// approval is good for one use of exactly that action before it expires, and a request
// nobody answers expires too.
//
// The store is a directory the router and the CLI share on the host, one JSON file per
// request (<id>.json, replaced atomically by files::replace_file), every operation under an
// exclusive flock of <dir>/.lock. The agent cannot reach it: sandboxes never see ~/.kars.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace kars::approvals {

enum class State { kPending, kApproved, kDenied, kExpired, kUsed };

std::string_view to_string(State s);

struct Approval {
    std::string id;  // 32 lower-case hex characters
    std::string sandbox;
    std::string action;
    std::string rule;    // the rule that asked for approval
    std::string reason;  // its reason, for the person deciding
    State state = State::kPending;
    std::int64_t created_at = 0;  // unix seconds
    std::int64_t expires_at = 0;  // pending: answer by then; approved: use by then
    std::int64_t decided_at = 0;
    std::string note;  // the operator's note, if any
};

using Clock = std::chrono::system_clock;

class ApprovalStore {
public:
    explicit ApprovalStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

    // Files a request for `action`, or returns the pending one already filed for it, so an
    // agent that retries does not flood the operator.
    Result<Approval> request(const std::string& sandbox, const std::string& action,
                             const std::string& rule, const std::string& reason,
                             std::chrono::seconds ttl, Clock::time_point now);

    // Every request, oldest first; lapsed ones are reported (and stored) as expired.
    Result<std::vector<Approval>> list(Clock::time_point now);

    // Approves or denies a pending request. An approval is usable for `ttl` from now.
    Result<Approval> decide(const std::string& id, bool approve, const std::string& note,
                            std::chrono::seconds ttl, Clock::time_point now);

    // Uses an approved, unexpired approval of exactly `action`, if there is one; it cannot
    // be used again.
    Result<std::optional<Approval>> consume(const std::string& action, Clock::time_point now);

    const std::filesystem::path& dir() const { return dir_; }

private:
    std::filesystem::path dir_;
};

}  // namespace kars::approvals
