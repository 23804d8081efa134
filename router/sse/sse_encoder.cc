// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/sse/sse_encoder.h"

namespace kars::router::sse {
namespace {

bool has_line_break(std::string_view s) {
    return s.find_first_of("\r\n") != s.npos;
}

// Appends `prefix` + line + LF for each line of `text`, splitting on CRLF, CR and LF the
// way the parser does, so every byte of `text` lands in some line.
void append_lines(std::string& out, std::string_view prefix, std::string_view text) {
    while (true) {
        const std::size_t end = text.find_first_of("\r\n");
        out.append(prefix);
        out.append(text.substr(0, end));
        out.push_back('\n');
        if (end == std::string_view::npos) return;
        const std::size_t skip = text.compare(end, 2, "\r\n") == 0 ? 2 : 1;
        text.remove_prefix(end + skip);
    }
}

}  // namespace

Result<std::string> encode_event(const Event& event) {
    if (has_line_break(event.type)) {
        return make_error("sse_unencodable", "an event type cannot contain a line break");
    }
    if (event.id && (has_line_break(*event.id) || event.id->find('\0') != std::string::npos)) {
        return make_error("sse_unencodable", "an event id cannot contain a line break or NUL");
    }

    // Every value is written after ": " so that a value starting with a space keeps it: the
    // parser drops exactly one space after the colon.
    std::string out;
    if (!event.type.empty() && event.type != "message") {
        out.append("event: ").append(event.type).push_back('\n');
    }
    if (event.id) out.append("id: ").append(*event.id).push_back('\n');
    if (event.retry) out.append("retry: ").append(std::to_string(*event.retry)).push_back('\n');
    if (event.has_data) append_lines(out, "data: ", event.data);
    out.push_back('\n');
    return out;
}

std::string encode_comment(std::string_view text) {
    std::string out;
    append_lines(out, ":", text);
    return out;
}

std::string encode_error_event(std::string_view json_body) {
    std::string out = "event: error\n";
    append_lines(out, "data: ", json_body);
    out.push_back('\n');
    return out;
}

}  // namespace kars::router::sse
