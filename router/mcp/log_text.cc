// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/mcp/log_text.h"

#include <algorithm>

namespace kars::router::mcp {

std::string log_text(std::string_view text, std::size_t max) {
    std::string out;
    auto n = std::min(text.size(), max);
    // Cut at a character boundary: the text may go into an audit entry, which must be UTF-8.
    while (n > 0 && n < text.size() && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
    out.reserve(n + 16);
    for (std::size_t i = 0; i < n; ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        out.push_back(c < 0x20 || c == 0x7f ? '?' : static_cast<char>(c));
    }
    if (n < text.size()) out += "...(" + std::to_string(text.size() - n) + " more bytes)";
    return out;
}

}  // namespace kars::router::mcp
