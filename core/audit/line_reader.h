// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Splits a file into '\n'-terminated lines with their byte offsets, in bounded memory. Used by
// the verifier and by `kars audit tail`, both of which read files an attacker may have shaped.

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace kars::audit {

class LineReader {
public:
    struct Line {
        std::string text;          // without the '\n'; empty when too_long
        std::uint64_t number = 0;  // 1-based
        std::uint64_t end = 0;     // offset just past the '\n'
        bool too_long = false;     // longer than max_line; its bytes were skipped
    };

    // Does not take ownership of `file`.
    LineReader(std::FILE* file, std::size_t max_line);

    // The next complete line, or nullopt at end of file. Bytes after the last '\n' stay
    // buffered (see pending()); calling next() again after the file grew continues from them.
    std::optional<Line> next();

    // Bytes read after the last complete line: a torn tail if the file stops here.
    std::size_t pending() const { return buf_.size() - pos_ + skipped_; }

    // Offset just past the last complete line returned.
    std::uint64_t offset() const { return offset_; }

    // True if reading failed with an I/O error (as opposed to reaching the end).
    bool failed() const { return failed_; }

private:
    bool fill();

    std::FILE* file_;
    std::size_t max_line_;
    std::string buf_;
    std::size_t pos_ = 0;
    std::uint64_t offset_ = 0;
    std::uint64_t line_number_ = 0;
    std::size_t skipped_ = 0;  // bytes of an over-long line already discarded
    bool failed_ = false;
};

}  // namespace kars::audit
