// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Per-sandbox token budgets (InferencePolicy spec.tokenBudget): per request, per UTC calendar
// day and per UTC calendar month, 0 meaning unlimited.
//
// Concurrency: a request reserves its estimated tokens before going upstream. The check
// "used + reserved + estimate <= limit" and the hold are one step under the ledger's mutex,
// so concurrent requests can never be admitted past a limit on estimates. settle() replaces
// the hold with the actual usage, which is recorded even when it exceeds the estimate (the
// tokens were spent; later requests are refused instead).
//
// Windows: a reservation belongs to the day and month that were current when it was made.
// Settling after the window rolled over charges that old window, which is no longer
// enforced, so the tokens do not count against the new day or month. Time that goes
// backwards never reopens a closed window: the ledger keeps the latest window it has seen.
//
// Persistence: when a state file is configured, usage is written after every settle (to a
// temporary file, fsync, rename, fsync of the directory) and settle returns only once a
// snapshot that includes it is durable; concurrent settles coalesce into one write. Tokens
// of reservations still in flight are not persisted: a crash forgets them, and requests
// that were in flight at the crash are not charged.
//
// Lifetime: the ledger must outlive every Reservation it hands out.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/policy/inference_policy.h"
#include "core/result.h"

namespace kars::router::budget {

using SystemTime = std::chrono::system_clock::time_point;

inline constexpr std::string_view kBudgetExceededCode = "token_budget_exceeded";

class BudgetLedger;

// Tokens held for one in-flight request. Move-only; destroying an unsettled reservation
// releases it, so an early return or exception never leaks held tokens.
class Reservation {
public:
    Reservation() = default;
    Reservation(Reservation&& other) noexcept;
    Reservation& operator=(Reservation&& other) noexcept;
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;
    ~Reservation();

    // True until settled or released.
    bool active() const { return ledger_ != nullptr; }
    const std::string& sandbox() const { return sandbox_; }
    std::uint64_t tokens() const { return tokens_; }

private:
    friend class BudgetLedger;
    BudgetLedger* ledger_ = nullptr;
    std::string sandbox_;
    std::uint64_t tokens_ = 0;
    std::int64_t day_ = 0;    // days since 1970-01-01 (UTC) the hold was placed in
    std::int64_t month_ = 0;  // months since 1970-01 (UTC)
};

// What is left for a sandbox in the current windows; nullopt fields are unlimited.
struct BudgetRemaining {
    std::uint64_t daily_used = 0;      // settled tokens today
    std::uint64_t daily_reserved = 0;  // held by in-flight requests today
    std::uint64_t monthly_used = 0;
    std::uint64_t monthly_reserved = 0;
    std::optional<std::uint64_t> daily_remaining;
    std::optional<std::uint64_t> monthly_remaining;
    std::optional<std::uint64_t> per_request_limit;
};

struct BudgetLedgerOptions {
    // Where usage persists across restarts; empty keeps it in memory only.
    std::filesystem::path state_file;
    // Ignore an existing state file (corrupt or not) and start from zero usage. Off by
    // default: silently forgetting usage would hand every sandbox a fresh budget.
    bool start_fresh = false;
};

class BudgetLedger {
public:
    // Loads the state file if it exists. A file that cannot be read or parsed is an error
    // with code "budget_state_corrupt" unless options.start_fresh is set.
    static Result<std::unique_ptr<BudgetLedger>> open(BudgetLedgerOptions options);

    BudgetLedger(const BudgetLedger&) = delete;
    BudgetLedger& operator=(const BudgetLedger&) = delete;

    // Sets (or replaces) the limits of a sandbox. A sandbox never given limits is unlimited,
    // as an InferencePolicy without tokenBudget is; its usage is still tracked.
    void set_limits(const std::string& sandbox, const policy::TokenBudget& limits);

    // Holds `estimated_tokens` for one request if the per-request, daily and monthly limits
    // all allow it; otherwise an error with code kBudgetExceededCode.
    Result<Reservation> reserve(const std::string& sandbox, std::uint64_t estimated_tokens,
                                SystemTime now);

    // Whether settle() waits for the state file. kDeferred leaves the write to the next
    // flush(): a server settles on its I/O thread and flushes on a timer, trading a bounded
    // crash window (one flush interval of usage) for no fsync on the request path.
    enum class Durability { kDurable, kDeferred };

    // Charges `actual_tokens` in place of the hold. The accounting always happens; the
    // error (code "budget_persist_failed") only reports that the state file was not written.
    Status settle(Reservation reservation, std::uint64_t actual_tokens,
                  Durability durability = Durability::kDurable);

    // Writes the state file if anything changed since the last write (no-op in memory).
    Status flush();

    // Drops the hold without charging anything (the upstream call failed).
    void release(Reservation reservation);

    // Current usage and headroom, for metrics and for error messages.
    BudgetRemaining remaining(const std::string& sandbox, SystemTime now) const;

private:
    struct Window {
        std::int64_t index = 0;
        std::uint64_t used = 0;
        std::uint64_t reserved = 0;
    };
    struct SandboxState {
        policy::TokenBudget limits;
        Window day;
        Window month;
    };

    friend class Reservation;  // its destructor releases through undo_hold

    explicit BudgetLedger(BudgetLedgerOptions options);
    Status load();
    Status persist();
    void undo_hold(const Reservation& r, std::optional<std::uint64_t> charge);
    SandboxState& state_for(const std::string& sandbox, SystemTime now);

    BudgetLedgerOptions options_;
    mutable std::mutex mutex_;  // guards sandboxes_ and generation_
    std::unordered_map<std::string, SandboxState> sandboxes_;
    std::uint64_t generation_ = 0;            // bumped on every change worth persisting
    std::mutex persist_mutex_;                // serialises writers of the state file
    std::uint64_t persisted_generation_ = 0;  // guarded by persist_mutex_
};

// UTC calendar indices used for the windows (exposed for tests and the state file).
std::int64_t utc_day_index(SystemTime t);
std::int64_t utc_month_index(SystemTime t);

}  // namespace kars::router::budget
