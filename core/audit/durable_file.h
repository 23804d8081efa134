// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The few POSIX file operations the audit writer needs to make data durable, each returning a
// Status that names the failing call, the path and errno.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace kars::audit {

// Opens (creating with mode 0600 if absent) `path` for reading and appending. If the file was
// created, its directory entry is fsynced too, so the file itself survives a crash.
Result<int> open_append(const std::string& path);

// Takes an exclusive, non-blocking flock: one writer per log.
Status lock_exclusive(int fd, const std::string& path);

// write() until every byte is written, retrying on EINTR and short writes.
Status write_all(int fd, std::string_view data, const std::string& path);

// fdatasync(), the point after which written bytes survive power loss.
Status sync_data(int fd, const std::string& path);

// ftruncate() to `size` followed by fdatasync().
Status truncate_to(int fd, std::uint64_t size, const std::string& path);

// Current size of the file.
Result<std::uint64_t> file_size(int fd, const std::string& path);

// pread() of exactly `len` bytes at `offset`.
Result<std::string> read_at(int fd, std::uint64_t offset, std::size_t len, const std::string& path);

}  // namespace kars::audit
