// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/sse/utf8_decode.h"

#include <cstddef>

namespace kars::router::sse {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Number of continuation bytes a lead byte announces and the range its first continuation
// byte must fall in; the narrowed ranges reject overlong forms and surrogates (Encoding 8.1.1).
struct LeadByte {
    std::size_t needed = 0;
    unsigned char lower = 0x80;
    unsigned char upper = 0xBF;
};

bool classify(unsigned char b, LeadByte& lead) {
    if (b >= 0xC2 && b <= 0xDF) {
        lead.needed = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
        lead.needed = 2;
        if (b == 0xE0) lead.lower = 0xA0;
        if (b == 0xED) lead.upper = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
        lead.needed = 3;
        if (b == 0xF0) lead.lower = 0x90;
        if (b == 0xF4) lead.upper = 0x8F;
    } else {
        return false;
    }
    return true;
}

}  // namespace

void append_utf8_decoded(std::string& out, std::string_view bytes) {
    std::size_t i = 0;
    while (i < bytes.size()) {
        const auto b = static_cast<unsigned char>(bytes[i]);
        if (b < 0x80) {
            out.push_back(static_cast<char>(b));
            ++i;
            continue;
        }

        LeadByte lead;
        if (!classify(b, lead)) {
            out.append(kReplacement);
            ++i;
            continue;
        }

        // Consume continuation bytes while they fit; a byte that does not fit is not
        // consumed, it starts the next code point (the decoder's "restore to queue" step).
        std::size_t j = i + 1;
        std::size_t seen = 0;
        unsigned char lower = lead.lower;
        unsigned char upper = lead.upper;
        while (seen < lead.needed && j < bytes.size()) {
            const auto c = static_cast<unsigned char>(bytes[j]);
            if (c < lower || c > upper) break;
            lower = 0x80;
            upper = 0xBF;
            ++seen;
            ++j;
        }
        if (seen == lead.needed) {
            out.append(bytes.substr(i, j - i));
        } else {
            out.append(kReplacement);
        }
        i = j;
    }
}

}  // namespace kars::router::sse
