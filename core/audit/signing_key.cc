// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/audit/signing_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <spdlog/spdlog.h>

#include "core/audit/digest.h"

namespace kars::audit {
namespace {

constexpr std::size_t kRawKeyBytes = 32;
constexpr std::size_t kSignatureBytes = 64;

std::shared_ptr<EVP_PKEY> wrap(EVP_PKEY* p) {
    return {p, EVP_PKEY_free};
}

std::string openssl_error() {
    const unsigned long code = ERR_get_error();
    if (code == 0) return "unknown OpenSSL error";
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    ERR_clear_error();
    return buf;
}

Error key_error(std::string message) {
    return make_error("audit_key", std::move(message));
}

Result<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return key_error("cannot read " + path + ": " + std::strerror(errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

Result<std::string> raw_public_key(EVP_PKEY* pkey) {
    unsigned char raw[kRawKeyBytes];
    std::size_t len = sizeof(raw);
    if (EVP_PKEY_get_raw_public_key(pkey, raw, &len) != 1 || len != kRawKeyBytes) {
        return key_error("cannot extract Ed25519 public key: " + openssl_error());
    }
    return std::string(reinterpret_cast<const char*>(raw), len);
}

Result<VerifyKey> public_half(EVP_PKEY* pkey) {
    auto raw = raw_public_key(pkey);
    if (!raw) return raw.error();
    std::string pem;
    {
        EVP_PKEY* pub = EVP_PKEY_new_raw_public_key(
            EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw->data()),
            raw->size());
        if (pub == nullptr) return key_error("cannot build public key: " + openssl_error());
        auto owned = wrap(pub);
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
        if (!bio || PEM_write_bio_PUBKEY(bio.get(), pub) != 1) {
            return key_error("cannot encode public key: " + openssl_error());
        }
        char* data = nullptr;
        const long n = BIO_get_mem_data(bio.get(), &data);
        pem.assign(data, static_cast<std::size_t>(n));
    }
    return VerifyKey::from_pem(pem);
}

std::string private_pem(EVP_PKEY* pkey) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    if (!bio ||
        PEM_write_bio_PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        return {};
    }
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

// Writes `contents` to a new file with `mode`, then fsyncs it; O_EXCL so that two processes
// racing to create the key cannot silently overwrite each other's.
Status write_new_file(const std::string& path, const std::string& contents, mode_t mode,
                      bool exclusive) {
    const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC);
    const int fd = ::open(path.c_str(), flags, mode);
    if (fd < 0) return key_error("open(" + path + ") failed: " + std::strerror(errno));
    std::size_t done = 0;
    while (done < contents.size()) {
        const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int err = errno;
            ::close(fd);
            return key_error("write(" + path + ") failed: " + std::strerror(err));
        }
        done += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced) return key_error("fsync(" + path + ") failed: " + std::strerror(errno));
    return ok_status();
}

}  // namespace

std::string key_id_of_raw_public_key(std::string_view raw) {
    return sha256_hex(raw).substr(0, 16);
}

VerifyKey::VerifyKey(std::shared_ptr<EVP_PKEY> pkey) : pkey_(std::move(pkey)) {
    if (auto raw = raw_public_key(pkey_.get())) key_id_ = key_id_of_raw_public_key(*raw);
}

Result<VerifyKey> VerifyKey::from_pem(std::string_view pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
    if (!bio) return key_error("out of memory");
    EVP_PKEY* p = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
    if (p == nullptr) return key_error("not a PEM public key: " + openssl_error());
    auto pkey = wrap(p);
    if (EVP_PKEY_is_a(p, "ED25519") != 1) return key_error("public key is not Ed25519");
    return VerifyKey(std::move(pkey));
}

Result<VerifyKey> VerifyKey::load_pem_file(const std::string& path) {
    auto pem = read_file(path);
    if (!pem) return pem.error();
    return from_pem(*pem);
}

bool VerifyKey::verify(std::string_view message, std::string_view signature) const {
    if (signature.size() != kSignatureBytes) return false;
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx) return false;
    // Ed25519 is used in its pure form: no message digest is passed (RFC 8032 section 5.1).
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey_.get()) != 1) {
        ERR_clear_error();
        return false;
    }
    const int rc = EVP_DigestVerify(
        ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
        reinterpret_cast<const unsigned char*>(message.data()), message.size());
    ERR_clear_error();
    return rc == 1;
}

std::string VerifyKey::to_pem() const {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey_.get()) != 1) return {};
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

SigningKey::SigningKey(std::shared_ptr<EVP_PKEY> pkey, VerifyKey pub)
    : pkey_(std::move(pkey)), public_key_(std::move(pub)) {}

Result<SigningKey> SigningKey::generate() {
    EVP_PKEY* p = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    if (p == nullptr) return key_error("Ed25519 key generation failed: " + openssl_error());
    auto pkey = wrap(p);
    auto pub = public_half(p);
    if (!pub) return pub.error();
    return SigningKey(std::move(pkey), std::move(*pub));
}

Result<SigningKey> SigningKey::load_or_create(const std::string& path) {
    struct stat st {};
    const std::string pub_path = path + ".pub";
    if (::stat(path.c_str(), &st) != 0) {
        if (errno != ENOENT) return key_error("stat(" + path + ") failed: " + std::strerror(errno));
        auto key = generate();
        if (!key) return key.error();
        const std::string pem = private_pem(key->pkey_.get());
        if (pem.empty()) return key_error("cannot encode private key: " + openssl_error());
        if (auto s = write_new_file(path, pem, 0600, true); !s) return s.error();
        if (auto s = write_new_file(pub_path, key->public_key().to_pem(), 0644, false); !s) {
            return s.error();
        }
        spdlog::info("audit: generated checkpoint signing key {} (key id {})", path, key->key_id());
        return key;
    }

    if ((st.st_mode & 077) != 0) {
        spdlog::warn("audit: signing key {} is readable by group or others (mode {:o})", path,
                     st.st_mode & 0777);
    }
    auto pem = read_file(path);
    if (!pem) return pem.error();
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())), BIO_free);
    if (!bio) return key_error("out of memory");
    EVP_PKEY* p = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
    if (p == nullptr) return key_error(path + " is not a PEM private key: " + openssl_error());
    auto pkey = wrap(p);
    if (EVP_PKEY_is_a(p, "ED25519") != 1) return key_error(path + " is not an Ed25519 key");
    auto pub = public_half(p);
    if (!pub) return pub.error();

    // Verifiers look for the public key beside the private one; restore it if it went missing.
    if (::access(pub_path.c_str(), F_OK) != 0) {
        if (auto s = write_new_file(pub_path, pub->to_pem(), 0644, false); !s) return s.error();
    }
    return SigningKey(std::move(pkey), std::move(*pub));
}

Result<std::string> SigningKey::sign(std::string_view message) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey_.get()) != 1) {
        return key_error("EVP_DigestSignInit failed: " + openssl_error());
    }
    unsigned char sig[kSignatureBytes];
    std::size_t sig_len = sizeof(sig);
    if (EVP_DigestSign(ctx.get(), sig, &sig_len,
                       reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) != 1) {
        return key_error("EVP_DigestSign failed: " + openssl_error());
    }
    return std::string(reinterpret_cast<const char*>(sig), sig_len);
}

}  // namespace kars::audit
