// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/stream_relay.h"

#include <deque>
#include <variant>

#include <spdlog/spdlog.h>
#include <boost/json/serialize.hpp>

#include "core/json/parse.h"
#include "router/accounting/usage.h"
#include "router/errors/protocol_error.h"
#include "router/safety/content_safety.h"
#include "router/server/metrics.h"
#include "router/sse/sse_encoder.h"
#include "router/sse/sse_parser.h"
#include "router/tools/stream_gate.h"
#include "router/translate/messages_stream.h"

namespace kars::router::server {

namespace net = boost::asio;

namespace {

bool anthropic_client(StreamMode mode) {
    return mode == StreamMode::kMessages || mode == StreamMode::kChatToMessages;
}

std::string encode(std::string_view event, std::string data) {
    sse::Event ev;
    ev.type = event.empty() ? "message" : std::string(event);
    ev.data = std::move(data);
    ev.has_data = true;
    auto bytes = sse::encode_event(ev);
    return bytes.ok() ? std::move(*bytes) : std::string();
}

// The error event each client protocol understands: OpenAI SDKs raise on a `data:` payload
// that carries `error`; Anthropic SDKs raise on `event: error`.
std::string error_event(StreamMode mode, std::string_view message, std::string_view type) {
    if (anthropic_client(mode)) {
        return encode("error", anthropic_error_body(message, type == "content_policy_violation"
                                                                 ? "invalid_request_error"
                                                                 : "api_error"));
    }
    return encode("error", openai_error_body(message, type));
}

class Relay {
public:
    Relay(UpstreamCall& call, ResponseWriter& writer, const StreamOptions& options,
          Metrics& metrics)
        : call_(call),
          writer_(writer),
          options_(options),
          metrics_(metrics),
          translator_(options.requested_model) {
        if (options.safety && options.safety->active()) safety_.emplace(*options.safety);
        if (options.tool_check) gate_.emplace(options.tool_dialect, options.tool_check);
    }

    net::awaitable<StreamOutcome> run() {
        bool started =
            co_await writer_.begin_stream(200, "text/event-stream", options_.response_headers);
        if (!started) {
            call_.cancel();
            out_.client_gone = true;
            co_return finish();
        }
        while (!stop_) {
            auto piece = co_await call_.read_some();
            if (!piece.ok()) {
                co_await end_with_error("upstream stream failed: " + piece.error().message,
                                        "upstream_error");
                break;
            }
            if (!piece->has_value()) {
                co_await on_upstream_end();
                break;
            }
            items_.clear();
            auto st = parser_.feed(**piece, items_);
            for (auto& item : items_) {
                if (stop_) break;
                co_await on_item(item);
            }
            if (!st.ok() && !stop_) {
                call_.cancel();
                co_await end_with_error("upstream stream is malformed: " + st.error().message,
                                        "upstream_error");
            }
        }
        if (!out_.client_gone) co_await writer_.end_stream();
        co_return finish();
    }

private:
    StreamOutcome finish() {
        out_.tokens_in = usage_.input;
        out_.tokens_out = usage_.output;
        return out_;
    }

    net::awaitable<void> on_item(sse::Item& item) {
        if (auto* comment = std::get_if<sse::Comment>(&item)) {
            co_await emit(comment->raw);  // keepalives keep idle proxies and clients patient
            co_return;
        }
        auto& ev = std::get<sse::Event>(item);
        if (!ev.has_data) co_return;
        if (sse::is_done_marker(ev.data)) {
            if (gate_) {
                gated_.clear();
                gate_->finish(gated_);
                for (auto& g : gated_) co_await emit_gated(g);
            }
            if (options_.mode == StreamMode::kChatToMessages) {
                co_await emit_translated(translator_.on_end());
            } else {
                co_await emit_or_hold(ev.raw);
            }
            done_ = true;
            co_return;
        }
        auto parsed = json::parse(ev.data);
        if (!parsed.ok()) {
            // Not JSON: nothing to inspect, so it cannot be screened; forwarding it would
            // let unscreened text through a content-safety policy.
            if (safety_) {
                co_await block("upstream stream event is not JSON and cannot be screened");
            } else {
                co_await emit_or_hold(ev.raw);
            }
            co_return;
        }
        const auto& chunk = *parsed;
        usage_.merge(accounting::read_usage(chunk));
        note_terminal(ev.type, chunk);

        if (safety_) {
            const auto& verdict = safety_->observe_chunk(chunk);
            if (verdict.blocked) {
                co_await block(verdict.reason);
                co_return;
            }
        }
        if (gate_) {
            gated_.clear();
            gate_->on_event(ev.type, std::move(*parsed), ev.raw, gated_);
            for (auto& g : gated_) co_await emit_gated(g);
            co_return;
        }
        if (options_.mode == StreamMode::kChatToMessages) {
            co_await emit_translated(translator_.on_chunk(chunk));
            co_return;
        }
        if (options_.drop_usage_chunk && is_usage_only_chunk(chunk)) co_return;
        co_await emit_or_hold(ev.raw);
    }

    // One event the tool gate let through: unchanged events keep the upstream's bytes.
    net::awaitable<void> emit_gated(tools::GatedEvent& g) {
        if (options_.mode == StreamMode::kChatToMessages) {
            co_await emit_translated(translator_.on_chunk(g.data));
            co_return;
        }
        if (options_.drop_usage_chunk && is_usage_only_chunk(g.data)) co_return;
        if (g.raw.empty()) g.raw = encode(g.type, boost::json::serialize(g.data));
        co_await emit_or_hold(g.raw);
    }

    static bool is_usage_only_chunk(const boost::json::value& chunk) {
        const auto* choices = json::find_field(chunk, "choices");
        const auto* usage = json::find_field(chunk, "usage");
        return choices && choices->is_array() && choices->as_array().empty() && usage &&
               usage->is_object();
    }

    void note_terminal(std::string_view event_type, const boost::json::value& chunk) {
        switch (options_.mode) {
            case StreamMode::kChatCompletions:
            case StreamMode::kChatToMessages:
                if (json::find_field(chunk, "error")) upstream_error_ = true;
                break;
            case StreamMode::kResponses:
                if (event_type == "response.completed" || event_type == "response.incomplete") {
                    done_ = true;
                } else if (event_type == "response.failed" || event_type == "error") {
                    upstream_error_ = true;
                }
                break;
            case StreamMode::kMessages:
                if (event_type == "message_stop") done_ = true;
                if (event_type == "error") upstream_error_ = true;
                break;
        }
    }

    net::awaitable<void> emit_translated(const std::vector<translate::SseEvent>& events) {
        for (const auto& e : events) {
            co_await emit_or_hold(encode(e.event, boost::json::serialize(e.data)));
            if (e.event == "message_stop") done_ = true;
            if (e.event == "error") upstream_error_ = true;
        }
    }

    // With requirePromptShields, nothing is released until the upstream's prompt screening
    // result has been seen: text before it would be unscreened.
    net::awaitable<void> emit_or_hold(std::string_view bytes) {
        if (safety_ && safety_->awaiting_prompt_annotations()) {
            held_.emplace_back(bytes);
            co_return;
        }
        while (!held_.empty() && !stop_) {
            co_await emit(held_.front());
            held_.pop_front();
        }
        co_await emit(bytes);
    }

    net::awaitable<void> emit(std::string_view bytes) {
        if (stop_ || bytes.empty()) co_return;
        if (!first_sent_) {
            first_sent_ = true;
            metrics_.stream_first_byte(
                std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                              options_.request_start)
                    .count());
        }
        std::string redacted;
        if (options_.redactor && options_.redactor->contains_secret(bytes)) {
            redacted.assign(bytes);
            options_.redactor->redact(redacted);
            bytes = redacted;
        }
        bool written = co_await writer_.write_chunk(bytes);
        if (!written) {
            out_.client_gone = true;
            out_.problem = "client disconnected";
            stop_ = true;
            call_.cancel();
        }
    }

    net::awaitable<void> block(const std::string& reason) {
        held_.clear();
        call_.cancel();
        out_.blocked = true;
        co_await end_with_error(reason, "content_policy_violation");
    }

    net::awaitable<void> end_with_error(const std::string& message, std::string_view type) {
        if (out_.problem.empty()) out_.problem = message;
        held_.clear();
        if (!out_.client_gone) {
            stop_ = false;
            co_await emit(error_event(options_.mode, message, type));
        }
        stop_ = true;
    }

    net::awaitable<void> on_upstream_end() {
        auto st = parser_.finish();
        if (!st.ok()) {
            co_await end_with_error("upstream stream ended mid-event: " + st.error().message,
                                    "upstream_error");
            co_return;
        }
        if (options_.mode == StreamMode::kChatToMessages && !done_ && !translator_.finished()) {
            co_await emit_translated(translator_.on_end());
        }
        if (safety_) {
            auto verdict = safety_->finish();
            if (verdict.blocked) {
                co_await block(verdict.reason);
                co_return;
            }
        }
        while (!held_.empty() && !stop_) {
            co_await emit(held_.front());
            held_.pop_front();
        }
        if (upstream_error_) {
            out_.problem = "upstream reported an error in the stream";
            co_return;
        }
        if (!done_) {
            co_await end_with_error("upstream stream ended before completion", "upstream_error");
            co_return;
        }
        out_.completed = true;
    }

    UpstreamCall& call_;
    ResponseWriter& writer_;
    const StreamOptions& options_;
    Metrics& metrics_;
    sse::SseParser parser_;
    std::vector<sse::Item> items_;
    std::optional<safety::StreamSafetyState> safety_;
    translate::ChatToMessagesStream translator_;
    std::optional<tools::ToolStreamGate> gate_;
    std::vector<tools::GatedEvent> gated_;
    std::deque<std::string> held_;
    accounting::Usage usage_;
    StreamOutcome out_;
    bool done_ = false;
    bool upstream_error_ = false;
    bool stop_ = false;
    bool first_sent_ = false;
};

}  // namespace

net::awaitable<StreamOutcome> relay_stream(UpstreamCall& call, ResponseWriter& writer,
                                           const StreamOptions& options, Metrics& metrics) {
    Relay relay(call, writer, options, metrics);
    co_return co_await relay.run();
}

}  // namespace kars::router::server
