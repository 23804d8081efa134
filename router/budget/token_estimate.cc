// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/budget/token_estimate.h"

#include <algorithm>
#include <string_view>

#include <boost/json/serialize.hpp>

namespace kars::router::budget {
namespace {

// Bounded so that a hostile body nested as deep as the JSON parser allows cannot recurse
// further than this walk needs to.
constexpr int kMaxWalkDepth = 16;

std::uint64_t add(std::uint64_t a, std::uint64_t b) {
    std::uint64_t out = 0;
    return __builtin_add_overflow(a, b, &out) ? UINT64_MAX : out;
}

// Bytes of text in a content value: a string, or an array of parts / blocks whose "text"
// (or nested "content") carries the words.
std::uint64_t text_bytes(const boost::json::value& v, int depth) {
    if (depth > kMaxWalkDepth) return 0;
    if (const auto* s = v.if_string()) return s->size();
    std::uint64_t total = 0;
    if (const auto* arr = v.if_array()) {
        for (const auto& part : *arr) total = add(total, text_bytes(part, depth + 1));
    } else if (const auto* obj = v.if_object()) {
        for (std::string_view key : {"text", "content", "input", "arguments"}) {
            if (const auto* f = obj->if_contains(key))
                total = add(total, text_bytes(*f, depth + 1));
        }
    }
    return total;
}

constexpr std::string_view kLimitFields[] = {"max_completion_tokens", "max_tokens",
                                             "max_output_tokens"};

std::optional<std::uint64_t> non_negative(const boost::json::value& v) {
    if (v.is_uint64()) return v.get_uint64();
    if (v.is_int64() && v.get_int64() >= 0) return static_cast<std::uint64_t>(v.get_int64());
    return std::nullopt;
}

std::uint64_t requested_completion(const boost::json::object& req) {
    std::optional<std::uint64_t> largest;
    for (auto key : kLimitFields) {
        const auto* v = req.if_contains(key);
        if (v == nullptr) continue;
        // sizing_problem() turns other types away first; here they count as unbounded.
        auto n = non_negative(*v);
        if (!n && !v->is_null()) return UINT64_MAX;
        if (n) largest = std::max(largest.value_or(0), *n);
    }
    std::uint64_t completion = largest.value_or(kDefaultCompletionTokens);
    if (const auto* n = req.if_contains("n")) {
        auto choices = non_negative(*n);
        if (choices && *choices > 1) {
            return completion > UINT64_MAX / *choices ? UINT64_MAX : completion * *choices;
        }
    }
    return completion;
}

std::uint64_t item_count(const boost::json::value* v) {
    if (v == nullptr) return 0;
    if (const auto* arr = v->if_array()) return arr->size();
    return 1;
}

}  // namespace

std::optional<std::string> sizing_problem(const boost::json::value& request) {
    const auto* req = request.if_object();
    if (req == nullptr) return std::nullopt;
    for (auto key : kLimitFields) {
        const auto* v = req->if_contains(key);
        if (v != nullptr && !v->is_null() && !non_negative(*v)) {
            return "'" + std::string(key) + "' must be a non-negative integer";
        }
    }
    if (const auto* v = req->if_contains("n"); v != nullptr && !v->is_null()) {
        auto n = non_negative(*v);
        if (!n || *n < 1 || *n > kMaxChoices) {
            return "'n' must be an integer from 1 to " + std::to_string(kMaxChoices);
        }
    }
    return std::nullopt;
}

std::uint64_t estimate_request_tokens(const boost::json::value& request) {
    const auto* req = request.if_object();
    if (req == nullptr) return add(kRequestOverhead, kDefaultCompletionTokens);

    std::uint64_t bytes = 0;
    std::uint64_t items = 0;
    for (std::string_view key : {"messages", "input", "system", "prompt", "instructions"}) {
        const auto* v = req->if_contains(key);
        if (v == nullptr) continue;
        bytes = add(bytes, text_bytes(*v, 0));
        items = add(items, item_count(v));
    }
    // Tool schemas are sent to the model as text too.
    if (const auto* tools = req->if_contains("tools")) {
        bytes = add(bytes, boost::json::serialize(*tools).size());
    }

    std::uint64_t prompt = bytes / kBytesPerToken + (bytes % kBytesPerToken != 0 ? 1 : 0);
    prompt = add(prompt, items > UINT64_MAX / kPerMessageOverhead ? UINT64_MAX
                                                                  : items * kPerMessageOverhead);
    prompt = add(prompt, kRequestOverhead);
    return add(prompt, requested_completion(*req));
}

}  // namespace kars::router::budget
