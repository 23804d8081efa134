// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/tools/proposed_tools.h"

#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/json/parse.h"

namespace kars::router::tools {

namespace {

std::string chat_call_name(const boost::json::value& call) {
    auto type = json::string_field(call, "type");
    std::string t = type ? std::string(*type) : "function";
    if (const auto* inner = json::find_field(call, t)) {
        if (auto name = json::string_field(*inner, "name")) return std::string(*name);
    }
    return {};
}

std::string name_field(const boost::json::value& v) {
    return std::string(json::string_field(v, "name").value_or(""));
}

void append_text(boost::json::object& message, const std::string& text) {
    auto* content = message.if_contains("content");
    if (content && content->is_string() && !content->as_string().empty()) {
        std::string joined(content->as_string());
        joined += "\n";
        joined += text;
        *content = joined;
    } else {
        message["content"] = text;
    }
}

ProposedReport gate_chat(boost::json::object& response, const ToolCheck& check) {
    ProposedReport report;
    auto* choices = response.if_contains("choices");
    if (!choices || !choices->is_array()) return report;
    for (auto& choice_value : choices->as_array()) {
        if (!choice_value.is_object()) continue;
        auto& choice = choice_value.as_object();
        auto* message_value = choice.if_contains("message");
        if (!message_value || !message_value->is_object()) continue;
        auto& message = message_value->as_object();
        std::size_t kept_here = 0;
        std::size_t refused_here = 0;
        if (auto* calls = message.if_contains("tool_calls"); calls && calls->is_array()) {
            boost::json::array kept;
            // Refusals are added to the message only after `calls` is done with: adding a
            // "content" member may move the message's members, and `calls` points into them.
            std::vector<std::string> refusals;
            for (auto& call : calls->as_array()) {
                std::string name = chat_call_name(call);
                auto verdict = judge_proposed(name, check);
                if (verdict.allowed) {
                    kept.push_back(std::move(call));
                    continue;
                }
                refusals.push_back(refusal_text(name, verdict.reason));
            }
            kept_here = kept.size();
            refused_here = refusals.size();
            if (kept.empty()) {
                message.erase("tool_calls");
            } else {
                *calls = std::move(kept);
            }
            for (const auto& text : refusals) append_text(message, text);
        }
        if (auto* legacy = message.if_contains("function_call"); legacy && legacy->is_object()) {
            std::string n = name_field(*legacy);
            auto verdict = judge_proposed(n, check);
            if (verdict.allowed) {
                ++kept_here;
            } else {
                message.erase("function_call");
                append_text(message, refusal_text(n, verdict.reason));
                ++refused_here;
            }
        }
        report.allowed += kept_here;
        report.refused += refused_here;
        if (refused_here > 0 && kept_here == 0) {
            auto reason = json::string_field(choice_value, "finish_reason");
            if (reason && (*reason == "tool_calls" || *reason == "function_call")) {
                choice["finish_reason"] = "stop";
            }
        }
    }
    return report;
}

ProposedReport gate_messages(boost::json::object& response, const ToolCheck& check) {
    ProposedReport report;
    auto* content = response.if_contains("content");
    if (!content || !content->is_array()) return report;
    for (auto& block : content->as_array()) {
        auto type = json::string_field(block, "type");
        if (!type || *type != "tool_use") continue;
        std::string n = name_field(block);
        auto verdict = judge_proposed(n, check);
        if (verdict.allowed) {
            ++report.allowed;
            continue;
        }
        ++report.refused;
        boost::json::object text;
        text["type"] = "text";
        text["text"] = refusal_text(n, verdict.reason);
        block = std::move(text);
    }
    if (report.refused > 0 && report.allowed == 0) {
        auto reason = json::string_field(response, "stop_reason");
        if (reason && *reason == "tool_use") response["stop_reason"] = "end_turn";
    }
    return report;
}

ProposedReport gate_responses(boost::json::object& response, const ToolCheck& check) {
    ProposedReport report;
    auto* output = response.if_contains("output");
    if (!output || !output->is_array()) return report;
    for (auto& item : output->as_array()) {
        auto type = json::string_field(item, "type");
        if (!type || (*type != "function_call" && *type != "custom_tool_call")) continue;
        std::string n = name_field(item);
        auto verdict = judge_proposed(n, check);
        if (verdict.allowed) {
            ++report.allowed;
            continue;
        }
        ++report.refused;
        auto id = json::string_field(item, "id");
        item = refusal_message_item(id ? *id : std::string_view("msg_kars_refusal"),
                                    refusal_text(n, verdict.reason));
    }
    return report;
}

}  // namespace

boost::json::object refusal_message_item(std::string_view id, std::string_view text) {
    boost::json::object part;
    part["type"] = "output_text";
    part["text"] = text;
    part["annotations"] = boost::json::array();
    boost::json::object item;
    item["type"] = "message";
    item["id"] = id;
    item["status"] = "completed";
    item["role"] = "assistant";
    item["content"] = boost::json::array{std::move(part)};
    return item;
}

ProposedReport gate_proposed_tools(boost::json::value& response, Dialect dialect,
                                   const ToolCheck& check) {
    if (!response.is_object()) return {};
    switch (dialect) {
        case Dialect::kChat:
            return gate_chat(response.as_object(), check);
        case Dialect::kMessages:
            return gate_messages(response.as_object(), check);
        case Dialect::kResponses:
            return gate_responses(response.as_object(), check);
    }
    return {};
}

}  // namespace kars::router::tools
