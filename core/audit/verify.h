// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Offline verification of an audit log and its checkpoints (rules in docs/audit-format.md,
// "Verification"). Integrity and completeness are reported separately: a chain can be intact
// and still be missing its newest entries, and only the checkpoints can show that.

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "core/audit/checkpoint.h"
#include "core/audit/entry.h"
#include "core/audit/signing_key.h"
#include "core/result.h"

namespace kars::audit {

struct Finding {
    std::uint64_t line = 0;  // 1-based line in the file the finding is about; 0 if none
    std::string code;        // stable machine code, e.g. "hash_mismatch"
    std::string message;
};

enum class SignatureState {
    kNoCheckpoints,  // nothing to check
    kVerified,       // every checkpoint verified with the public key
    kUnverified,     // no public key available; checkpoints used without signature check
    kInvalid,        // at least one checkpoint failed its signature check
};

struct VerifyReport {
    // Integrity: every line parses, hashes recompute, prev_hash links, seq increments by one.
    bool integrity_ok = true;
    std::optional<Finding> integrity_failure;  // the first bad line and why
    std::uint64_t lines = 0;                   // complete lines read
    std::uint64_t entries = 0;                 // entries in the intact prefix
    std::optional<Receipt> head;               // last entry of the intact prefix
    std::uint64_t partial_tail_bytes = 0;      // bytes after the last newline (warning only)

    // Completeness: every checkpoint is well formed, correctly signed (when a key is known)
    // and matches the log: the entry at its seq has its head_hash and ends at its size.
    bool completeness_ok = true;
    std::vector<Finding> completeness_failures;  // line numbers refer to the checkpoints file
    std::uint64_t checkpoints = 0;               // checkpoint lines read
    std::optional<Checkpoint> last_checkpoint;   // newest checkpoint that passed its checks
    SignatureState signatures = SignatureState::kNoCheckpoints;
    std::string key_id;      // id of the key signatures were checked with, if any
    std::string key_source;  // where that key came from

    bool ok() const { return integrity_ok && completeness_ok; }
};

struct VerifyOptions {
    std::string log_path;
    std::string checkpoints_path;  // empty: "<log_path>.checkpoints" if it exists
    std::string public_key_path;   // empty: "<log_path>.key.pub" if it exists, else unverified
};

// Reads the files named in `options` and verifies them. Errors (code "io_error") only for
// files that cannot be read or a public key that cannot be loaded; every problem with the
// contents is a finding in the report.
Result<VerifyReport> verify_log(const VerifyOptions& options);

// The same checks over open streams. `checkpoints` and `key` may be null.
VerifyReport verify_streams(std::FILE* log, std::FILE* checkpoints, const VerifyKey* key);

const char* to_string(SignatureState s);

}  // namespace kars::audit
