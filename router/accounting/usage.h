// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Token usage as each API reports it, read into one shape for budgets, metrics and audit.

#include <cstdint>
#include <optional>

#include <boost/json/value.hpp>

namespace kars::router::accounting {

struct Usage {
    std::optional<std::int64_t> input;
    std::optional<std::int64_t> output;

    bool any() const { return input.has_value() || output.has_value(); }
    std::int64_t total() const { return input.value_or(0) + output.value_or(0); }
    // Fills fields that are still unknown from `other` (Anthropic streams report input
    // tokens in message_start and output tokens in message_delta).
    void merge(const Usage& other);
};

// Reads `usage` from a chat completion or chunk (prompt_tokens/completion_tokens), a
// Responses object or event (usage or response.usage with input_tokens/output_tokens), or an
// Anthropic message or event (usage or message.usage). Negative or non-integer counts are
// ignored rather than trusted.
Usage read_usage(const boost::json::value& body);

}  // namespace kars::router::accounting
