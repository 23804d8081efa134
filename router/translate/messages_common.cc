// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/translate/messages_common.h"

#include "core/json/parse.h"

namespace kars::router::translate {

std::string_view stop_reason_for(std::string_view finish_reason) {
    if (finish_reason == "length") return "max_tokens";
    if (finish_reason == "tool_calls" || finish_reason == "function_call") return "tool_use";
    if (finish_reason == "content_filter") return "refusal";
    return "end_turn";
}

std::string message_id_for(std::string_view chat_id) {
    if (chat_id.empty()) return "msg_kars_unknown";
    return "msg_" + std::string(chat_id);
}

boost::json::object tool_input_from_arguments(std::string_view arguments) {
    bool blank = true;
    for (char c : arguments) {
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') blank = false;
    }
    if (blank) return {};
    auto parsed = json::parse(arguments);
    if (parsed && parsed->is_object()) return std::move(parsed->get_object());
    boost::json::object raw;
    raw["_raw"] = arguments;
    return raw;
}

TokenUsage usage_from_chat(const boost::json::value& usage) {
    TokenUsage out;
    auto prompt = json::int_field(usage, "prompt_tokens");
    out.output_tokens = json::int_field(usage, "completion_tokens");
    if (const auto* details = json::find_field(usage, "prompt_tokens_details")) {
        out.cache_read_input_tokens = json::int_field(*details, "cached_tokens");
    }
    if (prompt) {
        std::int64_t cached = out.cache_read_input_tokens.value_or(0);
        out.input_tokens = cached >= 0 && cached <= *prompt ? *prompt - cached : *prompt;
    }
    return out;
}

boost::json::object anthropic_usage(const TokenUsage& usage) {
    boost::json::object out;
    out["input_tokens"] = usage.input_tokens.value_or(0);
    out["output_tokens"] = usage.output_tokens.value_or(0);
    if (usage.cache_read_input_tokens) {
        out["cache_read_input_tokens"] = *usage.cache_read_input_tokens;
    }
    return out;
}

std::string_view anthropic_error_type_for(const boost::json::value& openai_error) {
    auto type = json::string_field(openai_error, "type").value_or("");
    auto code = json::string_field(openai_error, "code").value_or("");
    if (type == "invalid_request_error") return "invalid_request_error";
    if (type == "rate_limit_exceeded" || code == "rate_limit_exceeded" ||
        type == "insufficient_quota") {
        return "rate_limit_error";
    }
    if (type == "authentication_error") return "authentication_error";
    return "api_error";
}

std::string openai_error_message(const boost::json::value& openai_error) {
    auto message = json::string_field(openai_error, "message");
    if (message && !message->empty()) return std::string(*message);
    return "upstream reported an error";
}

}  // namespace kars::router::translate
