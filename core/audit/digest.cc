// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/audit/digest.h"

#include <cassert>
#include <cstdlib>
#include <vector>

#include <openssl/evp.h>

namespace kars::audit {

std::string sha256(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    const int rc = EVP_Digest(data.data(), data.size(), md, &md_len, EVP_sha256(), nullptr);
    // EVP_Digest with a built-in algorithm fails only on allocation failure; a hash chain
    // cannot continue without it, so treat it as an invariant.
    assert(rc == 1 && md_len == 32);
    if (rc != 1) std::abort();
    return std::string(reinterpret_cast<const char*>(md), md_len);
}

std::string sha256_hex(std::string_view data) {
    return to_hex(sha256(data));
}

std::string to_hex(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
    return out;
}

bool is_lower_hex(std::string_view s, std::size_t len) {
    if (s.size() != len) return false;
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

std::string base64_encode(std::string_view bytes) {
    std::vector<unsigned char> out(4 * ((bytes.size() + 2) / 3) + 1);
    const int n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0 || text.size() > (1u << 20)) return std::nullopt;
    std::vector<unsigned char> out(3 * (text.size() / 4) + 1);
    const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (n < 0) return std::nullopt;

    // EVP_DecodeBlock counts '=' padding as zero bytes of output; drop them.
    std::size_t len = static_cast<std::size_t>(n);
    if (text.back() == '=') --len;
    if (text.size() >= 2 && text[text.size() - 2] == '=') --len;
    std::string decoded(reinterpret_cast<const char*>(out.data()), len);

    // EVP_DecodeBlock tolerates surrounding whitespace and non-zero padding bits; round-tripping
    // rejects every spelling but the canonical one.
    if (base64_encode(decoded) != text) return std::nullopt;
    return decoded;
}

}  // namespace kars::audit
