// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/terminal_text.h"

#include <fmt/format.h>

namespace kars::cli {

std::string printable(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F) {
            out += fmt::format("\\x{:02x}", c);
        } else {
            out.push_back(ch);
        }
    }
    return out;
}

}  // namespace kars::cli
