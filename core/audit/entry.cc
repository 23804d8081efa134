// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/audit/entry.h"

#include <array>
#include <ctime>

#include <fmt/format.h>
#include <boost/json/value.hpp>

#include "core/audit/digest.h"
#include "core/json/canonical.h"
#include "core/json/parse.h"

namespace kars::audit {
namespace {

constexpr std::array<std::string_view, 6> kRequiredStrings = {"sandbox",     "action", "decision",
                                                              "policy_kind", "reason", "trace_id"};

bool is_known_member(std::string_view key) {
    static constexpr std::array<std::string_view, 14> kMembers = {
        "seq",      "ts",    "sandbox",   "action",     "decision",         "policy_kind", "reason",
        "trace_id", "model", "tokens_in", "tokens_out", "tokens_estimated", "prev_hash",   "hash"};
    for (auto k : kMembers) {
        if (k == key) return true;
    }
    return false;
}

Error field_error(std::string code, std::string_view field, std::string_view what) {
    return make_error(std::move(code), fmt::format("field \"{}\" {}", field, what));
}

Result<std::string> require_string(const boost::json::object& obj, std::string_view key) {
    const auto* v = obj.if_contains(key);
    if (v == nullptr) return field_error("missing_field", key, "is missing");
    if (!v->is_string()) return field_error("bad_field", key, "is not a string");
    return std::string(v->get_string());
}

// Integers arrive as int64 when they fit, uint64 above INT64_MAX.
std::optional<std::int64_t> as_int64(const boost::json::value& v) {
    if (v.is_int64()) return v.get_int64();
    return std::nullopt;
}

Result<std::string> hash_of_body(const boost::json::object& body) {
    auto canonical = json::canonicalize(body);
    if (!canonical) return canonical.error();
    return sha256_hex(*canonical);
}

}  // namespace

boost::json::object entry_body(const Entry& entry) {
    const Event& e = entry.event;
    boost::json::object o;
    o["seq"] = entry.seq;
    o["ts"] = entry.ts;
    o["sandbox"] = e.sandbox;
    o["action"] = e.action;
    o["decision"] = e.decision;
    o["policy_kind"] = e.policy_kind;
    o["reason"] = e.reason;
    o["trace_id"] = e.trace_id;
    if (!e.model.empty()) o["model"] = e.model;
    if (e.tokens_in) o["tokens_in"] = *e.tokens_in;
    if (e.tokens_out) o["tokens_out"] = *e.tokens_out;
    if (e.tokens_in || e.tokens_out) o["tokens_estimated"] = e.tokens_estimated;
    o["prev_hash"] = entry.prev_hash;
    return o;
}

// Every audit entry is sealed on the writer thread, so this is the audit hot path. The entry
// has a fixed shape (ASCII member names, string and integer values), so its canonical form is
// written member by member in RFC 8785 order without building a JSON value; the text that is
// hashed is the same members without "hash". A test checks the result against canonicalize()
// of the whole entry.
Result<std::string> seal_entry(Entry& entry) {
    const Event& e = entry.event;
    Status st = ok_status();
    auto member = [&st](std::string& out, std::string_view key, std::string_view value) {
        out.push_back(',');
        out.push_back('"');
        out.append(key);
        out.append("\":");
        if (st) st = json::append_string(value, out);
    };
    auto number = [](std::string& out, std::string_view key, auto value) {
        out.append(",\"").append(key).append("\":").append(std::to_string(value));
    };
    // Members before "hash": action, decision. The first one's comma is dropped below.
    std::string head;
    head.reserve(128);
    member(head, "action", e.action);
    member(head, "decision", e.decision);
    std::string tail;
    tail.reserve(256 + e.reason.size());
    if (!e.model.empty()) member(tail, "model", e.model);
    member(tail, "policy_kind", e.policy_kind);
    member(tail, "prev_hash", entry.prev_hash);
    member(tail, "reason", e.reason);
    member(tail, "sandbox", e.sandbox);
    number(tail, "seq", entry.seq);
    if (e.tokens_in || e.tokens_out) {
        tail.append(",\"tokens_estimated\":").append(e.tokens_estimated ? "true" : "false");
    }
    if (e.tokens_in) number(tail, "tokens_in", *e.tokens_in);
    if (e.tokens_out) number(tail, "tokens_out", *e.tokens_out);
    member(tail, "trace_id", e.trace_id);
    member(tail, "ts", entry.ts);
    if (!st) return make_error("invalid_event", st.error().message);

    const std::string_view head_members = std::string_view(head).substr(1);
    std::string hashed;
    hashed.reserve(head.size() + tail.size() + 2);
    hashed.append("{").append(head_members).append(tail).append("}");
    entry.hash = sha256_hex(hashed);
    std::string line;
    line.reserve(hashed.size() + 80);
    line.append("{").append(head_members).append(",\"hash\":\"").append(entry.hash);
    line.append("\"").append(tail).append("}");
    if (line.size() > kMaxLineBytes) {
        return make_error("invalid_event", "entry exceeds the maximum line length");
    }
    return line;
}

Result<Entry> parse_entry_line(std::string_view line) {
    if (line.size() > kMaxLineBytes) {
        return make_error("line_too_long", "line is longer than the maximum of 1 MiB");
    }
    // Entries are flat objects; a small depth limit keeps hostile nesting cheap.
    auto parsed = json::parse(line, json::ParseLimits{.max_depth = 4});
    if (!parsed) return make_error("invalid_json", "line is not valid JSON");
    const auto* obj = parsed->if_object();
    if (obj == nullptr) return make_error("not_object", "line is not a JSON object");
    for (const auto& kv : *obj) {
        if (!is_known_member(kv.key())) {
            return field_error("unknown_field", kv.key(), "is not part of the entry format");
        }
    }

    Entry entry;
    const auto* seq = obj->if_contains("seq");
    if (seq == nullptr) return field_error("missing_field", "seq", "is missing");
    if (seq->is_int64() && seq->get_int64() >= 0) {
        entry.seq = static_cast<std::uint64_t>(seq->get_int64());
    } else if (seq->is_uint64()) {
        entry.seq = seq->get_uint64();
    } else {
        return field_error("bad_field", "seq", "is not a non-negative integer");
    }

    std::string* targets[] = {&entry.event.sandbox,     &entry.event.action, &entry.event.decision,
                              &entry.event.policy_kind, &entry.event.reason, &entry.event.trace_id};
    for (std::size_t i = 0; i < kRequiredStrings.size(); ++i) {
        auto s = require_string(*obj, kRequiredStrings[i]);
        if (!s) return s.error();
        *targets[i] = std::move(*s);
    }
    auto ts = require_string(*obj, "ts");
    if (!ts) return ts.error();
    if (!is_valid_timestamp(*ts)) return field_error("bad_field", "ts", "is not RFC 3339 UTC");
    entry.ts = std::move(*ts);
    auto prev = require_string(*obj, "prev_hash");
    if (!prev) return prev.error();
    if (!is_lower_hex(*prev, 64)) return field_error("bad_field", "prev_hash", "is not a hash");
    entry.prev_hash = std::move(*prev);
    auto hash = require_string(*obj, "hash");
    if (!hash) return hash.error();
    if (!is_lower_hex(*hash, 64)) return field_error("bad_field", "hash", "is not a hash");
    entry.hash = std::move(*hash);

    if (const auto* m = obj->if_contains("model")) {
        if (!m->is_string()) return field_error("bad_field", "model", "is not a string");
        entry.event.model = std::string(m->get_string());
    }
    for (auto [key, target] : {std::pair{"tokens_in", &entry.event.tokens_in},
                               std::pair{"tokens_out", &entry.event.tokens_out}}) {
        if (const auto* t = obj->if_contains(key)) {
            *target = as_int64(*t);
            if (!*target) return field_error("bad_field", key, "is not an integer");
        }
    }
    if (const auto* t = obj->if_contains("tokens_estimated")) {
        if (!t->is_bool()) return field_error("bad_field", "tokens_estimated", "is not a bool");
        entry.event.tokens_estimated = t->get_bool();
    }

    // Requiring the canonical spelling gives every entry exactly one byte form: duplicate
    // member names (which parsers resolve differently) and re-formatted lines are rejected.
    auto canonical = json::canonicalize(*parsed);
    if (!canonical || *canonical != line) {
        return make_error("not_canonical", "line is not in canonical (RFC 8785) form");
    }

    boost::json::object body = *obj;
    body.erase("hash");
    auto recomputed = hash_of_body(body);
    if (!recomputed) return make_error("invalid_json", recomputed.error().message);
    if (*recomputed != entry.hash) {
        return make_error("hash_mismatch", "stored hash does not match the entry's contents");
    }
    return entry;
}

std::string format_timestamp(std::chrono::system_clock::time_point t) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    ::gmtime_r(&secs, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

bool is_valid_timestamp(std::string_view ts) {
    // Shape check only: YYYY-MM-DDTHH:MM:SS.mmmZ, the one form the writer produces.
    static constexpr std::string_view kPattern = "dddd-dd-ddTdd:dd:dd.dddZ";
    if (ts.size() != kPattern.size()) return false;
    for (std::size_t i = 0; i < ts.size(); ++i) {
        if (kPattern[i] == 'd') {
            if (ts[i] < '0' || ts[i] > '9') return false;
        } else if (ts[i] != kPattern[i]) {
            return false;
        }
    }
    return true;
}

}  // namespace kars::audit
