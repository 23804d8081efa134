// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// An upper-bound guess of the tokens one request will consume, used to reserve budget
// before the upstream call (settle() later charges the real count from the response).
//
// Heuristic: completion = the largest of max_completion_tokens, max_tokens and
// max_output_tokens (Responses API) that is present, else kDefaultCompletionTokens, times
// `n` when several choices are asked for. Prompt = ceil(text bytes / 4) plus
// kPerMessageOverhead per message/input item and kRequestOverhead once; text is gathered
// from messages[].content, system, input, prompt, instructions and tools (serialised).
// Four bytes per token is the usual English average for BPE tokenizers; non-text parts
// (images, audio) are not counted, which is why settle() records the actual usage.

#include <cstdint>
#include <optional>
#include <string>

#include <boost/json/value.hpp>

namespace kars::router::budget {

inline constexpr std::uint64_t kDefaultCompletionTokens = 4096;
inline constexpr std::uint64_t kPerMessageOverhead = 4;
inline constexpr std::uint64_t kRequestOverhead = 3;
inline constexpr std::uint64_t kBytesPerToken = 4;

// Estimated prompt + completion tokens for an OpenAI (chat, responses, completions) or
// Anthropic (messages) request body. Never fails; non-object input estimates as overhead
// plus the default completion.
std::uint64_t estimate_request_tokens(const boost::json::value& request);

// Why the request's size fields cannot be trusted for the estimate, or nothing. The token
// limits must be non-negative integers and `n` an integer from 1 to kMaxChoices: a limit
// written as 1e5 or "100000" would otherwise be estimated at the default while an upstream
// that accepts it spends far more.
inline constexpr std::uint64_t kMaxChoices = 128;
std::optional<std::string> sizing_problem(const boost::json::value& request);

}  // namespace kars::router::budget
