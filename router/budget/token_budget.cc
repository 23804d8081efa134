// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/budget/token_budget.h"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

#include "router/budget/budget_state_file.h"

namespace kars::router::budget {
namespace {

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
    std::uint64_t out = 0;
    return __builtin_add_overflow(a, b, &out) ? UINT64_MAX : out;
}

// used + reserved + requested <= limit, without overflowing.
bool fits(std::uint64_t used, std::uint64_t reserved, std::uint64_t requested,
          std::uint64_t limit) {
    if (used > limit) return false;
    std::uint64_t left = limit - used;
    if (reserved > left) return false;
    return requested <= left - reserved;
}

std::string first_of_month(std::int64_t month_index) {
    std::int64_t year = 1970 + month_index / 12;
    int month = static_cast<int>(month_index % 12) + 1;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04lld-%02d-01", static_cast<long long>(year), month);
    return buf;
}

// Numbers behind a refusal, captured under the lock and formatted after it.
struct Denial {
    enum Kind { kNone, kPerRequest, kDaily, kMonthly } kind = kNone;
    std::uint64_t used = 0;
    std::uint64_t reserved = 0;
    std::uint64_t limit = 0;
    std::int64_t month = 0;
};

Error denial_error(const Denial& d, const std::string& sandbox, std::uint64_t requested) {
    std::string req = std::to_string(requested);
    std::string lim = std::to_string(d.limit);
    if (d.kind == Denial::kPerRequest) {
        return make_error(std::string(kBudgetExceededCode),
                          "Per-request token budget exceeded for sandbox " + sandbox + ": " + req +
                              " requested > " + lim + " limit");
    }
    std::string usage = std::to_string(d.used) + " used + ";
    if (d.reserved > 0) usage += std::to_string(d.reserved) + " reserved in flight + ";
    bool daily = d.kind == Denial::kDaily;
    std::string resets = daily ? "00:00 UTC" : "00:00 UTC on " + first_of_month(d.month + 1);
    return make_error(std::string(kBudgetExceededCode),
                      std::string(daily ? "Daily" : "Monthly") +
                          " token budget exceeded for sandbox " + sandbox + ": " + usage + req +
                          " requested > " + lim + " limit; resets at " + resets);
}

}  // namespace

std::int64_t utc_day_index(SystemTime t) {
    return std::chrono::floor<std::chrono::days>(t).time_since_epoch().count();
}

std::int64_t utc_month_index(SystemTime t) {
    std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
    return (static_cast<std::int64_t>(static_cast<int>(ymd.year())) - 1970) * 12 +
           static_cast<std::int64_t>(static_cast<unsigned>(ymd.month())) - 1;
}

Reservation::Reservation(Reservation&& other) noexcept
    : ledger_(std::exchange(other.ledger_, nullptr)),
      sandbox_(std::move(other.sandbox_)),
      tokens_(other.tokens_),
      day_(other.day_),
      month_(other.month_) {}

Reservation& Reservation::operator=(Reservation&& other) noexcept {
    if (this != &other) {
        if (ledger_ != nullptr) ledger_->undo_hold(*this, std::nullopt);
        ledger_ = std::exchange(other.ledger_, nullptr);
        sandbox_ = std::move(other.sandbox_);
        tokens_ = other.tokens_;
        day_ = other.day_;
        month_ = other.month_;
    }
    return *this;
}

Reservation::~Reservation() {
    if (ledger_ != nullptr) ledger_->undo_hold(*this, std::nullopt);
}

BudgetLedger::BudgetLedger(BudgetLedgerOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<BudgetLedger>> BudgetLedger::open(BudgetLedgerOptions options) {
    std::unique_ptr<BudgetLedger> ledger(new BudgetLedger(std::move(options)));
    if (!ledger->options_.state_file.empty() && !ledger->options_.start_fresh) {
        if (Status s = ledger->load(); !s.ok()) return s.error();
    }
    return ledger;
}

Status BudgetLedger::load() {
    const auto& path = options_.state_file;
    auto text = read_file_if_exists(path);
    Result<std::vector<StoredUsage>> usage =
        !text.ok()           ? Result<std::vector<StoredUsage>>(text.error())
        : !text->has_value() ? Result<std::vector<StoredUsage>>(std::vector<StoredUsage>{})
                             : decode_budget_state(**text);
    if (!usage.ok()) {
        return make_error("budget_state_corrupt",
                          "token budget state file " + path.string() + " is unusable (" +
                              usage.error().message +
                              "); refusing to start from zero usage. Move the file aside or "
                              "open the ledger with start_fresh to reset every budget");
    }
    std::lock_guard lock(mutex_);
    for (const auto& u : *usage) {
        SandboxState& s = sandboxes_[u.sandbox];
        s.day = Window{u.day, u.day_used, 0};
        s.month = Window{u.month, u.month_used, 0};
    }
    return ok_status();
}

BudgetLedger::SandboxState& BudgetLedger::state_for(const std::string& sandbox, SystemTime now) {
    std::int64_t day = utc_day_index(now);
    std::int64_t month = utc_month_index(now);
    auto [it, inserted] = sandboxes_.try_emplace(sandbox);
    SandboxState& s = it->second;
    if (inserted) {
        s.day.index = day;
        s.month.index = month;
    }
    // Only forward: a clock stepping back must not reopen a window that was already closed.
    if (day > s.day.index) s.day = Window{day, 0, 0};
    if (month > s.month.index) s.month = Window{month, 0, 0};
    return s;
}

void BudgetLedger::set_limits(const std::string& sandbox, const policy::TokenBudget& limits) {
    std::lock_guard lock(mutex_);
    sandboxes_[sandbox].limits = limits;
}

Result<Reservation> BudgetLedger::reserve(const std::string& sandbox,
                                          std::uint64_t estimated_tokens, SystemTime now) {
    Reservation r;
    r.sandbox_ = sandbox;  // before any hold, so the destructor can always find the sandbox
    Denial denial;
    {
        std::lock_guard lock(mutex_);
        SandboxState& s = state_for(sandbox, now);
        const policy::TokenBudget& lim = s.limits;
        if (lim.per_request_tokens != 0 && estimated_tokens > lim.per_request_tokens) {
            denial = Denial{Denial::kPerRequest, 0, 0, lim.per_request_tokens, 0};
        } else if (lim.daily_tokens != 0 &&
                   !fits(s.day.used, s.day.reserved, estimated_tokens, lim.daily_tokens)) {
            denial = Denial{Denial::kDaily, s.day.used, s.day.reserved, lim.daily_tokens, 0};
        } else if (lim.monthly_tokens != 0 &&
                   !fits(s.month.used, s.month.reserved, estimated_tokens, lim.monthly_tokens)) {
            denial = Denial{Denial::kMonthly, s.month.used, s.month.reserved, lim.monthly_tokens,
                            s.month.index};
        } else {
            s.day.reserved = saturating_add(s.day.reserved, estimated_tokens);
            s.month.reserved = saturating_add(s.month.reserved, estimated_tokens);
            r.ledger_ = this;
            r.tokens_ = estimated_tokens;
            r.day_ = s.day.index;
            r.month_ = s.month.index;
        }
    }
    if (denial.kind != Denial::kNone) return denial_error(denial, sandbox, estimated_tokens);
    return r;
}

void BudgetLedger::undo_hold(const Reservation& r, std::optional<std::uint64_t> charge) {
    std::lock_guard lock(mutex_);
    auto it = sandboxes_.find(r.sandbox_);
    if (it == sandboxes_.end()) return;  // sandboxes are never erased; defensive only
    SandboxState& s = it->second;
    // A window that rolled over since the hold dropped the hold with it, and its usage is
    // no longer enforced: only the window the reservation was made in is touched.
    for (auto [window, index] : {std::pair{&s.day, r.day_}, std::pair{&s.month, r.month_}}) {
        if (window->index != index) continue;
        window->reserved -= std::min(window->reserved, r.tokens_);
        if (charge) window->used = saturating_add(window->used, *charge);
    }
    if (charge) ++generation_;
}

Status BudgetLedger::settle(Reservation reservation, std::uint64_t actual_tokens,
                            Durability durability) {
    if (reservation.ledger_ != this) {
        return make_error("invalid_reservation",
                          "settle called with a reservation that is not active in this ledger");
    }
    undo_hold(reservation, actual_tokens);
    reservation.ledger_ = nullptr;
    if (options_.state_file.empty() || durability == Durability::kDeferred) return ok_status();
    return persist();
}

Status BudgetLedger::flush() {
    if (options_.state_file.empty()) return ok_status();
    return persist();
}

void BudgetLedger::release(Reservation reservation) {
    if (reservation.ledger_ != this) return;
    undo_hold(reservation, std::nullopt);
    reservation.ledger_ = nullptr;
}

Status BudgetLedger::persist() {
    std::vector<StoredUsage> snapshot;
    std::uint64_t generation = 0;
    {
        std::lock_guard lock(mutex_);
        generation = generation_;
        snapshot.reserve(sandboxes_.size());
        for (const auto& [name, s] : sandboxes_) {
            snapshot.push_back(
                StoredUsage{name, s.day.index, s.day.used, s.month.index, s.month.used});
        }
    }
    std::string bytes = encode_budget_state(snapshot);

    std::lock_guard lock(persist_mutex_);
    // A writer that got here later with a newer snapshot already made this one durable.
    if (generation <= persisted_generation_) return ok_status();
    Status s = write_file_atomically(options_.state_file, bytes);
    if (s.ok()) persisted_generation_ = generation;
    return s;
}

BudgetRemaining BudgetLedger::remaining(const std::string& sandbox, SystemTime now) const {
    BudgetRemaining out;
    policy::TokenBudget limits;
    {
        std::lock_guard lock(mutex_);
        auto it = sandboxes_.find(sandbox);
        if (it != sandboxes_.end()) {
            const SandboxState& s = it->second;
            limits = s.limits;
            // Windows that `now` has moved past count as empty, as reserve() would see them.
            if (utc_day_index(now) <= s.day.index) {
                out.daily_used = s.day.used;
                out.daily_reserved = s.day.reserved;
            }
            if (utc_month_index(now) <= s.month.index) {
                out.monthly_used = s.month.used;
                out.monthly_reserved = s.month.reserved;
            }
        }
    }
    auto left = [](std::uint64_t limit, std::uint64_t used, std::uint64_t reserved) {
        std::uint64_t taken = saturating_add(used, reserved);
        return taken >= limit ? 0 : limit - taken;
    };
    if (limits.daily_tokens != 0) {
        out.daily_remaining = left(limits.daily_tokens, out.daily_used, out.daily_reserved);
    }
    if (limits.monthly_tokens != 0) {
        out.monthly_remaining = left(limits.monthly_tokens, out.monthly_used, out.monthly_reserved);
    }
    if (limits.per_request_tokens != 0) out.per_request_limit = limits.per_request_tokens;
    return out;
}

}  // namespace kars::router::budget
