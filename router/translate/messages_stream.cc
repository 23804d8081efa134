// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/translate/messages_stream.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/json/parse.h"

namespace kars::router::translate {
namespace {

using boost::json::object;
using boost::json::value;

constexpr std::string_view kTruncatedMessage = "upstream stream ended before completion";

SseEvent event(std::string_view name, object data) {
    data["type"] = name;
    return SseEvent{std::string(name), value(std::move(data))};
}

SseEvent block_stop(int index) {
    return event("content_block_stop", object{{"index", index}});
}

}  // namespace

SseEvent anthropic_error_event(std::string_view type, std::string_view message) {
    return event("error", object{{"error", object{{"type", type}, {"message", message}}}});
}

ChatToMessagesStream::ChatToMessagesStream(std::string requested_model)
    : requested_model_(std::move(requested_model)) {}

namespace {

bool names_message(const boost::json::value& chunk) {
    auto id = json::string_field(chunk, "id");
    const auto* choices = json::find_field(chunk, "choices");
    bool has_choices = choices && choices->is_array() && !choices->get_array().empty();
    return (id && !id->empty()) || has_choices;
}

}  // namespace

std::vector<SseEvent> ChatToMessagesStream::on_chunk(const boost::json::value& chunk) {
    Events out;
    if (terminal_ || !chunk.is_object()) return out;

    if (const auto* error = json::find_field(chunk, "error"); error && !error->is_null()) {
        out.push_back(
            anthropic_error_event(anthropic_error_type_for(*error), openai_error_message(*error)));
        terminal_ = true;
        return out;
    }
    // Azure sends an annotation-only chunk first (empty id, model and choices, carrying
    // prompt_filter_results); message_start waits for the first chunk that names the
    // message, so the client sees the real id and model.
    if (!started_ && !names_message(chunk)) return out;
    if (!started_) start(chunk, out);

    // With include_usage the usage arrives in a last chunk whose choices array is empty;
    // some servers attach it to the finish chunk instead. Either way the latest one wins.
    if (const auto* usage = json::find_field(chunk, "usage"); usage && usage->is_object()) {
        usage_ = usage_from_chat(*usage);
    }
    const auto* choices = json::find_field(chunk, "choices");
    if (choices == nullptr || !choices->is_array()) return out;
    for (const auto& choice : choices->get_array()) {
        if (json::int_field(choice, "index").value_or(0) == 0) {
            on_choice(choice, out);
            break;
        }
    }
    return out;
}

std::vector<SseEvent> ChatToMessagesStream::on_end() {
    Events out;
    if (terminal_) return out;
    terminal_ = true;
    if (!finish_seen_) {
        out.push_back(anthropic_error_event("api_error", kTruncatedMessage));
        return out;
    }

    std::string_view stop_reason = stop_reason_for(finish_reason_);
    // Some OpenAI-compatible servers finish a tool-calling turn with "stop"; the client
    // only runs tools when stop_reason says tool_use.
    if (stop_reason == "end_turn" && saw_tool_) stop_reason = "tool_use";

    object usage;
    usage["output_tokens"] = usage_.output_tokens.value_or(0);
    if (usage_.input_tokens) usage["input_tokens"] = *usage_.input_tokens;
    if (usage_.cache_read_input_tokens) {
        usage["cache_read_input_tokens"] = *usage_.cache_read_input_tokens;
    }
    object delta{{"stop_reason", stop_reason}, {"stop_sequence", nullptr}};
    out.push_back(
        event("message_delta", object{{"delta", std::move(delta)}, {"usage", std::move(usage)}}));
    out.push_back(event("message_stop", object{}));
    return out;
}

void ChatToMessagesStream::start(const boost::json::value& chunk, Events& out) {
    started_ = true;
    if (const auto* usage = json::find_field(chunk, "usage"); usage && usage->is_object()) {
        usage_ = usage_from_chat(*usage);
    }
    object usage{{"input_tokens", usage_.input_tokens.value_or(0)}, {"output_tokens", 0}};
    object message;
    message["id"] = message_id_for(json::string_field(chunk, "id").value_or(""));
    message["type"] = "message";
    message["role"] = "assistant";
    message["content"] = boost::json::array{};
    auto model = json::string_field(chunk, "model");
    message["model"] = model && !model->empty() ? *model : std::string_view(requested_model_);
    message["stop_reason"] = nullptr;
    message["stop_sequence"] = nullptr;
    message["usage"] = std::move(usage);
    out.push_back(event("message_start", object{{"message", std::move(message)}}));
}

void ChatToMessagesStream::on_choice(const boost::json::value& choice, Events& out) {
    if (finish_seen_) return;
    if (const auto* delta = json::find_field(choice, "delta")) {
        if (auto text = json::string_field(*delta, "content")) on_text(*text, out);
        if (auto refusal = json::string_field(*delta, "refusal")) on_text(*refusal, out);
        const auto* calls = json::find_field(*delta, "tool_calls");
        if (calls != nullptr && calls->is_array()) {
            std::int64_t position = 0;
            for (const auto& call : calls->get_array()) {
                if (call.is_object()) {
                    on_tool_delta(json::int_field(call, "index").value_or(position), call, out);
                }
                ++position;
            }
        }
    }
    if (auto reason = json::string_field(choice, "finish_reason")) on_finish(*reason, out);
}

void ChatToMessagesStream::on_text(std::string_view text, Events& out) {
    if (text.empty()) return;
    if (open_ && open_kind_ == BlockKind::kText) {
        emit_delta(text, out);
        return;
    }
    if (!open_ && !text_done_ && pending_.empty()) {
        open_text(out);
        emit_delta(text, out);
        return;
    }
    // Text after tool calls began: its own block, emitted at finish.
    if (pending_.empty() || pending_.back().kind != BlockKind::kText) {
        pending_.push_back(PendingBlock{BlockKind::kText, 0, {}});
    }
    pending_.back().payload += text;
}

void ChatToMessagesStream::on_tool_delta(std::int64_t index, const boost::json::value& call,
                                         Events& out) {
    saw_tool_ = true;
    auto [it, inserted] = tools_.try_emplace(index);
    ToolCall& tool = it->second;
    // id and name come whole in the first fragment (OpenAI streaming reference); servers that
    // repeat them later repeat the same value, so the first non-empty one is kept.
    if (auto id = json::string_field(call, "id"); id && tool.id.empty()) tool.id = *id;
    const auto* function = json::find_field(call, "function");
    std::string_view arguments;
    if (function != nullptr) {
        if (auto name = json::string_field(*function, "name"); name && tool.name.empty()) {
            tool.name = *name;
        }
        arguments = json::string_field(*function, "arguments").value_or("");
    }

    if (!inserted && tool.state == ToolState::kOpen) {
        if (!arguments.empty()) emit_delta(arguments, out);
        return;
    }
    const bool can_open = inserted && !tool.name.empty() && pending_.empty() &&
                          !(open_ && open_kind_ == BlockKind::kTool);
    if (can_open) {
        if (open_) {
            close_open(out);  // the text that preceded the tool calls is complete
            text_done_ = true;
        }
        open_tool(index, out);
        if (!arguments.empty()) emit_delta(arguments, out);
        return;
    }
    if (inserted) {
        tool.state = ToolState::kPending;
        tool.pending_slot = pending_.size();
        pending_.push_back(PendingBlock{BlockKind::kTool, index, {}});
    }
    pending_[tool.pending_slot].payload += arguments;
}

void ChatToMessagesStream::on_finish(std::string_view reason, Events& out) {
    finish_seen_ = true;
    finish_reason_ = std::string(reason);
    close_open(out);
    flush_pending(out);
}

void ChatToMessagesStream::open_text(Events& out) {
    object block{{"type", "text"}, {"text", ""}};
    out.push_back(event("content_block_start",
                        object{{"index", next_index_}, {"content_block", std::move(block)}}));
    open_ = true;
    open_kind_ = BlockKind::kText;
    open_index_ = next_index_++;
}

void ChatToMessagesStream::open_tool(std::int64_t index, Events& out) {
    ToolCall& tool = tools_[index];
    tool.state = ToolState::kOpen;
    object block{
        {"type", "tool_use"}, {"id", tool_id(index)}, {"name", tool.name}, {"input", object{}}};
    out.push_back(event("content_block_start",
                        object{{"index", next_index_}, {"content_block", std::move(block)}}));
    open_ = true;
    open_kind_ = BlockKind::kTool;
    open_index_ = next_index_++;
}

void ChatToMessagesStream::close_open(Events& out) {
    if (!open_) return;
    out.push_back(block_stop(open_index_));
    open_ = false;
}

void ChatToMessagesStream::emit_delta(std::string_view payload, Events& out) {
    object delta;
    if (open_kind_ == BlockKind::kText) {
        delta = object{{"type", "text_delta"}, {"text", payload}};
    } else {
        delta = object{{"type", "input_json_delta"}, {"partial_json", payload}};
    }
    out.push_back(
        event("content_block_delta", object{{"index", open_index_}, {"delta", std::move(delta)}}));
}

void ChatToMessagesStream::flush_pending(Events& out) {
    for (const PendingBlock& block : pending_) {
        if (block.kind == BlockKind::kText) {
            open_text(out);
        } else {
            open_tool(block.tool, out);
        }
        if (!block.payload.empty()) emit_delta(block.payload, out);
        close_open(out);
    }
    pending_.clear();
}

std::string ChatToMessagesStream::tool_id(std::int64_t index) const {
    auto it = tools_.find(index);
    if (it != tools_.end() && !it->second.id.empty()) return it->second.id;
    return "toolu_kars_" + std::to_string(index);
}

}  // namespace kars::router::translate
