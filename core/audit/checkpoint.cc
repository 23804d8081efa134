// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/audit/checkpoint.h"

#include <fmt/format.h>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/audit/digest.h"
#include "core/audit/entry.h"
#include "core/json/canonical.h"
#include "core/json/parse.h"

namespace kars::audit {
namespace {

// Domain separation: these bytes can never be mistaken for an entry, another kars message, or
// a later version of this format.
constexpr std::string_view kSigningDomain = "kars-audit-checkpoint-v1\n";

Error bad(std::string code, std::string message) {
    return make_error(std::move(code), std::move(message));
}

Result<std::uint64_t> require_u64(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr) return bad("missing_field", fmt::format("field \"{}\" is missing", key));
    if (v->is_int64() && v->get_int64() >= 0) return static_cast<std::uint64_t>(v->get_int64());
    if (v->is_uint64()) return v->get_uint64();
    return bad("bad_field", fmt::format("field \"{}\" is not a non-negative integer", key));
}

Result<std::string> require_string(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr) return bad("missing_field", fmt::format("field \"{}\" is missing", key));
    if (!v->is_string()) return bad("bad_field", fmt::format("field \"{}\" is not a string", key));
    return std::string(v->get_string());
}

boost::json::object to_object(const Checkpoint& cp) {
    boost::json::object o;
    o["seq"] = cp.seq;
    o["size"] = cp.size;
    o["head_hash"] = cp.head_hash;
    o["ts"] = cp.ts;
    o["key_id"] = cp.key_id;
    o["signature"] = cp.signature;
    return o;
}

}  // namespace

std::string checkpoint_signing_input(std::uint64_t seq, std::uint64_t size,
                                     std::string_view head_hash) {
    return fmt::format("{}seq={}\nsize={}\nhead_hash={}\n", kSigningDomain, seq, size, head_hash);
}

Result<Checkpoint> sign_checkpoint(const SigningKey& key, std::uint64_t seq, std::uint64_t size,
                                   std::string head_hash, std::string ts) {
    Checkpoint cp{seq, size, std::move(head_hash), std::move(ts), key.key_id(), {}};
    auto sig = key.sign(checkpoint_signing_input(cp.seq, cp.size, cp.head_hash));
    if (!sig) return sig.error();
    cp.signature = base64_encode(*sig);
    return cp;
}

std::string checkpoint_line(const Checkpoint& cp) {
    // Every member is ASCII or an integer, so canonicalisation cannot fail here.
    auto line = json::canonicalize(to_object(cp));
    return line ? std::move(*line) : std::string();
}

Result<Checkpoint> parse_checkpoint_line(std::string_view line) {
    if (line.size() > kMaxLineBytes) return bad("line_too_long", "checkpoint line is too long");
    auto parsed = json::parse(line, json::ParseLimits{.max_depth = 4});
    if (!parsed) return bad("invalid_json", "checkpoint line is not valid JSON");
    const auto* o = parsed->if_object();
    if (o == nullptr) return bad("not_object", "checkpoint line is not a JSON object");
    for (const auto& kv : *o) {
        const std::string_view k = kv.key();
        if (k != "seq" && k != "size" && k != "head_hash" && k != "ts" && k != "key_id" &&
            k != "signature") {
            return bad("unknown_field", fmt::format("field \"{}\" is not part of a checkpoint", k));
        }
    }

    Checkpoint cp;
    auto seq = require_u64(*o, "seq");
    if (!seq) return seq.error();
    auto size = require_u64(*o, "size");
    if (!size) return size.error();
    auto head = require_string(*o, "head_hash");
    if (!head) return head.error();
    auto ts = require_string(*o, "ts");
    if (!ts) return ts.error();
    auto key_id = require_string(*o, "key_id");
    if (!key_id) return key_id.error();
    auto sig = require_string(*o, "signature");
    if (!sig) return sig.error();
    if (!is_lower_hex(*head, 64)) return bad("bad_field", "field \"head_hash\" is not a hash");
    if (!is_valid_timestamp(*ts)) return bad("bad_field", "field \"ts\" is not RFC 3339 UTC");
    if (!is_lower_hex(*key_id, 16)) return bad("bad_field", "field \"key_id\" is not a key id");
    cp = Checkpoint{*seq,           *size, std::move(*head), std::move(*ts), std::move(*key_id),
                    std::move(*sig)};

    if (checkpoint_line(cp) != line) {
        return bad("not_canonical", "checkpoint line is not in canonical (RFC 8785) form");
    }
    return cp;
}

bool checkpoint_signature_valid(const Checkpoint& cp, const VerifyKey& key) {
    auto raw = base64_decode(cp.signature);
    if (!raw) return false;
    return key.verify(checkpoint_signing_input(cp.seq, cp.size, cp.head_hash), *raw);
}

}  // namespace kars::audit
