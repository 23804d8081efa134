// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// One audit entry: what the router decided, chained to the entry before it by a SHA-256 hash.
// The byte-level format is specified in docs/audit-format.md; this file is its reference
// implementation (serialise, seal, parse).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/result.h"

namespace kars::audit {

// prev_hash of the entry with seq 0.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Longest line the writer produces and the verifier reads; bounds memory on hostile input.
inline constexpr std::size_t kMaxLineBytes = 1 << 20;

// What a caller records. The writer adds seq, ts, prev_hash and hash.
struct Event {
    std::string sandbox;
    std::string action;
    std::string decision;
    std::string policy_kind;
    std::string reason;
    std::string trace_id;
    std::string model;  // omitted from the entry when empty
    std::optional<std::int64_t> tokens_in;
    std::optional<std::int64_t> tokens_out;
    bool tokens_estimated = false;  // written only when a token count is present
};

// Proof that an entry is durable: its position and hash in the chain.
struct Receipt {
    std::uint64_t seq = 0;
    std::string hash;
};

struct Entry {
    std::uint64_t seq = 0;
    std::string ts;
    Event event;
    std::string prev_hash;
    std::string hash;
};

// The entry as a JSON object without the `hash` member: the input of the hash.
boost::json::object entry_body(const Entry& entry);

// Computes entry.hash = hex(SHA-256(JCS(body))) and returns the line to store: the canonical
// JSON of the body plus `hash`, without a newline. Fails ("invalid_event") on strings that
// are not UTF-8 or a line longer than kMaxLineBytes.
Result<std::string> seal_entry(Entry& entry);

// Parses and checks one stored line (without its newline): valid JSON object, exactly the
// known members with the right types, written in canonical form, and a hash that recomputes.
// Linking to the previous entry is the caller's job. Error codes: line_too_long, invalid_json,
// not_object, missing_field, unknown_field, bad_field, not_canonical, hash_mismatch.
Result<Entry> parse_entry_line(std::string_view line);

// RFC 3339 UTC with milliseconds, e.g. 2026-03-01T12:00:00.123Z.
std::string format_timestamp(std::chrono::system_clock::time_point t);
bool is_valid_timestamp(std::string_view ts);

}  // namespace kars::audit
