// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/tools/stream_gate.h"

#include <boost/json/array.hpp>

#include "core/json/parse.h"

namespace kars::router::tools {

namespace {

GatedEvent pass(std::string_view type, boost::json::value data, std::string_view raw) {
    return GatedEvent{std::string(type), std::move(data), std::string(raw)};
}

GatedEvent built(std::string_view type, boost::json::object data) {
    return GatedEvent{std::string(type), boost::json::value(std::move(data)), std::string()};
}

bool is_non_null(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && !v->is_null();
}

std::int64_t index_of(const boost::json::value& v, std::int64_t fallback) {
    return json::int_field(v, "index").value_or(fallback);
}

}  // namespace

ToolStreamGate::ToolStreamGate(Dialect dialect, ToolCheck check)
    : dialect_(dialect), check_(std::move(check)) {}

ToolVerdict ToolStreamGate::decide(const std::string& name) {
    auto verdict = judge_proposed(name, check_);
    if (verdict.allowed) {
        ++report_.allowed;
    } else {
        ++report_.refused;
    }
    return verdict;
}

void ToolStreamGate::on_event(std::string_view type, boost::json::value data, std::string_view raw,
                              std::vector<GatedEvent>& out) {
    switch (dialect_) {
        case Dialect::kChat:
            on_chat(std::move(data), raw, out);
            return;
        case Dialect::kMessages:
            on_messages(type, std::move(data), raw, out);
            return;
        case Dialect::kResponses:
            on_responses(type, std::move(data), raw, out);
            return;
    }
}

// --- chat completions ------------------------------------------------------------------

void ToolStreamGate::on_chat(boost::json::value data, std::string_view raw,
                             std::vector<GatedEvent>& out) {
    auto* chunk = data.if_object();
    auto* choices = chunk ? chunk->if_contains("choices") : nullptr;
    if (!choices || !choices->is_array()) {
        out.push_back(pass("", std::move(data), raw));
        return;
    }
    bool touches_calls = false;
    for (const auto& c : choices->as_array()) {
        const auto* delta = json::find_field(c, "delta");
        const auto* calls = delta ? json::find_field(*delta, "tool_calls") : nullptr;
        const auto* finish = json::find_field(c, "finish_reason");
        if ((calls && !calls->is_null()) ||
            (finish && !finish->is_null() && chat_calls_.contains(index_of(c, 0)))) {
            touches_calls = true;
        }
    }
    if (!touches_calls) {
        out.push_back(pass("", std::move(data), raw));
        return;
    }

    for (const char* key : {"id", "object", "created", "model", "system_fingerprint"}) {
        if (const auto* v = chunk->if_contains(key)) chat_template_[key] = *v;
    }
    bool keep_chunk = choices->as_array().empty() || is_non_null(*chunk, "usage");
    std::vector<std::int64_t> finishing;
    std::int64_t position = 0;
    for (auto& c : choices->as_array()) {
        auto* choice = c.if_object();
        if (!choice) continue;
        const std::int64_t ci = index_of(c, position++);
        auto* delta = choice->if_contains("delta");
        if (delta && delta->is_object()) {
            auto& d = delta->as_object();
            if (auto* calls = d.if_contains("tool_calls"); calls && calls->is_array()) {
                std::int64_t ti = 0;
                for (const auto& tc : calls->as_array()) {
                    auto& call = chat_calls_[ci][index_of(tc, ti++)];
                    if (auto id = json::string_field(tc, "id")) call.id = *id;
                    if (auto t = json::string_field(tc, "type")) call.type = *t;
                    const auto* fn = json::find_field(tc, call.type);
                    if (!fn) fn = json::find_field(tc, "function");
                    if (!fn) continue;
                    // Names normally arrive whole in the first fragment; a server that
                    // repeats the name on later fragments must not double it.
                    if (auto name = json::string_field(*fn, "name"); name && *name != call.name) {
                        call.name += *name;
                    }
                    if (auto args = json::string_field(*fn, "arguments")) call.arguments += *args;
                    if (auto input = json::string_field(*fn, "input")) call.arguments += *input;
                }
            }
            d.erase("tool_calls");
            for (const auto& [key, value] : d) {
                if (!value.is_null()) keep_chunk = true;
                (void)key;
            }
        }
        if (is_non_null(*choice, "finish_reason")) {
            keep_chunk = true;
            if (chat_calls_.contains(ci)) finishing.push_back(ci);
        }
    }
    for (auto ci : finishing) decide_chat_choice(ci, out);
    if (!keep_chunk) return;
    for (auto& c : choices->as_array()) {
        auto* choice = c.if_object();
        if (!choice) continue;
        const std::int64_t ci = index_of(c, 0);
        auto reason = json::string_field(c, "finish_reason");
        if (reason && (*reason == "tool_calls" || *reason == "function_call") &&
            chat_allowed_[ci] == 0) {
            (*choice)["finish_reason"] = "stop";
        }
    }
    out.push_back(GatedEvent{"", std::move(data), std::string()});
}

boost::json::object ToolStreamGate::chat_chunk(std::int64_t choice,
                                               boost::json::object delta) const {
    boost::json::object chunk = chat_template_;
    boost::json::object c;
    c["index"] = choice;
    c["delta"] = std::move(delta);
    c["finish_reason"] = nullptr;
    chunk["choices"] = boost::json::array{std::move(c)};
    return chunk;
}

void ToolStreamGate::decide_chat_choice(std::int64_t choice, std::vector<GatedEvent>& out) {
    auto node = chat_calls_.extract(choice);
    if (node.empty()) return;
    std::string refusals;
    boost::json::array allowed;
    for (auto& [index, call] : node.mapped()) {
        auto verdict = decide(call.name);
        if (!verdict.allowed) {
            if (!refusals.empty()) refusals += "\n";
            refusals += refusal_text(call.name, verdict.reason);
            continue;
        }
        boost::json::object fn;
        fn["name"] = call.name;
        fn[call.type == "custom" ? "input" : "arguments"] = call.arguments;
        boost::json::object tc;
        tc["index"] = static_cast<std::int64_t>(allowed.size());
        tc["id"] = call.id;
        tc["type"] = call.type;
        tc[call.type == "custom" ? "custom" : "function"] = std::move(fn);
        allowed.push_back(std::move(tc));
    }
    chat_allowed_[choice] += allowed.size();
    if (!refusals.empty()) {
        boost::json::object delta;
        delta["content"] = refusals;
        out.push_back(built("", chat_chunk(choice, std::move(delta))));
    }
    if (!allowed.empty()) {
        boost::json::object delta;
        delta["tool_calls"] = std::move(allowed);
        out.push_back(built("", chat_chunk(choice, std::move(delta))));
    }
}

void ToolStreamGate::finish(std::vector<GatedEvent>& out) {
    if (dialect_ == Dialect::kChat) {
        while (!chat_calls_.empty()) decide_chat_choice(chat_calls_.begin()->first, out);
    }
    block_.reset();
    items_.clear();
}

// --- Anthropic messages ----------------------------------------------------------------

void ToolStreamGate::on_messages(std::string_view type, boost::json::value data,
                                 std::string_view raw, std::vector<GatedEvent>& out) {
    if (type == "content_block_start") {
        const auto* block = json::find_field(data, "content_block");
        auto block_type = block ? json::string_field(*block, "type") : std::nullopt;
        if (block_type && *block_type == "tool_use") {
            HeldBlock held;
            held.name = std::string(json::string_field(*block, "name").value_or(""));
            held.id = std::string(json::string_field(*block, "id").value_or(""));
            std::int64_t index = index_of(data, 0);
            held.events.push_back(pass(type, std::move(data), raw));
            block_.emplace(index, std::move(held));
            return;
        }
    }
    if (block_ && (type == "content_block_delta" || type == "content_block_stop") &&
        index_of(data, -1) == block_->first) {
        const bool stop = type == "content_block_stop";
        block_->second.events.push_back(pass(type, std::move(data), raw));
        if (!stop) return;
        auto [index, held] = std::move(*block_);
        block_.reset();
        auto verdict = decide(held.name);
        if (verdict.allowed) {
            ++message_allowed_;
            for (auto& e : held.events) out.push_back(std::move(e));
            return;
        }
        boost::json::object start{{"type", "content_block_start"}, {"index", index}};
        start["content_block"] = boost::json::object{{"type", "text"}, {"text", ""}};
        boost::json::object delta{{"type", "content_block_delta"}, {"index", index}};
        delta["delta"] = boost::json::object{{"type", "text_delta"},
                                             {"text", refusal_text(held.name, verdict.reason)}};
        out.push_back(built("content_block_start", std::move(start)));
        out.push_back(built("content_block_delta", std::move(delta)));
        out.push_back(built("content_block_stop",
                            boost::json::object{{"type", "content_block_stop"}, {"index", index}}));
        return;
    }
    if (type == "message_delta" && report_.refused > 0 && message_allowed_ == 0) {
        auto* delta = data.is_object() ? data.as_object().if_contains("delta") : nullptr;
        if (delta && delta->is_object()) {
            auto reason = json::string_field(*delta, "stop_reason");
            if (reason && *reason == "tool_use") {
                delta->as_object()["stop_reason"] = "end_turn";
                out.push_back(GatedEvent{std::string(type), std::move(data), std::string()});
                return;
            }
        }
    }
    out.push_back(pass(type, std::move(data), raw));
}

// --- OpenAI Responses --------------------------------------------------------------------

void ToolStreamGate::on_responses(std::string_view type, boost::json::value data,
                                  std::string_view raw, std::vector<GatedEvent>& out) {
    const auto output_index = json::int_field(data, "output_index");
    if (type == "response.output_item.added" && output_index) {
        const auto* item = json::find_field(data, "item");
        auto item_type = item ? json::string_field(*item, "type") : std::nullopt;
        if (item_type && (*item_type == "function_call" || *item_type == "custom_tool_call")) {
            HeldBlock held;
            held.name = std::string(json::string_field(*item, "name").value_or(""));
            held.id = std::string(json::string_field(*item, "id").value_or(""));
            held.events.push_back(pass(type, std::move(data), raw));
            items_[*output_index] = std::move(held);
            return;
        }
    }
    if (output_index) {
        if (auto it = items_.find(*output_index); it != items_.end()) {
            const bool done = type == "response.output_item.done";
            if (done) {
                // The finished item carries the final name; prefer it to the early one.
                if (const auto* item = json::find_field(data, "item")) {
                    if (auto n = json::string_field(*item, "name")) it->second.name = *n;
                }
            }
            auto seq = json::int_field(data, "sequence_number");
            it->second.events.push_back(pass(type, std::move(data), raw));
            if (!done) return;
            HeldBlock held = std::move(it->second);
            items_.erase(it);
            auto verdict = decide(held.name);
            if (verdict.allowed) {
                allowed_items_.insert(held.id);
                for (auto& e : held.events) out.push_back(std::move(e));
                return;
            }
            std::string text = refusal_text(held.name, verdict.reason);
            refused_items_[held.id] = text;
            auto item = refusal_message_item(held.id, text);
            boost::json::object added{{"type", "response.output_item.added"},
                                      {"output_index", *output_index},
                                      {"item", item}};
            boost::json::object finished{{"type", "response.output_item.done"},
                                         {"output_index", *output_index},
                                         {"item", std::move(item)}};
            if (seq) {
                added["sequence_number"] = *seq;
                finished["sequence_number"] = *seq;
            }
            out.push_back(built("response.output_item.added", std::move(added)));
            out.push_back(built("response.output_item.done", std::move(finished)));
            return;
        }
    }
    const bool final_event =
        type == "response.completed" || type == "response.incomplete" || type == "response.failed";
    auto* response =
        final_event && data.is_object() ? data.as_object().if_contains("response") : nullptr;
    auto* output =
        response && response->is_object() ? response->as_object().if_contains("output") : nullptr;
    if (output && output->is_array()) {
        // The final response repeats every item; an item never streamed as events (or
        // streamed under another id) is checked here so it cannot slip past as a summary.
        bool changed = false;
        for (auto& item : output->as_array()) {
            auto item_type = json::string_field(item, "type");
            if (!item_type || (*item_type != "function_call" && *item_type != "custom_tool_call")) {
                continue;
            }
            std::string id(json::string_field(item, "id").value_or(""));
            if (allowed_items_.contains(id)) continue;
            auto it = refused_items_.find(id);
            if (it == refused_items_.end()) {
                std::string name(json::string_field(item, "name").value_or(""));
                auto verdict = decide(name);
                if (verdict.allowed) {
                    allowed_items_.insert(id);
                    continue;
                }
                it = refused_items_.emplace(id, refusal_text(name, verdict.reason)).first;
            }
            item = refusal_message_item(id, it->second);
            changed = true;
        }
        if (changed) {
            out.push_back(GatedEvent{std::string(type), std::move(data), std::string()});
            return;
        }
    }
    out.push_back(pass(type, std::move(data), raw));
}

}  // namespace kars::router::tools
