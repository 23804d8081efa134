// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The units a text/event-stream is made of, as the router sees them: events it inspects and
// forwards, and comment lines it forwards as keepalives. Produced by SseParser
// (sse_parser.h), written back by the encoder (sse_encoder.h).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kars::router::sse {

// One block of field lines ended by a blank line (HTML, "Interpreting an event stream").
// Text fields are UTF-8 decoded with U+FFFD replacement, as a browser would see them; `raw`
// holds the undecoded bytes for forwarding.
struct Event {
    std::string type = "message";        // `event:` value; "message" when absent or empty
    std::string data;                    // `data:` values joined with '\n'
    bool has_data = false;               // false: no `data:` line, a browser dispatches nothing
    std::optional<std::string> id;       // this block's `id:` value (ignored if it holds NUL)
    std::string last_event_id;           // the stream's last event ID once this block is done
    std::optional<std::uint64_t> retry;  // this block's `retry:` value in ms (digits only)
    std::vector<std::string> comments;   // comment lines inside this block, text after ':'
    // Exact input bytes since the previous item up to and including this block's blank
    // line: a BOM, stray blank lines and the LF of a CRLF split across reads land in the
    // item that follows them, so concatenating every item's raw reproduces the input.
    std::string raw;
};

// A comment line (':' prefix) outside any event, typically a keepalive. Comment lines inside
// an event stay in that event (Event::comments and Event::raw) so ordering is preserved.
struct Comment {
    std::string text;  // everything after the ':', leading space kept
    std::string raw;   // exact input bytes since the previous item, including the line end
};

using Item = std::variant<Event, Comment>;

// The bytes to forward for `item` unchanged.
inline std::string_view raw_bytes(const Item& item) {
    return std::visit([](const auto& i) -> std::string_view { return i.raw; }, item);
}

// True when `data` is OpenAI's end-of-stream sentinel. Exact match: OpenAI and Azure send
// `data: [DONE]` with nothing around it, and a looser match could swallow a real payload.
inline bool is_done_marker(std::string_view data) {
    return data == "[DONE]";
}

}  // namespace kars::router::sse
