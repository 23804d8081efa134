// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The on-disk form of token-budget usage, and the crash-safe write that replaces it.
// Format (JSON): {"version":1,"sandboxes":{"<name>":{"day":D,"day_used":N,"month":M,
// "month_used":N}}} where D is days since 1970-01-01 UTC and M is months since 1970-01.
// Limits are not stored: they come from the InferencePolicy each time kars starts.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace kars::router::budget {

struct StoredUsage {
    std::string sandbox;
    std::int64_t day = 0;
    std::uint64_t day_used = 0;
    std::int64_t month = 0;
    std::uint64_t month_used = 0;
};

std::string encode_budget_state(const std::vector<StoredUsage>& usage);

// Strict: any missing field, wrong type, negative count or unknown version is an error
// (code "budget_state_corrupt") describing what is wrong.
Result<std::vector<StoredUsage>> decode_budget_state(std::string_view text);

// Writes `path` so that a crash leaves either the old or the new content
// (files::replace_file); errors have code "budget_persist_failed".
Status write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

// The whole file, or nullopt when it does not exist.
Result<std::optional<std::string>> read_file_if_exists(const std::filesystem::path& path);

}  // namespace kars::router::budget
