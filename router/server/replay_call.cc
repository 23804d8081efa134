// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/replay_call.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "router/sse/sse_encoder.h"

namespace kars::router::server {

namespace net = boost::asio;

namespace {

class ReplayCall final : public UpstreamCall {
public:
    ReplayCall(net::any_io_executor executor, std::shared_ptr<const void> owner,
               const replay::Exchange& exchange)
        : timer_(std::move(executor)), owner_(std::move(owner)), exchange_(exchange) {
        head_.status = exchange.status;
        head_.headers = exchange.headers;
        bool has_type = false;
        for (auto& [name, value] : head_.headers) {
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            has_type |= name == "content-type";
        }
        if (!has_type) {
            head_.headers.emplace_back(
                "content-type", exchange.events.empty() ? "application/json" : "text/event-stream");
        }
    }

    const UpstreamHead& head() const override { return head_; }

    net::awaitable<Result<std::string>> read_body(std::size_t max_bytes) override {
        std::string body;
        while (true) {
            auto piece = co_await read_some();
            if (!piece.ok()) co_return piece.error();
            if (!piece->has_value()) co_return body;
            body += **piece;
            if (body.size() > max_bytes) {
                co_return make_error("upstream_too_large", "replayed body exceeds limit");
            }
        }
    }

    net::awaitable<Result<std::optional<std::string>>> read_some() override {
        if (cancelled_) co_return make_error("upstream_connect", "replay cancelled");
        if (exchange_.events.empty()) {
            if (body_sent_) co_return std::optional<std::string>{};
            body_sent_ = true;
            co_return std::optional<std::string>{exchange_.body};
        }
        if (next_ >= exchange_.events.size()) {
            if (exchange_.truncated) {
                co_return make_error("upstream_connect",
                                     "upstream connection ended mid-body (recorded truncation)");
            }
            co_return std::optional<std::string>{};
        }
        const auto& recorded = exchange_.events[next_++];
        if (recorded.delay.count() > 0) {
            timer_.expires_after(recorded.delay);
            auto [ec] = co_await timer_.async_wait(net::as_tuple(net::use_awaitable));
            if (ec || cancelled_) co_return make_error("upstream_connect", "replay cancelled");
        }
        sse::Event ev;
        ev.type = recorded.event.empty() ? "message" : recorded.event;
        ev.data = recorded.data;
        ev.has_data = true;
        auto bytes = sse::encode_event(ev);
        if (!bytes.ok()) co_return bytes.error();
        co_return std::optional<std::string>{std::move(*bytes)};
    }

    void cancel() override {
        cancelled_ = true;
        timer_.cancel();
    }

private:
    net::steady_timer timer_;
    std::shared_ptr<const void> owner_;
    const replay::Exchange& exchange_;
    UpstreamHead head_;
    std::size_t next_ = 0;
    bool body_sent_ = false;
    bool cancelled_ = false;
};

}  // namespace

std::unique_ptr<UpstreamCall> make_replay_call(net::any_io_executor executor,
                                               std::shared_ptr<const void> owner,
                                               const replay::Exchange& exchange) {
    return std::make_unique<ReplayCall>(std::move(executor), std::move(owner), exchange);
}

}  // namespace kars::router::server
