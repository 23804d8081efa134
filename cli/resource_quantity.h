// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Kubernetes resource quantities ("500m", "2", "512Mi", "4Gi", "1G") as the numbers the
// sandbox's cgroup limits take.

#include <cstdint>
#include <optional>
#include <string_view>

namespace kars::cli {

// Bytes for a memory quantity; nullopt when the text is not a quantity.
std::optional<std::uint64_t> parse_memory_bytes(std::string_view text);

// Millicores for a CPU quantity ("500m" = 500, "2" = 2000, "1.5" = 1500).
std::optional<std::uint64_t> parse_cpu_millis(std::string_view text);

}  // namespace kars::cli
