// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/audit/tail_recovery.h"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/audit/durable_file.h"

namespace kars::audit {
namespace {

struct Tail {
    std::uint64_t complete_size = 0;  // offset just past the last '\n'
    std::string last_line;            // the last complete line, without '\n'
};

// Reads the end of the file: at most one torn line plus one complete line, each bounded by
// kMaxLineBytes, so the window below always contains both when the file is well formed.
Result<Tail> read_tail(int fd, const std::string& path) {
    auto size = file_size(fd, path);
    if (!size) return size.error();
    const std::uint64_t window = std::min<std::uint64_t>(*size, 2 * (kMaxLineBytes + 1));
    const std::uint64_t start = *size - window;
    auto bytes = read_at(fd, start, static_cast<std::size_t>(window), path);
    if (!bytes) return bytes.error();

    Tail tail;
    const std::size_t last_nl = bytes->rfind('\n');
    if (last_nl == std::string::npos) {
        if (start != 0) {
            return make_error("audit_log_corrupt", path + ": last line exceeds the maximum length");
        }
        return tail;  // no complete line at all
    }
    tail.complete_size = start + last_nl + 1;
    const std::size_t prev_nl = last_nl == 0 ? std::string::npos : bytes->rfind('\n', last_nl - 1);
    if (prev_nl == std::string::npos && start != 0) {
        return make_error("audit_log_corrupt", path + ": last line exceeds the maximum length");
    }
    const std::size_t line_start = prev_nl == std::string::npos ? 0 : prev_nl + 1;
    tail.last_line = bytes->substr(line_start, last_nl - line_start);

    if (tail.complete_size < *size) {
        const std::uint64_t torn = *size - tail.complete_size;
        spdlog::warn("audit: {}: truncating {} bytes of a line torn by an earlier crash", path,
                     torn);
        if (auto s = truncate_to(fd, tail.complete_size, path); !s) return s.error();
    }
    return tail;
}

}  // namespace

Result<ChainHead> recover_log_tail(int fd, const std::string& path) {
    auto tail = read_tail(fd, path);
    if (!tail) return tail.error();
    ChainHead head;
    head.size = tail->complete_size;
    if (tail->complete_size == 0) return head;

    auto last = parse_entry_line(tail->last_line);
    if (!last) {
        return make_error("audit_log_corrupt",
                          fmt::format("{}: last entry is invalid ({}); run `kars audit verify`",
                                      path, last.error().message));
    }
    head.next_seq = last->seq + 1;
    head.prev_hash = last->hash;
    return head;
}

Result<std::optional<Checkpoint>> recover_checkpoint_tail(int fd, const std::string& path) {
    auto tail = read_tail(fd, path);
    if (!tail) return tail.error();
    if (tail->complete_size == 0) return std::optional<Checkpoint>{};
    auto cp = parse_checkpoint_line(tail->last_line);
    if (!cp) return std::optional<Checkpoint>{};
    return std::optional<Checkpoint>{std::move(*cp)};
}

}  // namespace kars::audit
