// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/recording_call.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <mutex>

#include <spdlog/spdlog.h>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include "core/json/parse.h"
#include "router/providers/header_policy.h"
#include "router/sse/sse_parser.h"

namespace kars::router::server {

namespace net = boost::asio;

namespace {

// Several requests may finish at once; one line per write(2) with O_APPEND keeps lines
// whole, and the mutex keeps a short write from interleaving.
std::mutex& append_mutex() {
    static std::mutex mu;
    return mu;
}

void append_line(const std::string& path, const std::string& line) {
    std::lock_guard lock(append_mutex());
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        spdlog::error("record: cannot open cassette {}", path);
        return;
    }
    std::string data = line + "\n";
    std::size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n <= 0) break;
        off += static_cast<std::size_t>(n);
    }
    ::close(fd);
}

class RecordingCall final : public UpstreamCall {
public:
    RecordingCall(std::unique_ptr<UpstreamCall> inner, replay::Exchange exchange, std::string path)
        : inner_(std::move(inner)), exchange_(std::move(exchange)), path_(std::move(path)) {
        exchange_.status = inner_->head().status;
        for (const auto& h : providers::filter_response_headers(inner_->head().headers)) {
            if (h.first == "content-type") exchange_.headers.push_back(h);
        }
        last_ = std::chrono::steady_clock::now();
    }

    const UpstreamHead& head() const override { return inner_->head(); }

    net::awaitable<Result<std::string>> read_body(std::size_t max_bytes) override {
        auto body = co_await inner_->read_body(max_bytes);
        if (body.ok()) {
            exchange_.body = *body;
            finish(false);
        }
        co_return body;
    }

    net::awaitable<Result<std::optional<std::string>>> read_some() override {
        auto piece = co_await inner_->read_some();
        if (!piece.ok()) {
            finish(true);
            co_return piece;
        }
        if (!piece->has_value()) {
            finish(false);
            co_return piece;
        }
        raw_ += **piece;
        items_.clear();
        if (parser_.feed(**piece, items_).ok()) {
            auto now = std::chrono::steady_clock::now();
            for (auto& item : items_) {
                auto* ev = std::get_if<sse::Event>(&item);
                if (ev == nullptr || !ev->has_data) continue;
                replay::RecordedEvent rec;
                rec.event = ev->type == "message" ? "" : ev->type;
                rec.data = ev->data;
                rec.delay = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_);
                last_ = now;
                exchange_.events.push_back(std::move(rec));
            }
        }
        co_return piece;
    }

    void cancel() override {
        inner_->cancel();
        finish(true);
    }

private:
    void finish(bool truncated) {
        if (done_) return;
        done_ = true;
        if (exchange_.events.empty() && exchange_.body.empty()) exchange_.body = raw_;
        exchange_.truncated = truncated && !exchange_.events.empty();
        append_line(path_, replay::to_line(exchange_));
    }

    std::unique_ptr<UpstreamCall> inner_;
    replay::Exchange exchange_;
    std::string path_;
    sse::SseParser parser_;
    std::vector<sse::Item> items_;
    std::string raw_;
    std::chrono::steady_clock::time_point last_;
    bool done_ = false;
};

}  // namespace

std::unique_ptr<UpstreamCall> record_call(std::unique_ptr<UpstreamCall> inner,
                                          replay::Exchange exchange, std::string cassette_path) {
    return std::make_unique<RecordingCall>(std::move(inner), std::move(exchange),
                                           std::move(cassette_path));
}

std::string turn_marker(const boost::json::value& request_body) {
    const auto* messages = json::find_field(request_body, "messages");
    if (messages == nullptr || !messages->is_array() || messages->get_array().empty()) return {};
    const auto& last = messages->get_array().back();
    auto content = json::string_field(last, "content");
    if (!content || content->empty() || content->size() > 200) return {};
    auto quoted = boost::json::serialize(boost::json::string(*content));
    return quoted.substr(1, quoted.size() - 2);
}

}  // namespace kars::router::server
