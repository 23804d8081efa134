// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Incremental, bounded text/event-stream parser following the HTML Living Standard,
// section 9.2.6 "Parsing an event stream" and "Interpreting an event stream". The router
// reads upstream bodies in arbitrary chunks; every event is emitted the moment its blank
// line arrives so it can be forwarded without waiting for the next read.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "router/sse/sse_event.h"

namespace kars::router::sse {

// Memory bounds. A line end counts as one byte whatever its form (CR, LF, CRLF), so whether
// a limit trips never depends on where the reads were split.
struct Limits {
    std::size_t max_line_bytes = 1 << 20;   // one line, line end excluded
    std::size_t max_event_bytes = 1 << 20;  // everything buffered since the previous item
};

class SseParser {
public:
    explicit SseParser(Limits limits = {});

    // Consumes the next chunk and appends every item it completes to `out`, in stream
    // order. On a limit violation returns an error ("sse_line_too_long" or
    // "sse_event_too_large") after appending the items completed before the offending byte;
    // the parser then stays failed and every later call returns the same error.
    Status feed(std::string_view bytes, std::vector<Item>& out);

    // Call once the upstream body has ended. Errors with "sse_truncated" when the stream
    // stopped inside an event or an unterminated line (the spec discards those bytes), or
    // returns the earlier limit error.
    Status finish() const;

    // The last event ID as of the most recent dispatched block (spec: "last event ID string").
    const std::string& last_event_id() const { return last_event_id_; }

    // The most recent valid `retry:` value in ms (spec: the reconnection time), if any.
    std::optional<std::uint64_t> retry_ms() const { return retry_ms_; }

    // True once a limit was exceeded.
    bool failed() const { return error_.has_value(); }

private:
    void consume_bom(std::string_view& bytes);
    Status check_limits(std::size_t take, bool ends_line);
    void process_line(std::size_t content_end, std::vector<Item>& out);
    void process_field(std::string_view name, std::string_view value);
    void dispatch(std::vector<Item>& out);
    void reset_buffer();
    Status fail(Error error);

    Limits limits_;

    // Input bytes since the previous emitted item, and where the line being read starts.
    std::string pending_raw_;
    std::size_t line_start_ = 0;
    // Size of the completed lines in pending_raw_ with each line end counted as one byte.
    std::size_t completed_count_ = 0;
    // The previous line ended in CR at a chunk end: a leading LF of the next chunk is the
    // second half of a CRLF and must not be read as an empty line.
    bool skip_lf_ = false;
    // Bytes of a leading BOM matched so far; the BOM may arrive split over reads.
    std::size_t bom_matched_ = 0;
    bool bom_done_ = false;

    // The spec's per-event buffers, plus what the router needs to report about the block.
    bool in_event_ = false;
    std::string type_;
    std::string data_;
    bool has_data_ = false;
    std::optional<std::string> id_;
    std::optional<std::uint64_t> retry_;
    std::vector<std::string> comments_;

    std::string last_event_id_;
    std::optional<std::uint64_t> retry_ms_;
    std::optional<Error> error_;
};

}  // namespace kars::router::sse
