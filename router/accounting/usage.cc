// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/accounting/usage.h"

#include "core/json/parse.h"

namespace kars::router::accounting {

namespace {

std::optional<std::int64_t> count(const boost::json::value& usage, const char* key) {
    auto v = json::int_field(usage, key);
    if (v && *v >= 0) return v;
    return std::nullopt;
}

Usage from_usage_object(const boost::json::value& usage) {
    Usage u;
    u.input = count(usage, "prompt_tokens");
    u.output = count(usage, "completion_tokens");
    if (!u.input) u.input = count(usage, "input_tokens");
    if (!u.output) u.output = count(usage, "output_tokens");
    return u;
}

}  // namespace

void Usage::merge(const Usage& other) {
    if (!input) input = other.input;
    if (!output) output = other.output;
}

Usage read_usage(const boost::json::value& body) {
    if (const auto* usage = json::find_field(body, "usage"); usage && usage->is_object()) {
        return from_usage_object(*usage);
    }
    for (const char* wrapper : {"response", "message"}) {
        if (const auto* inner = json::find_field(body, wrapper)) {
            if (const auto* usage = json::find_field(*inner, "usage");
                usage && usage->is_object()) {
                return from_usage_object(*usage);
            }
        }
    }
    return {};
}

}  // namespace kars::router::accounting
