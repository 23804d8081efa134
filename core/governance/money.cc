// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/governance/money.h"

#include <cstdint>
#include <string>

namespace kars::governance {

Result<Money> parse_money(std::string_view text) {
    constexpr std::int64_t kMaxMinor = 1'000'000'000'000'000;
    auto bad = [&text] {
        return make_error("invalid_money",
                          "'" + std::string(text) + "' is not \"<ISO-4217 code> <units>.<cents>\"");
    };
    if (text.size() < 8 || text[3] != ' ') return bad();
    Money money;
    for (std::size_t i = 0; i < 3; ++i) {
        if (text[i] < 'A' || text[i] > 'Z') return bad();
    }
    money.currency = std::string(text.substr(0, 3));
    std::string_view amount = text.substr(4);
    std::size_t dot = amount.find('.');
    if (dot == std::string_view::npos || dot == 0 || amount.size() - dot != 3) return bad();
    if (dot > 1 && amount[0] == '0') return bad();
    std::int64_t value = 0;
    for (std::size_t i = 0; i < amount.size(); ++i) {
        if (i == dot) continue;
        char c = amount[i];
        if (c < '0' || c > '9') return bad();
        value = value * 10 + (c - '0');
        if (value > kMaxMinor) return bad();
    }
    money.minor_units = value;
    return money;
}

}  // namespace kars::governance
