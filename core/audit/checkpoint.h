// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Signed checkpoints: a statement "the log had `size` bytes ending in entry `seq` with hash
// `head_hash`", signed with Ed25519. The hash chain alone cannot show that the newest entries
// were cut off; a checkpoint can.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/audit/signing_key.h"
#include "core/result.h"

namespace kars::audit {

struct Checkpoint {
    std::uint64_t seq = 0;   // seq of the last entry covered
    std::uint64_t size = 0;  // byte length of the log up to and including that entry's newline
    std::string head_hash;   // hash of that entry
    std::string ts;          // when the checkpoint was written (not signed)
    std::string key_id;      // id of the signing key (not signed; a hint for the verifier)
    std::string signature;   // base64 of the 64-byte Ed25519 signature
};

// The exact bytes that are signed (docs/audit-format.md, "Checkpoint signature"):
// "kars-audit-checkpoint-v1\nseq=<dec>\nsize=<dec>\nhead_hash=<hex>\n".
std::string checkpoint_signing_input(std::uint64_t seq, std::uint64_t size,
                                     std::string_view head_hash);

// Builds and signs a checkpoint.
Result<Checkpoint> sign_checkpoint(const SigningKey& key, std::uint64_t seq, std::uint64_t size,
                                   std::string head_hash, std::string ts);

// Canonical JSON line for the checkpoints file, without a newline.
std::string checkpoint_line(const Checkpoint& cp);

// Parses one checkpoints-file line; checks shape and canonical form, not the signature.
// Error codes: invalid_json, not_object, missing_field, unknown_field, bad_field, not_canonical.
Result<Checkpoint> parse_checkpoint_line(std::string_view line);

// True when the signature is a valid Ed25519 signature by `key` over the signing input.
bool checkpoint_signature_valid(const Checkpoint& cp, const VerifyKey& key);

}  // namespace kars::audit
