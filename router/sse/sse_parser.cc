// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/sse/sse_parser.h"

#include <limits>
#include <utility>

#include "router/sse/utf8_decode.h"

namespace kars::router::sse {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// The first byte (1-based) of a run of `take` that pushes a counter at `used` past `max`.
std::size_t overflow_position(std::size_t used, std::size_t max) {
    return used > max ? 1 : max - used + 1;
}

// Spec: "If the field value consists of only ASCII digits, then interpret the field value as
// an integer in base ten". Values that overflow 64 bits are ignored like any other invalid
// value rather than clamped to a reconnection delay nobody asked for.
std::optional<std::uint64_t> parse_retry(std::string_view value) {
    if (value.empty()) return std::nullopt;
    std::uint64_t result = 0;
    for (const char c : value) {
        if (c < '0' || c > '9') return std::nullopt;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (result > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
            return std::nullopt;
        }
        result = result * 10 + digit;
    }
    return result;
}

std::string decoded(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    append_utf8_decoded(out, bytes);
    return out;
}

}  // namespace

SseParser::SseParser(Limits limits) : limits_(limits) {}

Status SseParser::feed(std::string_view bytes, std::vector<Item>& out) {
    if (error_) return *error_;
    consume_bom(bytes);

    while (!bytes.empty()) {
        if (skip_lf_) {
            skip_lf_ = false;
            if (bytes.front() == '\n') {
                pending_raw_.push_back('\n');
                line_start_ = pending_raw_.size();
                bytes.remove_prefix(1);
                continue;
            }
        }

        const std::size_t end = bytes.find_first_of("\r\n");
        const bool ends_line = end != std::string_view::npos;
        const std::size_t take = ends_line ? end : bytes.size();
        if (Status s = check_limits(take, ends_line); !s.ok()) return s;
        pending_raw_.append(bytes.substr(0, take));
        bytes.remove_prefix(take);
        if (!ends_line) break;

        // Spec: a line ends at CRLF, LF or CR. A CR that ends this chunk may still be the
        // first half of a CRLF, which skip_lf_ resolves on the next chunk.
        const std::size_t content_end = pending_raw_.size();
        const char terminator = bytes.front();
        pending_raw_.push_back(terminator);
        bytes.remove_prefix(1);
        if (terminator == '\r') {
            if (bytes.empty()) {
                skip_lf_ = true;
            } else if (bytes.front() == '\n') {
                pending_raw_.push_back('\n');
                bytes.remove_prefix(1);
            }
        }
        process_line(content_end, out);
    }
    return ok_status();
}

Status SseParser::finish() const {
    if (error_) return *error_;
    const bool partial_line = pending_raw_.size() > line_start_ || (!bom_done_ && bom_matched_ > 0);
    if (in_event_ || partial_line) {
        return make_error("sse_truncated", "the event stream ended in the middle of an event; " +
                                               std::to_string(pending_raw_.size() + bom_matched_) +
                                               " buffered bytes were discarded");
    }
    return ok_status();
}

// The UTF-8 decode step strips one leading BOM (Encoding, section 6). Bytes that start like
// a BOM but diverge are ordinary content of the first line.
void SseParser::consume_bom(std::string_view& bytes) {
    while (!bom_done_ && !bytes.empty()) {
        if (bytes.front() != kBom[bom_matched_]) {
            pending_raw_.append(kBom.substr(0, bom_matched_));
            bom_matched_ = 0;
            bom_done_ = true;
            return;
        }
        bytes.remove_prefix(1);
        if (++bom_matched_ == kBom.size()) {
            pending_raw_.append(kBom);
            line_start_ = pending_raw_.size();
            bom_matched_ = 0;
            bom_done_ = true;
        }
    }
}

// Checks the next `take` content bytes (plus one for the line end when `ends_line`) before
// they are buffered. When both limits would trip, the one crossed at the earlier byte is
// reported, which is what a byte-at-a-time reader would see.
Status SseParser::check_limits(std::size_t take, bool ends_line) {
    const std::size_t line_used = pending_raw_.size() - line_start_;
    const std::size_t event_used = completed_count_ + line_used;
    const std::size_t no_overflow = std::numeric_limits<std::size_t>::max();

    std::size_t line_at = no_overflow;
    if (line_used + take > limits_.max_line_bytes) {
        line_at = overflow_position(line_used, limits_.max_line_bytes);
        if (line_at > take) line_at = no_overflow;
    }
    std::size_t event_at = no_overflow;
    if (event_used + take + (ends_line ? 1 : 0) > limits_.max_event_bytes) {
        event_at = overflow_position(event_used, limits_.max_event_bytes);
    }

    if (line_at != no_overflow && line_at <= event_at) {
        return fail(make_error("sse_line_too_long", "an event-stream line exceeds the limit of " +
                                                        std::to_string(limits_.max_line_bytes) +
                                                        " bytes"));
    }
    if (event_at != no_overflow) {
        return fail(make_error("sse_event_too_large",
                               "an event-stream event exceeds the limit of " +
                                   std::to_string(limits_.max_event_bytes) + " bytes"));
    }
    return ok_status();
}

// Spec, "Interpreting an event stream": blank line dispatches, ':' starts a comment, the
// field name runs to the first ':', and one space after it is dropped.
void SseParser::process_line(std::size_t content_end, std::vector<Item>& out) {
    const std::string_view line(pending_raw_.data() + line_start_, content_end - line_start_);
    completed_count_ += line.size() + 1;
    line_start_ = pending_raw_.size();

    if (line.empty()) {
        // A blank line with no field before it dispatches nothing; its bytes stay buffered
        // and are forwarded with the next item.
        if (in_event_) dispatch(out);
        return;
    }

    if (line.front() == ':') {
        std::string text = decoded(line.substr(1));
        if (in_event_) {
            comments_.push_back(std::move(text));
            return;
        }
        out.emplace_back(Comment{std::move(text), std::move(pending_raw_)});
        reset_buffer();
        return;
    }

    in_event_ = true;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
        process_field(line, {});
        return;
    }
    std::string_view value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    process_field(line.substr(0, colon), value);
}

void SseParser::process_field(std::string_view name, std::string_view value) {
    if (name == "event") {
        type_ = decoded(value);
    } else if (name == "data") {
        // Spec appends value and LF, then strips the final LF at dispatch; joining with LF
        // gives the same data without the trailing edit.
        if (has_data_) data_.push_back('\n');
        append_utf8_decoded(data_, value);
        has_data_ = true;
    } else if (name == "id") {
        if (value.find('\0') == std::string_view::npos) id_ = decoded(value);
    } else if (name == "retry") {
        if (auto retry = parse_retry(value)) retry_ = retry;
    }
    // Any other field name is ignored (spec: "Otherwise: The field is ignored").
}

void SseParser::dispatch(std::vector<Item>& out) {
    if (id_) last_event_id_ = *id_;
    if (retry_) retry_ms_ = retry_;

    Event event;
    if (!type_.empty()) event.type = std::move(type_);
    event.data = std::move(data_);
    event.has_data = has_data_;
    event.id = std::move(id_);
    event.last_event_id = last_event_id_;
    event.retry = retry_;
    event.comments = std::move(comments_);
    event.raw = std::move(pending_raw_);
    out.emplace_back(std::move(event));

    in_event_ = false;
    type_.clear();
    data_.clear();
    has_data_ = false;
    id_.reset();
    retry_.reset();
    comments_.clear();
    reset_buffer();
}

void SseParser::reset_buffer() {
    pending_raw_.clear();
    line_start_ = 0;
    completed_count_ = 0;
}

Status SseParser::fail(Error error) {
    error_ = error;
    // Release what was buffered: a failed stream is never read again.
    pending_raw_ = std::string();
    data_ = std::string();
    comments_ = {};
    line_start_ = 0;
    completed_count_ = 0;
    return error;
}

}  // namespace kars::router::sse
