// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Recorded model exchanges (JSON lines), served by the `replay` provider so that a developer
// works offline and an evaluation is reproduced byte for byte. One line per exchange:
//   {"match": {"method","path","model","stream","body_contains":[...],"body_excludes":[...]},
//    "response": {"status", "headers": {...}, "body": <JSON or string>,
//                 "events": [{"event"?, "data", "delay_ms"?}, ...]}}
// A response has either `body` or `events` (a text/event-stream). docs/replay.md has the rest.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace kars::router::replay {

struct RecordedEvent {
    std::string event;  // SSE event name; empty = default "message"
    std::string data;
    std::chrono::milliseconds delay{0};  // pause before this event is sent
};

struct Exchange {
    // Matchers; empty means "any".
    std::string method;
    std::string path;
    std::string model;
    std::optional<bool> stream;
    std::vector<std::string> body_contains;
    std::vector<std::string> body_excludes;

    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;                   // used when events is empty
    std::vector<RecordedEvent> events;  // non-empty = streamed response
    bool truncated = false;             // replay a stream that dies before its end
};

class Cassette {
public:
    static Result<Cassette> load_file(const std::string& path);
    static Result<Cassette> parse(std::string_view jsonl, const std::string& source_name);

    // First exchange whose matchers all accept the request, or nullptr.
    const Exchange* match(std::string_view method, std::string_view path, std::string_view model,
                          bool stream, std::string_view body) const;

    std::size_t size() const { return exchanges_.size(); }

private:
    std::vector<Exchange> exchanges_;
};

// Serialises one exchange as a cassette line (used by record mode).
std::string to_line(const Exchange& exchange);

}  // namespace kars::router::replay
