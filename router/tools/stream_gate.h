// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Enforcement point 2, for streamed answers. A tool call arrives in pieces (its name in one
// event, its arguments in fragments over many), so nothing of a call is released until the
// call is complete and its name has been checked; text and other events pass straight
// through. A permitted call is released whole; a refused one is replaced by assistant text
// in the stream's own dialect, and the stop reason is fixed as for complete answers
// (proposed_tools.h). A stream that ends while a call is still open never releases it.
//
//   chat       tool_calls deltas are collected per choice and tool index and emitted as
//              one delta per call just before the choice's finish_reason chunk
//   messages   the events of a tool_use content block are held until content_block_stop
//   responses  the events of a function_call output item are held until its
//              response.output_item.done; the final response.completed is rewritten too

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "router/tools/offered_tools.h"
#include "router/tools/proposed_tools.h"
#include "router/tools/tool_check.h"

namespace kars::router::tools {

// One event to send on. `raw` holds the upstream's bytes when the event is unchanged (so
// it is relayed byte for byte); when empty, the event was built or rewritten and must be
// encoded from `type` and `data`.
struct GatedEvent {
    std::string type;
    boost::json::value data;
    std::string raw;
};

class ToolStreamGate {
public:
    ToolStreamGate(Dialect dialect, ToolCheck check);

    // Feeds one parsed event; appends what may be sent now to `out`, in order.
    void on_event(std::string_view type, boost::json::value data, std::string_view raw,
                  std::vector<GatedEvent>& out);
    // At the stream's terminal marker ([DONE]): decides chat calls that never saw a
    // finish_reason; held Anthropic and Responses fragments are dropped.
    void finish(std::vector<GatedEvent>& out);

    const ProposedReport& report() const { return report_; }

private:
    struct ChatCall {
        std::string id;
        std::string type = "function";
        std::string name;
        std::string arguments;
    };
    struct HeldBlock {
        std::string name;
        std::string id;
        std::vector<GatedEvent> events;
    };

    void on_chat(boost::json::value data, std::string_view raw, std::vector<GatedEvent>& out);
    void decide_chat_choice(std::int64_t choice, std::vector<GatedEvent>& out);
    boost::json::object chat_chunk(std::int64_t choice, boost::json::object delta) const;
    void on_messages(std::string_view type, boost::json::value data, std::string_view raw,
                     std::vector<GatedEvent>& out);
    void on_responses(std::string_view type, boost::json::value data, std::string_view raw,
                      std::vector<GatedEvent>& out);
    ToolVerdict decide(const std::string& name);

    Dialect dialect_;
    ToolCheck check_;
    ProposedReport report_;
    // chat: choice index -> tool index -> call; template fields for chunks we build
    std::map<std::int64_t, std::map<std::int64_t, ChatCall>> chat_calls_;
    std::map<std::int64_t, std::size_t> chat_allowed_;
    boost::json::object chat_template_;
    // messages: the open tool_use block, by content index
    std::optional<std::pair<std::int64_t, HeldBlock>> block_;
    std::size_t message_allowed_ = 0;
    // responses: open function_call items by output_index; refused item id -> text
    std::map<std::int64_t, HeldBlock> items_;
    std::map<std::string, std::string> refused_items_;
    std::set<std::string> allowed_items_;
};

}  // namespace kars::router::tools
