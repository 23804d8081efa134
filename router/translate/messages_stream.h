// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Streaming OpenAI chat completion chunks -> Anthropic Messages server-sent events.
//
// The server parses the upstream SSE stream; this class is fed each `data:` payload as JSON
// and returns the Anthropic events to write (event name + JSON data), in order:
//   message_start, then per content block content_block_start / content_block_delta ... /
//   content_block_stop, then message_delta (stop_reason, usage) and message_stop
// (Anthropic "Streaming Messages" documentation). Anthropic streams one block at a time, while
// OpenAI may interleave text and several tool calls (by `index`). The first stream to appear
// is relayed live; a tool call that starts while another tool call is open, or text that
// arrives after tool calls began, is buffered and emitted as its own complete block when the
// upstream sends finish_reason. Block indices are consecutive in emission order, and the
// concatenated partial_json of a tool block is exactly the upstream's arguments string.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "router/translate/messages_common.h"

namespace kars::router::translate {

struct SseEvent {
    std::string event;        // SSE event name, e.g. "content_block_delta"
    boost::json::value data;  // SSE data payload (its "type" equals `event`)
};

class ChatToMessagesStream {
public:
    // `requested_model` is reported in message_start when the upstream chunk names none.
    explicit ChatToMessagesStream(std::string requested_model = {});

    // Feeds one parsed chat.completion.chunk. Chunks for choices other than index 0 and
    // anything that is not an object are ignored. An in-band {"error": {...}} chunk yields an
    // Anthropic "error" event and ends the translation.
    std::vector<SseEvent> on_chunk(const boost::json::value& chunk);

    // The upstream stream is over ([DONE] or end of body). Emits message_delta + message_stop
    // if a finish_reason was seen, otherwise an "error" event: a truncated answer must never
    // look like a complete one.
    std::vector<SseEvent> on_end();

    // True once a terminal event (message_stop or error) has been produced; later calls
    // return nothing.
    bool finished() const { return terminal_; }

private:
    enum class BlockKind { kText, kTool };
    enum class ToolState { kOpen, kPending };

    struct ToolCall {
        std::string id;
        std::string name;
        ToolState state = ToolState::kPending;
        std::size_t pending_slot = 0;
    };

    struct PendingBlock {
        BlockKind kind = BlockKind::kText;
        std::int64_t tool = 0;
        std::string payload;  // text, or concatenated argument fragments
    };

    using Events = std::vector<SseEvent>;

    void start(const boost::json::value& chunk, Events& out);
    void on_choice(const boost::json::value& choice, Events& out);
    void on_text(std::string_view text, Events& out);
    void on_tool_delta(std::int64_t index, const boost::json::value& call, Events& out);
    void on_finish(std::string_view reason, Events& out);

    void open_text(Events& out);
    void open_tool(std::int64_t index, Events& out);
    void close_open(Events& out);
    void emit_delta(std::string_view payload, Events& out);
    void flush_pending(Events& out);
    std::string tool_id(std::int64_t index) const;

    std::string requested_model_;
    bool started_ = false;
    bool finish_seen_ = false;
    bool terminal_ = false;
    bool saw_tool_ = false;
    std::string finish_reason_;
    TokenUsage usage_;

    int next_index_ = 0;
    bool open_ = false;
    BlockKind open_kind_ = BlockKind::kText;
    int open_index_ = -1;
    bool text_done_ = false;

    std::map<std::int64_t, ToolCall> tools_;
    std::vector<PendingBlock> pending_;
};

// The Anthropic "error" event for `type` and `message`.
SseEvent anthropic_error_event(std::string_view type, std::string_view message);

}  // namespace kars::router::translate
