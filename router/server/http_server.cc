// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/http_server.h"

#include <openssl/rand.h>

#include <array>
#include <cstdio>
#include <mutex>
#include <set>

#include <sys/socket.h>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "router/errors/protocol_error.h"
#include "router/server/accept_throttle.h"
#include "router/server/listener.h"

namespace kars::router::server {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
constexpr auto kNoThrow = net::as_tuple(net::use_awaitable);

std::string choose_trace_id(std::string_view inbound) {
    bool valid = !inbound.empty() && inbound.size() <= 128;
    for (char c : inbound) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        if (!ok) {
            valid = false;
            break;
        }
    }
    if (valid) return std::string(inbound);

    std::array<unsigned char, 8> raw{};
    RAND_bytes(raw.data(), static_cast<int>(raw.size()));
    std::string out;
    out.reserve(16);
    static constexpr char kHex[] = "0123456789abcdef";
    for (unsigned char b : raw) {
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 0xf]);
    }
    return out;
}

namespace {

// The writer a handler gets for one request on one connection.
class SessionWriter final : public ResponseWriter {
public:
    SessionWriter(beast::tcp_stream& stream, const Request& req, bool keep_alive,
                  std::chrono::milliseconds write_timeout)
        : stream_(stream), req_(req), keep_alive_(keep_alive), write_timeout_(write_timeout) {}

    net::awaitable<bool> send(int status, std::string_view content_type, std::string body,
                              const Headers& extra) override {
        started_ = true;
        http::response<http::string_body> res{static_cast<http::status>(status),
                                              req_.message.version()};
        decorate(res, content_type, extra);
        res.body() = std::move(body);
        res.keep_alive(keep_alive_);
        res.prepare_payload();
        stream_.expires_after(write_timeout_);
        auto [ec, n] = co_await http::async_write(stream_, res, kNoThrow);
        finished_ = true;
        co_return !ec;
    }

    net::awaitable<bool> begin_stream(int status, std::string_view content_type,
                                      const Headers& extra) override {
        started_ = true;
        http::response<http::empty_body> res{static_cast<http::status>(status),
                                             req_.message.version()};
        decorate(res, content_type, extra);
        res.set(http::field::cache_control, "no-cache");
        res.keep_alive(keep_alive_);
        res.chunked(true);
        http::response_serializer<http::empty_body> sr{res};
        stream_.expires_after(write_timeout_);
        auto [ec, n] = co_await http::async_write_header(stream_, sr, kNoThrow);
        co_return !ec;
    }

    net::awaitable<bool> write_chunk(std::string_view data) override {
        if (data.empty()) co_return true;
        stream_.expires_after(write_timeout_);
        auto [ec, n] =
            co_await net::async_write(stream_, http::make_chunk(net::buffer(data)), kNoThrow);
        co_return !ec;
    }

    net::awaitable<bool> end_stream() override {
        stream_.expires_after(write_timeout_);
        auto [ec, n] = co_await net::async_write(stream_, http::make_chunk_last(), kNoThrow);
        finished_ = true;
        co_return !ec;
    }

    bool started() const override { return started_; }
    bool finished() const { return finished_; }

private:
    template <typename Response>
    void decorate(Response& res, std::string_view content_type, const Headers& extra) {
        res.set(http::field::server, "kars-router");
        if (!content_type.empty()) res.set(http::field::content_type, content_type);
        res.set("x-kars-trace-id", req_.trace_id);
        for (const auto& [name, value] : extra) res.insert(name, value);
    }

    beast::tcp_stream& stream_;
    const Request& req_;
    bool keep_alive_;
    std::chrono::milliseconds write_timeout_;
    bool started_ = false;
    bool finished_ = false;
};

std::string path_of(std::string_view target) {
    auto q = target.find('?');
    return std::string(target.substr(0, q));
}

}  // namespace

struct HttpServer::Impl {
    Impl(net::io_context& io_ctx, ServerLimits l) : io(io_ctx), limits(l) {}

    net::io_context& io;
    std::mutex limits_mu;
    ServerLimits limits;
    std::map<std::pair<http::verb, std::string>, Handler> routes;
    std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
    std::atomic<bool> accepting{true};
    std::shared_ptr<std::atomic<std::size_t>> active;

    // Connections waiting for their next request. On shutdown they are woken with a read
    // shutdown so a drain does not wait on idle keep-alive clients. Raw shutdown(2) on the
    // fd is safe from any thread; the session unregisters (under idle_mu) before it closes.
    std::mutex idle_mu;
    std::set<int> idle_fds;

    bool enter_idle(int fd) {
        std::lock_guard lock(idle_mu);
        if (!accepting.load()) return false;
        idle_fds.insert(fd);
        return true;
    }
    void leave_idle(int fd) {
        std::lock_guard lock(idle_mu);
        idle_fds.erase(fd);
    }
    void wake_idle() {
        std::lock_guard lock(idle_mu);
        for (int fd : idle_fds) ::shutdown(fd, SHUT_RD);
    }

    ServerLimits current_limits() {
        std::lock_guard lock(limits_mu);
        return limits;
    }

    net::awaitable<void> accept_loop(tcp::acceptor& acceptor) {
        AcceptThrottle throttle("router");
        while (accepting.load()) {
            auto [ec, socket] = co_await acceptor.async_accept(kNoThrow);
            if (ec) {
                if (ec == net::error::operation_aborted || !accepting.load()) co_return;
                co_await throttle.failed(ec);
                continue;
            }
            ServerLimits l = current_limits();
            if (active->load() >= l.max_connections) {
                // Refusing by closing is the only answer that costs nothing under overload.
                socket.close();
                continue;
            }
            net::co_spawn(io, session(std::move(socket), l), net::detached);
        }
    }

    net::awaitable<void> send_simple(beast::tcp_stream& stream, unsigned version, int status,
                                     const std::string& trace_id, std::string_view message,
                                     std::string_view type) {
        http::response<http::string_body> res{static_cast<http::status>(status), version};
        res.set(http::field::server, "kars-router");
        res.set(http::field::content_type, "application/json");
        res.set("x-kars-trace-id", trace_id);
        res.body() = openai_error_body(message, type);
        res.keep_alive(false);
        res.prepare_payload();
        co_await http::async_write(stream, res, kNoThrow);
    }

    net::awaitable<void> session(tcp::socket socket, ServerLimits l) {
        active->fetch_add(1);
        struct Guard {
            std::shared_ptr<std::atomic<std::size_t>> a;
            ~Guard() { a->fetch_sub(1); }
        } guard{active};

        socket.set_option(tcp::no_delay(true));
        beast::tcp_stream stream(std::move(socket));
        beast::flat_buffer buffer;
        std::string peer;
        {
            boost::system::error_code ec;
            auto ep = stream.socket().remote_endpoint(ec);
            if (!ec) peer = ep.address().to_string() + ":" + std::to_string(ep.port());
        }

        bool first = true;
        while (true) {
            http::request_parser<http::string_body> parser;
            parser.header_limit(static_cast<std::uint32_t>(l.max_header_bytes));
            parser.body_limit(l.max_body_bytes);

            stream.expires_after(first ? l.header_timeout : l.idle_keepalive);
            const int fd = stream.socket().native_handle();
            if (!enter_idle(fd)) break;
            auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, kNoThrow);
            leave_idle(fd);
            if (hec) {
                if (hec == http::error::end_of_stream || hec == beast::error::timeout ||
                    hec == net::error::connection_reset || hec == net::error::eof) {
                    break;
                }
                // Beast checks a declared Content-Length against the body limit while
                // parsing the head, so an oversize body can be refused before it is sent.
                int status = hec == http::error::header_limit ? 431
                             : hec == http::error::body_limit ? 413
                                                              : 400;
                std::string message = status == 413
                                          ? "request body exceeds the router's limit of " +
                                                std::to_string(l.max_body_bytes) + " bytes"
                                          : "malformed request: " + hec.message();
                co_await send_simple(stream, 11, status, choose_trace_id(""), message,
                                     "invalid_request_error");
                break;
            }
            first = false;

            std::string trace_id;
            {
                auto& h = parser.get();
                auto it = h.find("x-kars-trace-id");
                trace_id = choose_trace_id(it == h.end() ? std::string_view{}
                                                         : std::string_view(it->value()));
                std::size_t count = std::distance(h.begin(), h.end());
                if (count > l.max_header_count) {
                    co_await send_simple(stream, h.version(), 431, trace_id,
                                         "too many request headers (" + std::to_string(count) +
                                             " > " + std::to_string(l.max_header_count) + ")",
                                         "invalid_request_error");
                    break;
                }
                if (h.has_content_length() && parser.content_length() &&
                    *parser.content_length() > l.max_body_bytes) {
                    co_await send_simple(stream, h.version(), 413, trace_id,
                                         "request body exceeds the router's limit of " +
                                             std::to_string(l.max_body_bytes) + " bytes",
                                         "invalid_request_error");
                    break;
                }
            }

            stream.expires_after(l.body_timeout);
            auto [bec, bn] = co_await http::async_read(stream, buffer, parser, kNoThrow);
            if (bec) {
                if (bec == http::error::body_limit) {
                    co_await send_simple(stream, parser.get().version(), 413, trace_id,
                                         "request body exceeds the router's limit of " +
                                             std::to_string(l.max_body_bytes) + " bytes",
                                         "invalid_request_error");
                } else if (bec == beast::error::timeout) {
                    co_await send_simple(stream, parser.get().version(), 408, trace_id,
                                         "request body not received in time",
                                         "invalid_request_error");
                } else if (bec != net::error::eof && bec != http::error::end_of_stream &&
                           bec != net::error::connection_reset) {
                    co_await send_simple(stream, parser.get().version(), 400, trace_id,
                                         "malformed request: " + bec.message(),
                                         "invalid_request_error");
                }
                break;
            }

            Request req{parser.release(), std::move(trace_id), peer,
                        std::chrono::steady_clock::now()};
            bool keep_alive = req.message.keep_alive() && accepting.load();
            SessionWriter session_writer(stream, req, keep_alive, l.write_timeout);
            ResponseWriter& writer = session_writer;
            stream.expires_never();

            auto path = path_of(req.message.target());
            auto it = routes.find({req.message.method(), path});
            if (it == routes.end()) {
                bool path_known = false;
                for (const auto& [key, h] : routes) path_known |= key.second == path;
                if (path_known) {
                    co_await writer.send(405, "application/json",
                                         openai_error_body("method not allowed on " + path,
                                                           "invalid_request_error"));
                } else {
                    co_await writer.send(
                        404, "application/json",
                        openai_error_body("unknown route " + path, "invalid_request_error"));
                }
            } else {
                co_await it->second(req, writer);
                if (!writer.started()) {
                    // A handler that forgot to answer is a bug; the client still gets one.
                    co_await writer.send(
                        500, "application/json",
                        openai_error_body("handler produced no response", "internal_error"));
                }
            }
            if (!keep_alive || !session_writer.finished()) break;
        }
        boost::system::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
};

HttpServer::HttpServer(net::io_context& io, ServerLimits limits)
    : impl_(std::make_unique<Impl>(io, limits)) {
    impl_->active = active_connections_;
}

HttpServer::~HttpServer() = default;

void HttpServer::route(http::verb method, std::string path, Handler handler) {
    impl_->routes[{method, std::move(path)}] = std::move(handler);
}

Result<tcp::endpoint> HttpServer::listen(const std::string& host, unsigned short port) {
    auto acceptor = open_listener(impl_->io, host, port, "inference");
    if (!acceptor.ok()) return acceptor.error();
    boost::system::error_code ec;
    auto bound = (*acceptor)->local_endpoint(ec);
    impl_->acceptors.push_back(std::move(*acceptor));
    return bound;
}

Status HttpServer::adopt_listener(int fd) {
    auto acceptor = adopt_listener_fd(impl_->io, fd, "inference");
    if (!acceptor.ok()) return acceptor.error();
    impl_->acceptors.push_back(std::move(*acceptor));
    return ok_status();
}

void HttpServer::start() {
    for (auto& acceptor : impl_->acceptors) {
        net::co_spawn(impl_->io, impl_->accept_loop(*acceptor), net::detached);
    }
}

void HttpServer::stop_accepting() {
    impl_->accepting.store(false);
    impl_->wake_idle();
    for (auto& acceptor : impl_->acceptors) {
        boost::system::error_code ignored;
        acceptor->close(ignored);
    }
}

void HttpServer::set_limits(ServerLimits limits) {
    std::lock_guard lock(impl_->limits_mu);
    impl_->limits = limits;
}

}  // namespace kars::router::server
