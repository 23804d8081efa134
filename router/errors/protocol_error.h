// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Error bodies in each client protocol's own shape, so an SDK surfaces the router's reason
// exactly as it would surface the provider's.

#include <string>
#include <string_view>

namespace kars::router {

enum class Protocol { kOpenAI, kAnthropic };

// {"error":{"message":..,"type":..,"code":..}} — `code` is omitted when empty.
std::string openai_error_body(std::string_view message, std::string_view type,
                              std::string_view code = {});

// {"type":"error","error":{"type":..,"message":..}}
std::string anthropic_error_body(std::string_view message, std::string_view type);

// Maps an HTTP status to the Anthropic error type its SDK expects for that status.
std::string_view anthropic_error_type_for_status(int status);

// Picks the body shape for `protocol`. `openai_type` is used as-is for OpenAI; Anthropic
// derives its type from `status`.
std::string error_body(Protocol protocol, int status, std::string_view message,
                       std::string_view openai_type, std::string_view code = {});

}  // namespace kars::router
