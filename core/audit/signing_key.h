// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Ed25519 keys for signing audit checkpoints, held as OpenSSL EVP_PKEY objects and read from or
// written to PEM files.

#include <memory>
#include <string>
#include <string_view>

#include <openssl/types.h>

#include "core/result.h"

namespace kars::audit {

// A public key that checks checkpoint signatures.
class VerifyKey {
public:
    // Reads a PEM "PUBLIC KEY" (SubjectPublicKeyInfo) file; it must hold an Ed25519 key.
    static Result<VerifyKey> load_pem_file(const std::string& path);
    static Result<VerifyKey> from_pem(std::string_view pem);

    // True only when `signature` (64 raw bytes) is a valid Ed25519 signature of `message`.
    bool verify(std::string_view message, std::string_view signature) const;

    // First 16 hex characters of SHA-256 over the 32-byte raw public key.
    const std::string& key_id() const { return key_id_; }

    // PEM encoding of the public key.
    std::string to_pem() const;

private:
    explicit VerifyKey(std::shared_ptr<EVP_PKEY> pkey);
    std::shared_ptr<EVP_PKEY> pkey_;
    std::string key_id_;
};

// A private key that signs checkpoints.
class SigningKey {
public:
    // Loads the PEM private key at `path`. If the file does not exist, generates a new key,
    // writes it there with mode 0600 and writes the public key to `<path>.pub`.
    static Result<SigningKey> load_or_create(const std::string& path);

    // Generates a key in memory only (for tests and tools).
    static Result<SigningKey> generate();

    // Ed25519 signature (64 raw bytes) of `message`.
    Result<std::string> sign(std::string_view message) const;

    const VerifyKey& public_key() const { return public_key_; }
    const std::string& key_id() const { return public_key_.key_id(); }

private:
    SigningKey(std::shared_ptr<EVP_PKEY> pkey, VerifyKey pub);
    std::shared_ptr<EVP_PKEY> pkey_;
    VerifyKey public_key_;
};

// Key id of a raw Ed25519 public key (first 16 hex chars of its SHA-256).
std::string key_id_of_raw_public_key(std::string_view raw);

}  // namespace kars::audit
