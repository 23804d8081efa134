// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/resource_quantity.h"

#include <array>
#include <charconv>
#include <string>
#include <utility>

namespace kars::cli {
namespace {

// Splits "1.5Gi" into 1.5 and "Gi"; the number must be non-negative and finite.
std::optional<std::pair<double, std::string_view>> split(std::string_view text) {
    double value = 0;
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr == text.data() || value < 0 || value > 1e18) return std::nullopt;
    return std::make_pair(value, std::string_view(ptr, static_cast<std::size_t>(end - ptr)));
}

}  // namespace

std::optional<std::uint64_t> parse_memory_bytes(std::string_view text) {
    auto parts = split(text);
    if (!parts) return std::nullopt;
    static constexpr std::array<std::pair<std::string_view, double>, 13> kSuffixes{{
        {"", 1},
        {"k", 1e3},
        {"M", 1e6},
        {"G", 1e9},
        {"T", 1e12},
        {"Ki", 1024.0},
        {"Mi", 1024.0 * 1024},
        {"Gi", 1024.0 * 1024 * 1024},
        {"Ti", 1024.0 * 1024 * 1024 * 1024},
        {"K", 1e3},
        {"m", 1e-3},
        {"P", 1e15},
        {"Pi", 1024.0 * 1024 * 1024 * 1024 * 1024},
    }};
    for (const auto& [suffix, factor] : kSuffixes) {
        if (parts->second == suffix) {
            const double bytes = parts->first * factor;
            if (bytes > 1.8e19) return std::nullopt;
            return static_cast<std::uint64_t>(bytes);
        }
    }
    return std::nullopt;
}

std::optional<std::uint64_t> parse_cpu_millis(std::string_view text) {
    auto parts = split(text);
    if (!parts) return std::nullopt;
    if (parts->second == "m") return static_cast<std::uint64_t>(parts->first);
    if (parts->second.empty()) return static_cast<std::uint64_t>(parts->first * 1000);
    return std::nullopt;
}

}  // namespace kars::cli
