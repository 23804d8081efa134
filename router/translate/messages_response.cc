// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/translate/messages_response.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/json/parse.h"
#include "router/translate/messages_common.h"

namespace kars::router::translate {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

const value* first_choice(const value& completion) {
    const auto* choices = json::find_field(completion, "choices");
    if (choices == nullptr || !choices->is_array() || choices->get_array().empty()) return nullptr;
    const value& choice = choices->get_array()[0];
    return choice.is_object() ? &choice : nullptr;
}

bool block_is_tool(const value& block) {
    return json::string_field(block, "type") == std::optional<std::string_view>("tool_use");
}

array content_blocks(const value& message) {
    array content;
    // A refusal has no content; it is still the text the client should show.
    auto text = json::string_field(message, "content");
    if (!text || text->empty()) text = json::string_field(message, "refusal");
    if (text && !text->empty()) content.push_back(object{{"type", "text"}, {"text", *text}});

    const auto* calls = json::find_field(message, "tool_calls");
    if (calls == nullptr || !calls->is_array()) return content;
    std::size_t position = 0;
    for (const auto& call : calls->get_array()) {
        const auto* function = json::find_field(call, "function");
        if (function == nullptr) continue;
        auto id = json::string_field(call, "id");
        std::string tool_id =
            id && !id->empty() ? std::string(*id) : "toolu_kars_" + std::to_string(position);
        object block;
        block["type"] = "tool_use";
        block["id"] = std::move(tool_id);
        block["name"] = json::string_field(*function, "name").value_or("");
        block["input"] =
            tool_input_from_arguments(json::string_field(*function, "arguments").value_or(""));
        content.push_back(std::move(block));
        ++position;
    }
    return content;
}

}  // namespace

Result<boost::json::value> chat_to_messages_response(const boost::json::value& completion,
                                                     std::string_view requested_model) {
    if (const auto* error = json::find_field(completion, "error")) {
        return make_error(std::string(anthropic_error_type_for(*error)),
                          openai_error_message(*error));
    }
    const value* choice = first_choice(completion);
    const value* message = choice ? json::find_field(*choice, "message") : nullptr;
    if (message == nullptr || !message->is_object()) {
        return make_error("api_error", "upstream chat completion has no choices");
    }

    object out;
    out["id"] = message_id_for(json::string_field(completion, "id").value_or(""));
    out["type"] = "message";
    out["role"] = "assistant";
    out["model"] = json::string_field(completion, "model").value_or(requested_model);
    out["content"] = content_blocks(*message);

    auto finish = json::string_field(*choice, "finish_reason").value_or("stop");
    auto stop_reason = stop_reason_for(finish);
    // Some servers report "stop" even when they returned tool calls; the client decides what
    // to do next from stop_reason, so tool calls win.
    if (stop_reason == "end_turn" && json::find_field(*message, "tool_calls") != nullptr &&
        !out["content"].get_array().empty() && block_is_tool(out["content"].get_array().back())) {
        stop_reason = "tool_use";
    }
    out["stop_reason"] = stop_reason;
    out["stop_sequence"] = nullptr;

    const value* usage = json::find_field(completion, "usage");
    out["usage"] = anthropic_usage(usage ? usage_from_chat(*usage) : TokenUsage{});
    return value(std::move(out));
}

}  // namespace kars::router::translate
