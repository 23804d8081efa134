// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// SHA-256 and base64 for the audit log, both delegated to OpenSSL (EVP); kars never implements
// cryptographic primitives or encodings itself.

#include <optional>
#include <string>
#include <string_view>

namespace kars::audit {

// Raw 32-byte SHA-256 digest of `data`.
std::string sha256(std::string_view data);

// Lower-case hex of SHA-256(data): the form used for entry hashes and key ids.
std::string sha256_hex(std::string_view data);

// Lower-case hex of arbitrary bytes.
std::string to_hex(std::string_view bytes);

// True when `s` is exactly `len` characters of lower-case hex.
bool is_lower_hex(std::string_view s, std::size_t len);

// Standard base64 with padding (RFC 4648 section 4), via EVP_EncodeBlock.
std::string base64_encode(std::string_view bytes);

// Inverse of base64_encode. Accepts only the canonical encoding (what base64_encode would
// produce), so one signature has exactly one spelling; nullopt otherwise.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace kars::audit
