// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// Fuzzes SseParser with random bytes and random read boundaries. Beyond "no crash", it checks
// the properties the router relies on and aborts when one fails:
//   - split invariance: the same items, errors and truncation whether the input arrives in
//     one read or in many (HTML 9.2.6 parsing is defined on the stream, not on reads);
//   - raw faithfulness: the items' raw bytes are exactly a prefix of the input;
//   - encoder round trip: every parsed event encodes and parses back to the same event.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "router/sse/sse_encoder.h"
#include "router/sse/sse_parser.h"

namespace {

using kars::router::sse::Comment;
using kars::router::sse::Event;
using kars::router::sse::Item;
using kars::router::sse::Limits;
using kars::router::sse::SseParser;

struct Run {
    std::vector<Item> items;
    std::string feed_error;
    std::string finish_error;
};

Run parse(const std::vector<std::string_view>& chunks, Limits limits) {
    SseParser parser(limits);
    Run run;
    for (const auto chunk : chunks) {
        if (auto s = parser.feed(chunk, run.items); !s.ok()) {
            run.feed_error = s.error().code;
            break;
        }
    }
    if (auto s = parser.finish(); !s.ok()) run.finish_error = s.error().code;
    return run;
}

std::string describe(const Item& item) {
    if (const auto* c = std::get_if<Comment>(&item)) return "C" + c->text;
    const auto& e = std::get<Event>(item);
    std::string out = "E" + e.type + '\0' + e.data + '\0' + (e.has_data ? "1" : "0") + '\0' +
                      (e.id ? "i" + *e.id : "-") + '\0' + e.last_event_id + '\0' +
                      (e.retry ? std::to_string(*e.retry) : "-");
    for (const auto& c : e.comments) out += '\0' + c;
    return out;
}

std::string concat_raw(const Run& run) {
    std::string out;
    for (const auto& item : run.items) out.append(kars::router::sse::raw_bytes(item));
    return out;
}

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "sse_parser_fuzz: property violated: %s\n", what);
    std::abort();
}

void check_round_trip(const Event& event) {
    const bool observable = event.has_data || event.id || event.retry || event.type != "message";
    const auto encoded = kars::router::sse::encode_event(event);
    if (!encoded.ok()) fail("a parsed event could not be encoded");
    const Run back = parse({*encoded}, Limits{});
    if (!back.feed_error.empty() || !back.finish_error.empty()) fail("encoded event is invalid");
    if (!observable) {
        if (!back.items.empty()) fail("an empty event encoded to something");
        return;
    }
    if (back.items.size() != 1) fail("encoded event did not parse back as one item");
    const auto* e = std::get_if<Event>(&back.items[0]);
    if (e == nullptr || e->type != event.type || e->data != event.data ||
        e->has_data != event.has_data || e->id != event.id || e->retry != event.retry) {
        fail("encoded event parsed back differently");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider provider(data, size);
    Limits limits;
    if (provider.ConsumeBool()) {
        limits.max_line_bytes = provider.ConsumeIntegralInRange<std::size_t>(0, 300);
        limits.max_event_bytes = provider.ConsumeIntegralInRange<std::size_t>(0, 1200);
    }
    std::minstd_rand rng(provider.ConsumeIntegral<std::uint32_t>());
    const std::string input = provider.ConsumeRemainingBytesAsString();

    const Run whole = parse({input}, limits);

    std::vector<std::string_view> chunks;
    std::string_view rest = input;
    while (!rest.empty()) {
        const std::size_t max_len = rng() % 4 == 0 ? 64 : 3;
        const std::size_t len = std::min<std::size_t>(rest.size(), rng() % (max_len + 1));
        chunks.push_back(rest.substr(0, len));
        rest.remove_prefix(len);
    }
    const Run split = parse(chunks, limits);

    if (whole.items.size() != split.items.size()) fail("item count depends on read splits");
    for (std::size_t i = 0; i < whole.items.size(); ++i) {
        if (describe(whole.items[i]) != describe(split.items[i])) {
            fail("item content depends on read splits");
        }
    }
    if (whole.feed_error != split.feed_error) fail("limit error depends on read splits");
    if (whole.finish_error != split.finish_error) fail("truncation depends on read splits");

    const std::string whole_raw = concat_raw(whole);
    const std::string split_raw = concat_raw(split);
    if (input.compare(0, whole_raw.size(), whole_raw) != 0) fail("raw is not the input");
    if (input.compare(0, split_raw.size(), split_raw) != 0) fail("split raw is not the input");
    // Only a CRLF cut between its CR and LF may leave that LF pending after the last item.
    if (whole_raw.size() < split_raw.size() || whole_raw.size() - split_raw.size() > 1) {
        fail("raw length depends on read splits");
    }

    for (const auto& item : whole.items) {
        if (const auto* e = std::get_if<Event>(&item)) check_round_trip(*e);
    }
    return 0;
}
