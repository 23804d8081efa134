// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Files only the invoking user may read: stored keys and the run records of sandboxes.

#include <filesystem>
#include <string>

#include "core/result.h"

namespace kars::cli {

// mkdir -p with 0700 on every directory created, and 0700 forced on the leaf even if it
// existed before.
Status make_private_dir(const std::filesystem::path& dir);

// Writes through a temporary file created 0600 with O_EXCL, then rename(2): the content is
// never in a file with wider permissions, and a reader never sees half of it. `durable`
// adds an fsync before the rename.
Status write_private_file(const std::filesystem::path& path, const std::string& content,
                          bool durable = true);

}  // namespace kars::cli
