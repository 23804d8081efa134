// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Small host-side state files that the router and the CLI both read and replace (approvals,
// MCP tool pins). The pattern every user follows:
//   1. take the FileLock of a sibling lock file for the whole read-modify-write,
//   2. read the file (with the stamp of exactly the bytes read),
//   3. replace it with replace_file(), which a concurrent reader sees either whole or not at all.
// A process that caches the content compares stamps to notice another process's write.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace kars::files {

// An exclusive flock(2) held until destruction. flock locks belong to the open file
// description, so two threads of one process that each acquire also exclude each other.
class FileLock {
public:
    // Opens (creating with mode 0600) `lock_path` and blocks until the lock is granted.
    // Errors (code "io_error") name the call, the path and errno.
    static Result<FileLock> acquire(const std::filesystem::path& lock_path);

    FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    FileLock& operator=(FileLock&&) = delete;
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    ~FileLock();

private:
    explicit FileLock(int fd) : fd_(fd) {}
    int fd_;
};

// Identifies one version of a file. replace_file() always installs a new inode, but a freed
// inode number can be reused at once, so size and both timestamps take part too.
struct FileStamp {
    bool exists = false;
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::int64_t ctime_ns = 0;

    bool operator==(const FileStamp&) const = default;
};

struct FileContent {
    std::string bytes;
    FileStamp stamp;  // of the file the bytes were read from (fstat of the same descriptor)
};

// The stamp of `path` now; exists=false when there is no such file.
Result<FileStamp> stamp_of(const std::filesystem::path& path);

// Reads `path` whole; nullopt when it does not exist. A file over `max_bytes` or anything
// but a regular file is an error (code "io_error"), never a truncated read.
Result<std::optional<FileContent>> read_file(const std::filesystem::path& path,
                                             std::size_t max_bytes);

// Replaces `path` so that a crash or a concurrent reader sees the old or the new content,
// never a mix: a unique temporary file beside it (mode 0600), fsync, rename(2) over `path`,
// fsync of the directory (the rename is durable only once the directory is).
Status replace_file(const std::filesystem::path& path, std::string_view bytes);

}  // namespace kars::files
