// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/audit/verify.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "core/audit/line_reader.h"

namespace kars::audit {
namespace {

// A log with millions of problems needs only the first few to be actionable.
constexpr std::size_t kMaxFindings = 100;

struct TrackedCheckpoint {
    Checkpoint cp;
    std::uint64_t line = 0;
    bool matched = false;
};

void add_finding(VerifyReport& r, std::uint64_t line, std::string code, std::string message) {
    r.completeness_ok = false;
    if (r.completeness_failures.size() < kMaxFindings) {
        r.completeness_failures.push_back({line, std::move(code), std::move(message)});
    }
}

std::vector<TrackedCheckpoint> read_checkpoints(std::FILE* file, const VerifyKey* key,
                                                VerifyReport& r) {
    std::vector<TrackedCheckpoint> out;
    if (file == nullptr) return out;
    LineReader reader(file, kMaxLineBytes);
    bool any_bad_signature = false;
    while (auto line = reader.next()) {
        ++r.checkpoints;
        if (line->too_long) {
            add_finding(r, line->number, "line_too_long", "checkpoint line is too long");
            continue;
        }
        auto cp = parse_checkpoint_line(line->text);
        if (!cp) {
            add_finding(r, line->number, cp.error().code, cp.error().message);
            continue;
        }
        if (key != nullptr && !checkpoint_signature_valid(*cp, *key)) {
            any_bad_signature = true;
            std::string why =
                cp->key_id == key->key_id()
                    ? "signature does not verify"
                    : fmt::format("signed by a different key (key id {}, expected {})", cp->key_id,
                                  key->key_id());
            add_finding(r, line->number, "bad_signature", "checkpoint " + why);
            continue;
        }
        out.push_back({std::move(*cp), line->number, false});
    }
    if (reader.failed()) add_finding(r, 0, "io_error", "reading the checkpoints file failed");
    // A torn checkpoint line is the checkpoint writer crashing mid-write; it never vouched for
    // anything, so it is not held against the log.

    if (r.checkpoints == 0) {
        r.signatures = SignatureState::kNoCheckpoints;
    } else if (key == nullptr) {
        r.signatures = SignatureState::kUnverified;
    } else {
        r.signatures = any_bad_signature ? SignatureState::kInvalid : SignatureState::kVerified;
    }
    return out;
}

void fail_integrity(VerifyReport& r, std::uint64_t line, std::string code, std::string message) {
    if (!r.integrity_ok) return;
    r.integrity_ok = false;
    r.integrity_failure = Finding{line, std::move(code), std::move(message)};
}

}  // namespace

VerifyReport verify_streams(std::FILE* log, std::FILE* checkpoints, const VerifyKey* key) {
    VerifyReport r;
    if (key != nullptr) r.key_id = key->key_id();
    auto tracked = read_checkpoints(checkpoints, key, r);
    std::multimap<std::uint64_t, std::size_t> by_seq;
    for (std::size_t i = 0; i < tracked.size(); ++i) by_seq.emplace(tracked[i].cp.seq, i);

    LineReader reader(log, kMaxLineBytes);
    std::uint64_t expected_seq = 0;
    std::string prev_hash(kGenesisHash);
    while (auto line = reader.next()) {
        ++r.lines;
        if (line->too_long) {
            fail_integrity(r, line->number, "line_too_long", "line is longer than 1 MiB");
            continue;
        }
        auto entry = parse_entry_line(line->text);
        if (!entry) {
            fail_integrity(r, line->number, entry.error().code, entry.error().message);
            continue;
        }

        if (r.integrity_ok) {
            if (entry->seq != expected_seq) {
                fail_integrity(r, line->number, "seq_mismatch",
                               fmt::format("seq is {}, expected {} (entry deleted, inserted or "
                                           "reordered)",
                                           entry->seq, expected_seq));
            } else if (entry->prev_hash != prev_hash) {
                fail_integrity(r, line->number, "prev_hash_mismatch",
                               "prev_hash does not match the hash of the previous entry");
            } else {
                ++r.entries;
                ++expected_seq;
                prev_hash = entry->hash;
                r.head = Receipt{entry->seq, entry->hash};
            }
        }

        // Checkpoints are matched against any self-consistent entry, even after an integrity
        // failure, so that the two checks stay independent of each other.
        auto [lo, hi] = by_seq.equal_range(entry->seq);
        for (auto it = lo; it != hi; ++it) {
            auto& t = tracked[it->second];
            if (t.cp.head_hash == entry->hash && t.cp.size == line->end) t.matched = true;
        }
    }
    if (reader.failed()) fail_integrity(r, 0, "io_error", "reading the log failed");
    r.partial_tail_bytes = reader.pending();

    const std::uint64_t complete_bytes = reader.offset();
    for (const auto& t : tracked) {
        if (t.matched) {
            if (!r.last_checkpoint || t.cp.seq >= r.last_checkpoint->seq) r.last_checkpoint = t.cp;
            continue;
        }
        if (complete_bytes < t.cp.size) {
            add_finding(r, t.line, "truncated",
                        fmt::format("log has {} complete bytes but checkpoint covers {} bytes "
                                    "up to seq {} (entries removed from the end)",
                                    complete_bytes, t.cp.size, t.cp.seq));
        } else {
            add_finding(r, t.line, "checkpoint_mismatch",
                        fmt::format("no entry with seq {} and hash {} ending at byte {}", t.cp.seq,
                                    t.cp.head_hash, t.cp.size));
        }
    }
    return r;
}

Result<VerifyReport> verify_log(const VerifyOptions& options) {
    using FilePtr = std::unique_ptr<std::FILE, decltype(&std::fclose)>;
    FilePtr log(std::fopen(options.log_path.c_str(), "rb"), std::fclose);
    if (!log) {
        return make_error(
            "io_error", fmt::format("cannot open {}: {}", options.log_path, std::strerror(errno)));
    }

    std::string cp_path = options.checkpoints_path;
    if (cp_path.empty()) cp_path = options.log_path + ".checkpoints";
    FilePtr cps(std::fopen(cp_path.c_str(), "rb"), std::fclose);
    if (!cps && (errno != ENOENT || !options.checkpoints_path.empty())) {
        return make_error("io_error",
                          fmt::format("cannot open {}: {}", cp_path, std::strerror(errno)));
    }

    std::optional<VerifyKey> key;
    std::string key_source;
    if (!options.public_key_path.empty()) {
        auto k = VerifyKey::load_pem_file(options.public_key_path);
        if (!k) return make_error("io_error", k.error().message);
        key = std::move(*k);
        key_source = options.public_key_path;
    } else {
        const std::string beside = options.log_path + ".key.pub";
        if (::access(beside.c_str(), F_OK) == 0) {
            auto k = VerifyKey::load_pem_file(beside);
            if (!k) return make_error("io_error", k.error().message);
            key = std::move(*k);
            key_source = beside + " (beside the log, not independently pinned)";
        }
    }

    VerifyReport r = verify_streams(log.get(), cps.get(), key ? &*key : nullptr);
    r.key_source = key_source;
    return r;
}

const char* to_string(SignatureState s) {
    switch (s) {
        case SignatureState::kNoCheckpoints:
            return "no checkpoints";
        case SignatureState::kVerified:
            return "verified";
        case SignatureState::kUnverified:
            return "unverified";
        case SignatureState::kInvalid:
            return "INVALID";
    }
    return "unknown";
}

}  // namespace kars::audit
