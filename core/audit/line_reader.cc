// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/audit/line_reader.h"

namespace kars::audit {

namespace {
constexpr std::size_t kChunk = 64 * 1024;
}

LineReader::LineReader(std::FILE* file, std::size_t max_line) : file_(file), max_line_(max_line) {}

bool LineReader::fill() {
    // Compact so the buffer never holds more than one partial line plus one chunk.
    if (pos_ > 0) {
        buf_.erase(0, pos_);
        pos_ = 0;
    }
    std::clearerr(file_);  // lets a follower read data appended after an earlier EOF
    char chunk[kChunk];
    const std::size_t n = std::fread(chunk, 1, sizeof(chunk), file_);
    if (n == 0 && std::ferror(file_)) failed_ = true;
    buf_.append(chunk, n);
    return n > 0;
}

std::optional<LineReader::Line> LineReader::next() {
    for (;;) {
        const std::size_t nl = buf_.find('\n', pos_);
        if (nl != std::string::npos) {
            Line line;
            line.number = ++line_number_;
            const std::size_t len = nl - pos_;
            if (skipped_ > 0 || len > max_line_) {
                line.too_long = true;
            } else {
                line.text.assign(buf_, pos_, len);
            }
            offset_ += skipped_ + len + 1;
            line.end = offset_;
            skipped_ = 0;
            pos_ = nl + 1;
            return line;
        }
        if (buf_.size() - pos_ > max_line_) {
            // The line is already too long to be valid: keep counting its bytes, drop them.
            skipped_ += buf_.size() - pos_;
            buf_.clear();
            pos_ = 0;
        }
        if (!fill()) return std::nullopt;
    }
}

}  // namespace kars::audit
