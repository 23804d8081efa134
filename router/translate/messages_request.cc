// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/translate/messages_request.h"

#include <algorithm>
#include <array>
#include <string>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/url/parse.hpp>

#include "core/json/parse.h"

namespace kars::router::translate {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

constexpr std::string_view kToolErrorPrefix = "[tool error] ";

// The image media types the Messages API accepts for base64 sources.
constexpr std::array<std::string_view, 4> kImageMediaTypes = {"image/jpeg", "image/png",
                                                              "image/gif", "image/webp"};

Error invalid(std::string message) {
    return make_error("invalid_request_error", std::move(message));
}

Error unsupported_block(std::string_view type, std::string_view where) {
    return invalid("content block type '" + std::string(type) + "' in " + std::string(where) +
                   " is not supported when the upstream speaks OpenAI chat completions");
}

std::string_view block_type(const value& block) {
    return json::string_field(block, "type").value_or("");
}

// Text of a string or an array of text blocks (system prompt, tool_result content).
Result<std::string> text_of(const value& content, std::string_view where) {
    if (const auto* s = content.if_string()) return std::string(*s);
    const auto* blocks = content.if_array();
    if (blocks == nullptr) return invalid(std::string(where) + " must be a string or an array");
    std::string out;
    for (const auto& block : *blocks) {
        if (block_type(block) != "text") return unsupported_block(block_type(block), where);
        auto text = json::string_field(block, "text");
        if (!text) return invalid("text block in " + std::string(where) + " needs \"text\"");
        if (!out.empty()) out += '\n';
        out += *text;
    }
    return out;
}

Result<object> image_part(const value& block) {
    const auto* source = json::find_field(block, "source");
    auto source_type = source ? json::string_field(*source, "type") : std::nullopt;
    std::string url;
    if (source_type == "base64") {
        auto media = json::string_field(*source, "media_type").value_or("");
        auto data = json::string_field(*source, "data").value_or("");
        if (std::find(kImageMediaTypes.begin(), kImageMediaTypes.end(), media) ==
            kImageMediaTypes.end()) {
            return invalid(
                "image media_type must be image/jpeg, image/png, image/gif or "
                "image/webp");
        }
        if (data.empty()) return invalid("base64 image source needs \"data\"");
        url = "data:" + std::string(media) + ";base64," + std::string(data);
    } else if (source_type == "url") {
        auto raw = json::string_field(*source, "url").value_or("");
        auto parsed = boost::urls::parse_absolute_uri(raw);
        if (!parsed || (parsed->scheme_id() != boost::urls::scheme::https &&
                        parsed->scheme_id() != boost::urls::scheme::http)) {
            return invalid("image url source needs an absolute http(s) \"url\"");
        }
        url = std::string(raw);
    } else {
        return invalid("image source type must be \"base64\" or \"url\"");
    }
    object image_url;
    image_url["url"] = std::move(url);
    object part;
    part["type"] = "image_url";
    part["image_url"] = std::move(image_url);
    return part;
}

Result<object> tool_message(const value& block) {
    auto id = json::string_field(block, "tool_use_id");
    if (!id || id->empty()) return invalid("tool_result block needs \"tool_use_id\"");
    std::string text;
    if (const auto* content = json::find_field(block, "content")) {
        auto t = text_of(*content, "tool_result content");
        if (!t) return t.error();
        text = std::move(*t);
    }
    if (json::bool_field(block, "is_error").value_or(false)) {
        text = std::string(kToolErrorPrefix) + text;
    }
    object msg;
    msg["role"] = "tool";
    msg["tool_call_id"] = *id;
    msg["content"] = std::move(text);
    return msg;
}

Status append_user(const value& content, array& out) {
    if (const auto* s = content.if_string()) {
        out.push_back(object{{"role", "user"}, {"content", *s}});
        return ok_status();
    }
    array parts;
    for (const auto& block : content.get_array()) {
        std::string_view type = block_type(block);
        if (type == "text") {
            auto text = json::string_field(block, "text");
            if (!text) return invalid("text block needs \"text\"");
            parts.push_back(object{{"type", "text"}, {"text", *text}});
        } else if (type == "image") {
            auto part = image_part(block);
            if (!part) return part.error();
            parts.push_back(std::move(*part));
        } else if (type == "tool_result") {
            auto msg = tool_message(block);
            if (!msg) return msg.error();
            out.push_back(std::move(*msg));
        } else {
            return unsupported_block(type, "a user message");
        }
    }
    if (parts.empty()) return ok_status();
    object msg;
    msg["role"] = "user";
    // A single text part is sent as a plain string: the widest-supported form on
    // OpenAI-compatible servers.
    if (parts.size() == 1 && block_type(parts[0]) == "text") {
        msg["content"] = parts[0].at("text");
    } else {
        msg["content"] = std::move(parts);
    }
    out.push_back(std::move(msg));
    return ok_status();
}

Status append_assistant(const value& content, array& out) {
    object msg;
    msg["role"] = "assistant";
    if (const auto* s = content.if_string()) {
        msg["content"] = *s;
        out.push_back(std::move(msg));
        return ok_status();
    }
    std::string text;
    bool has_text = false;
    array calls;
    for (const auto& block : content.get_array()) {
        std::string_view type = block_type(block);
        if (type == "text") {
            auto t = json::string_field(block, "text");
            if (!t) return invalid("text block needs \"text\"");
            text += *t;
            has_text = true;
        } else if (type == "tool_use") {
            auto id = json::string_field(block, "id");
            auto name = json::string_field(block, "name");
            if (!id || !name) return invalid("tool_use block needs \"id\" and \"name\"");
            const auto* input = json::find_field(block, "input");
            object function;
            function["name"] = *name;
            function["arguments"] = input ? json::to_string(*input) : std::string("{}");
            calls.push_back(
                object{{"id", *id}, {"type", "function"}, {"function", std::move(function)}});
        } else {
            return unsupported_block(type, "an assistant message");
        }
    }
    // OpenAI allows null content on an assistant turn that only calls tools.
    if (has_text) {
        msg["content"] = std::move(text);
    } else {
        msg["content"] = calls.empty() ? value("") : value(nullptr);
    }
    if (!calls.empty()) msg["tool_calls"] = std::move(calls);
    out.push_back(std::move(msg));
    return ok_status();
}

Result<array> translate_messages(const value& request) {
    array out;
    if (const auto* system = json::find_field(request, "system")) {
        auto text = text_of(*system, "system");
        if (!text) return text.error();
        out.push_back(object{{"role", "system"}, {"content", std::move(*text)}});
    }
    const auto* messages = json::find_field(request, "messages");
    if (messages == nullptr || !messages->is_array())
        return invalid("\"messages\" must be an array");
    for (const auto& message : messages->get_array()) {
        auto role = json::string_field(message, "role");
        const auto* content = json::find_field(message, "content");
        if (content == nullptr || !(content->is_string() || content->is_array())) {
            return invalid("message content must be a string or an array of blocks");
        }
        Status status = ok_status();
        if (role == "user") {
            status = append_user(*content, out);
        } else if (role == "assistant") {
            status = append_assistant(*content, out);
        } else {
            return invalid("message role must be \"user\" or \"assistant\"");
        }
        if (!status) return status.error();
    }
    return out;
}

Result<array> translate_tools(const value& tools) {
    if (!tools.is_array()) return invalid("\"tools\" must be an array");
    array out;
    for (const auto& tool : tools.get_array()) {
        // Server tools (web_search_*, bash_*, text_editor_*, ...) carry a versioned type and
        // run on Anthropic's side; an OpenAI upstream cannot execute them.
        auto type = json::string_field(tool, "type");
        if (type && *type != "custom") {
            return invalid("tool type '" + std::string(*type) +
                           "' is not supported when the "
                           "upstream speaks OpenAI chat completions");
        }
        auto name = json::string_field(tool, "name");
        const auto* schema = json::find_field(tool, "input_schema");
        if (!name || name->empty() || schema == nullptr || !schema->is_object()) {
            return invalid("each tool needs \"name\" and an object \"input_schema\"");
        }
        object function;
        function["name"] = *name;
        if (auto description = json::string_field(tool, "description")) {
            function["description"] = *description;
        }
        function["parameters"] = *schema;
        out.push_back(object{{"type", "function"}, {"function", std::move(function)}});
    }
    return out;
}

// Applies tool_choice: auto -> "auto", any -> "required", tool -> named function,
// none -> "none" (Anthropic "tool_choice" documentation).
Status apply_tool_choice(const value& choice, bool has_tools, object& out) {
    auto type = json::string_field(choice, "type");
    if (type == "auto") {
        out["tool_choice"] = "auto";
    } else if (type == "any") {
        out["tool_choice"] = "required";
    } else if (type == "none") {
        out["tool_choice"] = "none";
        return ok_status();
    } else if (type == "tool") {
        auto name = json::string_field(choice, "name");
        if (!name || name->empty()) return invalid("tool_choice of type tool needs \"name\"");
        out["tool_choice"] = object{{"type", "function"}, {"function", object{{"name", *name}}}};
    } else {
        return invalid("tool_choice type must be auto, any, tool or none");
    }
    if (has_tools && json::bool_field(choice, "disable_parallel_tool_use").value_or(false)) {
        out["parallel_tool_calls"] = false;
    }
    return ok_status();
}

Status apply_sampling(const value& request, const MessagesRequestOptions& options, object& out) {
    auto max_tokens = json::int_field(request, "max_tokens");
    if (!max_tokens || *max_tokens < 1) return invalid("\"max_tokens\" must be a positive integer");
    out[options.use_max_completion_tokens ? "max_completion_tokens" : "max_tokens"] = *max_tokens;

    for (std::string_view key : {"temperature", "top_p"}) {
        if (const auto* v = json::find_field(request, key)) {
            if (!v->is_number()) return invalid("\"" + std::string(key) + "\" must be a number");
            out[key] = *v;
        }
    }
    if (const auto* stops = json::find_field(request, "stop_sequences")) {
        if (!stops->is_array()) return invalid("\"stop_sequences\" must be an array");
        for (const auto& s : stops->get_array()) {
            if (!s.is_string()) return invalid("\"stop_sequences\" must hold strings");
        }
        if (!stops->get_array().empty()) out["stop"] = *stops;
    }
    return ok_status();
}

}  // namespace

Result<boost::json::value> messages_to_chat_request(const boost::json::value& request,
                                                    const MessagesRequestOptions& options) {
    if (!request.is_object()) return invalid("request body must be a JSON object");
    auto model = json::string_field(request, "model");
    if (!model || model->empty()) return invalid("\"model\" must be a non-empty string");

    object out;
    out["model"] = *model;
    auto messages = translate_messages(request);
    if (!messages) return messages.error();
    out["messages"] = std::move(*messages);

    if (auto status = apply_sampling(request, options, out); !status) return status.error();

    bool has_tools = false;
    if (const auto* tools = json::find_field(request, "tools")) {
        auto translated = translate_tools(*tools);
        if (!translated) return translated.error();
        has_tools = !translated->empty();
        if (has_tools) out["tools"] = std::move(*translated);
    }
    if (const auto* choice = json::find_field(request, "tool_choice")) {
        if (auto status = apply_tool_choice(*choice, has_tools, out); !status) {
            return status.error();
        }
    }
    if (json::bool_field(request, "stream").value_or(false)) {
        // Usage arrives only in the final chunk and only when asked for; the stream
        // translator needs it for message_delta.usage.
        out["stream"] = true;
        out["stream_options"] = object{{"include_usage", true}};
    }
    if (const auto* metadata = json::find_field(request, "metadata")) {
        if (auto user = json::string_field(*metadata, "user_id")) out["user"] = *user;
    }
    return value(std::move(out));
}

}  // namespace kars::router::translate
