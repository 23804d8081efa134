// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/approvals/approval_store.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <optional>
#include <sstream>

#include <openssl/rand.h>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/files/state_file.h"
#include "core/json/parse.h"

namespace kars::approvals {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxFileBytes = 64 * 1024;

std::int64_t unix_seconds(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

bool valid_id(std::string_view id) {
    return id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

Result<std::string> new_id() {
    std::array<unsigned char, 16> raw{};
    if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
        return make_error("approval_store", "RAND_bytes failed");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id;
    for (auto b : raw) {
        id += kHex[b >> 4];
        id += kHex[b & 0xF];
    }
    return id;
}

std::optional<State> parse_state(std::string_view s) {
    for (auto st :
         {State::kPending, State::kApproved, State::kDenied, State::kExpired, State::kUsed}) {
        if (to_string(st) == s) return st;
    }
    return std::nullopt;
}

std::string to_json(const Approval& a) {
    boost::json::object o{{"id", a.id},
                          {"sandbox", a.sandbox},
                          {"action", a.action},
                          {"rule", a.rule},
                          {"reason", a.reason},
                          {"state", to_string(a.state)},
                          {"created_at", a.created_at},
                          {"expires_at", a.expires_at},
                          {"decided_at", a.decided_at},
                          {"note", a.note}};
    return boost::json::serialize(o) + "\n";
}

Result<Approval> from_json(std::string_view text, const std::string& where) {
    auto v = json::parse(text);
    if (!v.ok() || !v->is_object()) {
        return make_error("approval_store", where + ": not a JSON object");
    }
    Approval a;
    auto str = [&](std::string_view key) {
        return std::string(json::string_field(*v, key).value_or(""));
    };
    a.id = str("id");
    a.sandbox = str("sandbox");
    a.action = str("action");
    a.rule = str("rule");
    a.reason = str("reason");
    a.note = str("note");
    a.created_at = json::int_field(*v, "created_at").value_or(0);
    a.expires_at = json::int_field(*v, "expires_at").value_or(0);
    a.decided_at = json::int_field(*v, "decided_at").value_or(0);
    auto state = parse_state(str("state"));
    if (!valid_id(a.id) || !state || a.action.empty()) {
        return make_error("approval_store", where + ": missing or invalid id, state or action");
    }
    a.state = *state;
    return a;
}

// Creates the store directory (owner only) and takes its lock for one operation.
Result<files::FileLock> lock_store(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return make_error("approval_store", "create " + dir.string() + ": " + ec.message());
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    auto lock = files::FileLock::acquire(dir / ".lock");
    if (!lock.ok()) return make_error("approval_store", lock.error().message);
    return lock;
}

Status write(const fs::path& dir, const Approval& a) {
    auto st = files::replace_file(dir / (a.id + ".json"), to_json(a));
    if (!st.ok()) return make_error("approval_store", st.error().message);
    return ok_status();
}

// Reads every request; a file that does not parse is skipped, not fatal, so one damaged
// file cannot stop approvals altogether.
std::vector<Approval> read_all(const fs::path& dir) {
    std::vector<Approval> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const auto& p = entry.path();
        if (p.extension() != ".json" || !valid_id(p.stem().string())) continue;
        if (!entry.is_regular_file(ec) || entry.file_size(ec) > kMaxFileBytes) continue;
        std::ifstream in(p);
        std::stringstream ss;
        ss << in.rdbuf();
        auto a = from_json(ss.str(), p.string());
        if (a.ok() && a->id == p.stem().string()) out.push_back(std::move(*a));
    }
    std::sort(out.begin(), out.end(), [](const Approval& x, const Approval& y) {
        return x.created_at != y.created_at ? x.created_at < y.created_at : x.id < y.id;
    });
    return out;
}

// Pending or approved requests whose time is up become expired (and are stored so).
void expire(const fs::path& dir, std::vector<Approval>& all, std::int64_t now) {
    for (auto& a : all) {
        if ((a.state == State::kPending || a.state == State::kApproved) && now >= a.expires_at) {
            a.state = State::kExpired;
            (void)write(dir, a);
        }
    }
}

}  // namespace

std::string_view to_string(State s) {
    switch (s) {
        case State::kPending:
            return "pending";
        case State::kApproved:
            return "approved";
        case State::kDenied:
            return "denied";
        case State::kExpired:
            return "expired";
        case State::kUsed:
            return "used";
    }
    return "pending";
}

Result<Approval> ApprovalStore::request(const std::string& sandbox, const std::string& action,
                                        const std::string& rule, const std::string& reason,
                                        std::chrono::seconds ttl, Clock::time_point now) {
    auto lock = lock_store(dir_);
    if (!lock.ok()) return lock.error();
    auto all = read_all(dir_);
    const auto t = unix_seconds(now);
    expire(dir_, all, t);
    for (const auto& a : all) {
        if (a.state == State::kPending && a.action == action) return a;
    }
    auto id = new_id();
    if (!id.ok()) return id.error();
    Approval a{*id, sandbox, action, rule, reason, State::kPending, t, t + ttl.count(), 0, {}};
    auto st = write(dir_, a);
    if (!st.ok()) return st.error();
    return a;
}

Result<std::vector<Approval>> ApprovalStore::list(Clock::time_point now) {
    auto lock = lock_store(dir_);
    if (!lock.ok()) return lock.error();
    auto all = read_all(dir_);
    expire(dir_, all, unix_seconds(now));
    return all;
}

Result<Approval> ApprovalStore::decide(const std::string& id, bool approve, const std::string& note,
                                       std::chrono::seconds ttl, Clock::time_point now) {
    if (!valid_id(id)) {
        return make_error("approval_not_found", "'" + id + "' is not an approval id");
    }
    auto lock = lock_store(dir_);
    if (!lock.ok()) return lock.error();
    auto all = read_all(dir_);
    const auto t = unix_seconds(now);
    expire(dir_, all, t);
    for (auto& a : all) {
        if (a.id != id) continue;
        if (a.state != State::kPending) {
            return make_error("approval_not_pending",
                              "approval " + id + " is already " + std::string(to_string(a.state)));
        }
        a.state = approve ? State::kApproved : State::kDenied;
        a.decided_at = t;
        a.note = note;
        if (approve) a.expires_at = t + ttl.count();
        auto st = write(dir_, a);
        if (!st.ok()) return st.error();
        return a;
    }
    return make_error("approval_not_found", "no approval " + id + " in " + dir_.string());
}

Result<std::optional<Approval>> ApprovalStore::consume(const std::string& action,
                                                       Clock::time_point now) {
    auto lock = lock_store(dir_);
    if (!lock.ok()) return lock.error();
    auto all = read_all(dir_);
    expire(dir_, all, unix_seconds(now));
    for (auto& a : all) {
        if (a.state != State::kApproved || a.action != action) continue;
        a.state = State::kUsed;
        auto st = write(dir_, a);
        if (!st.ok()) return st.error();
        return std::optional<Approval>(a);
    }
    return std::optional<Approval>();
}

}  // namespace kars::approvals
