// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Writes events back to text/event-stream bytes: for events the router synthesises (an
// in-band `event: error`) or rewrites. Unchanged events are forwarded from Event::raw.

#include <string>
#include <string_view>

#include "core/result.h"
#include "router/sse/sse_event.h"

namespace kars::router::sse {

// Writes `event` as one block with LF line ends: `event:` (omitted for "message"), `id:`,
// `retry:`, one `data:` line per line of `data`, then the blank line. SseParser reads the
// result back as an event with the same type, data, has_data, id and retry. `comments` and
// `raw` are not written; an event with no data, id or retry encodes to a lone blank line,
// which dispatches nothing. A CR, LF or CRLF inside `data` starts a new data line, since no
// SSE line can carry one. Errors with "sse_unencodable" when `type` or `id` contains CR or
// LF, or `id` contains NUL: written out they would inject fields or be dropped by clients.
Result<std::string> encode_event(const Event& event);

// Writes `text` as comment lines (':' + line), one per line of `text`; for keepalives.
std::string encode_comment(std::string_view text);

// Writes the in-band error frame `event: error` with `json_body` as data, the shape
// Anthropic streams use and OpenAI SDKs surface as an error.
std::string encode_error_event(std::string_view json_body);

}  // namespace kars::router::sse
