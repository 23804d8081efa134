// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/egress_proxy.h"
#include "router/server/listener.h"

#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include <netinet/in.h>
#include <sys/socket.h>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "router/server/accept_throttle.h"
#include "router/server/egress_dial.h"
#include "router/server/egress_http.h"
#include "router/server/egress_tunnel.h"
#include "router/server/http_server.h"

namespace kars::router::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
constexpr auto kNoThrow = net::as_tuple(net::use_awaitable);

EgressLimits egress_limits_from(const config::RouterConfig& cfg) {
    EgressLimits l;
    l.max_header_bytes = cfg.limits.max_header_bytes;
    l.max_header_count = cfg.limits.max_header_count;
    l.max_body_bytes = cfg.limits.max_body_bytes;
    l.max_response_bytes = cfg.limits.max_upstream_response_bytes;
    l.header_timeout = cfg.limits.header_timeout;
    l.connect_timeout = cfg.egress.connect_timeout;
    l.idle_timeout = cfg.egress.idle_timeout;
    l.max_tunnel_lifetime = cfg.egress.max_tunnel_lifetime;
    l.max_tunnels = cfg.egress.max_tunnels;
    return l;
}

std::uint16_t bound_port_of(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof(ss);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
    if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
    return 0;
}

namespace {

// One proxied connection: its stream, its read buffer and its trace id.
struct Client {
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    std::string trace_id = choose_trace_id("");
};

// Interim (1xx) responses an upstream may send before its final one.
constexpr int kMaxInterimResponses = 8;

// One open tunnel or plain-HTTP forward, counted against egress.max_tunnels from before the
// dial (slow connects count too) until the connection ends. The counter and `alive` are
// shared with the proxy, whose metrics may be gone by the time a coroutine frame dies.
class Slot {
public:
    Slot(std::shared_ptr<std::atomic<std::size_t>> n, std::shared_ptr<std::atomic<bool>> alive,
         Metrics* metrics)
        : n_(std::move(n)), alive_(std::move(alive)), metrics_(metrics), before_(n_->fetch_add(1)) {
        if (metrics_ != nullptr) metrics_->egress_tunnels_active(static_cast<double>(before_ + 1));
    }
    ~Slot() {
        const auto left = n_->fetch_sub(1) - 1;
        if (metrics_ != nullptr && alive_->load()) {
            metrics_->egress_tunnels_active(static_cast<double>(left));
        }
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

    bool over(std::size_t cap) const { return before_ >= cap; }

private:
    std::shared_ptr<std::atomic<std::size_t>> n_;
    std::shared_ptr<std::atomic<bool>> alive_;
    Metrics* metrics_;
    std::size_t before_;
};

}  // namespace

struct EgressProxy::Impl {
    Impl(net::io_context& io_ctx, EgressHooks h) : io(io_ctx), hooks(std::move(h)) {}

    net::io_context& io;
    EgressHooks hooks;
    std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
    std::set<std::uint16_t> protected_ports;
    std::atomic<bool> accepting{true};
    // Shared with each tunnel's coroutine, whose frame may be destroyed after this proxy
    // (pending frames die with the io_context); `alive` tells it whether metrics still exist.
    std::shared_ptr<std::atomic<std::size_t>> tunnels =
        std::make_shared<std::atomic<std::size_t>>(0);
    std::shared_ptr<std::atomic<bool>> alive = std::make_shared<std::atomic<bool>>(true);

    net::awaitable<void> accept_loop(tcp::acceptor& acceptor) {
        AcceptThrottle throttle("egress proxy");
        while (accepting.load()) {
            auto [ec, socket] = co_await acceptor.async_accept(kNoThrow);
            if (ec) {
                if (ec == net::error::operation_aborted || !accepting.load()) co_return;
                co_await throttle.failed(ec);
                continue;
            }
            // Each connection runs on its own strand: the tunnel's pumps and watchdog share
            // state without locks even when the io_context has several threads.
            auto strand = net::make_strand(io);
            net::co_spawn(strand, session(std::move(socket)), net::detached);
        }
    }

    net::awaitable<void> reply(Client& c, http::status status, std::string message,
                               std::string_view allow = {}) {
        http::response<http::string_body> res{status, 11};
        res.set(http::field::server, "kars-router");
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        res.set("x-kars-trace-id", c.trace_id);
        if (!allow.empty()) res.set(http::field::allow, allow);
        res.body() = "kars egress proxy: " + message + "\n";
        res.keep_alive(false);
        res.prepare_payload();
        c.stream.expires_after(std::chrono::seconds(10));
        co_await http::async_write(c.stream, res, kNoThrow);
        boost::system::error_code ignored;
        c.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    net::awaitable<void> refuse_over_cap(Client& c, const EgressView& view) {
        count_rejection("tunnel_cap");
        co_await reply(c, http::status::service_unavailable,
                       "too many open tunnels and forwards for this sandbox (limit " +
                           std::to_string(view.limits.max_tunnels) + ")");
    }

    void count_rejection(std::string_view what) {
        if (hooks.metrics) hooks.metrics->egress_rejected(hooks.sandbox, what);
    }

    // Audit entry and metric for one decision. Returns false when the audit log refused the
    // entry, in which case an allow must not go ahead.
    bool record(const Client& c, const egress::Decision& d, std::string_view via) {
        audit::Event e;
        e.sandbox = hooks.sandbox;
        // An IPv6 host is bracketed, so the port is the part after the last ':' either way.
        const bool v6 = d.host.find(':') != std::string::npos && d.host.front() != '[';
        e.action = "egress:" + (v6 ? "[" + d.host + "]" : d.host) + ":" + std::to_string(d.port);
        e.decision = d.allowed() ? "allow" : "deny";
        e.policy_kind = std::string(d.policy_kind());
        e.reason = d.reason;
        e.trace_id = c.trace_id;
        if (hooks.metrics) {
            hooks.metrics->egress_decision(hooks.sandbox, via, e.decision, std::string(d.code()));
            if (!d.allowed()) hooks.metrics->denial(hooks.sandbox, e.policy_kind);
        }
        bool ok = hooks.record ? hooks.record(std::move(e)) : false;
        if (d.decided_by == egress::DecidedBy::kLearnMode && hooks.learned) hooks.learned(d);
        if (!d.allowed()) {
            spdlog::info("egress denied: {}", d.reason);
        }
        return ok;
    }

    // Dials the target and answers the client itself unless a socket came back.
    net::awaitable<std::optional<tcp::socket>> decide_and_dial(Client& c, const EgressView& view,
                                                               const egress::Authority& target,
                                                               std::string_view via) {
        DialOptions options;
        options.connect_timeout = view.limits.connect_timeout;
        options.protected_ports = protected_ports;
        auto outcome = co_await dial_egress(*view.policy, target, options);
        const bool audited = record(c, outcome.decision, via);
        if (outcome.status == 403) {
            co_await reply(c, http::status::forbidden, outcome.decision.reason);
            co_return std::nullopt;
        }
        if (!audited) {
            co_await reply(c, http::status::service_unavailable,
                           "the audit log is unavailable; egress is refused until it recovers");
            co_return std::nullopt;
        }
        if (outcome.status != 0) {
            auto status =
                outcome.status == 504 ? http::status::gateway_timeout : http::status::bad_gateway;
            co_await reply(c, status, outcome.message);
            co_return std::nullopt;
        }
        co_return std::move(outcome.socket);
    }

    net::awaitable<void> session(tcp::socket socket) {
        EgressView view = hooks.current();
        Client c{beast::tcp_stream(std::move(socket)), {}};
        if (!view.policy) {
            co_await reply(c, http::status::service_unavailable, "no egress policy loaded");
            co_return;
        }
        http::request_parser<http::empty_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(view.limits.max_header_bytes));
        parser.body_limit(view.limits.max_body_bytes);
        c.stream.expires_after(view.limits.header_timeout);
        auto [ec, n] = co_await http::async_read_header(c.stream, c.buffer, parser, kNoThrow);
        if (ec) {
            if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
                ec == net::error::eof || ec == net::error::connection_reset) {
                co_return;
            }
            count_rejection("bad_request");
            auto status = ec == http::error::header_limit
                              ? http::status::request_header_fields_too_large
                              : http::status::bad_request;
            co_await reply(c, status, "malformed request: " + ec.message());
            co_return;
        }
        c.stream.expires_never();
        const auto& head = parser.get();
        const auto count = static_cast<std::size_t>(std::distance(head.begin(), head.end()));
        if (count > view.limits.max_header_count) {
            count_rejection("bad_request");
            co_await reply(c, http::status::request_header_fields_too_large,
                           "too many request header fields");
            co_return;
        }
        auto problem = framing_problem(head);
        if (!problem.empty()) {
            count_rejection("smuggling");
            co_await reply(c, http::status::bad_request, "refused request framing: " + problem);
            co_return;
        }
        const std::string_view target = head.target();
        if (head.method() == http::verb::connect) {
            co_await connect(c, view, parser);
        } else if (target.empty() || target.front() == '/' || target == "*") {
            // RFC 9112 section 3.2: a forward proxy is sent absolute-form or authority-form.
            count_rejection("bad_request");
            co_await reply(c, http::status::bad_request,
                           "origin-form request target; this is a forward proxy: use CONNECT "
                           "host:port or an absolute URL (http://host/path)");
        } else if (target.find("://") == std::string_view::npos) {
            // Authority-form is only defined for CONNECT (RFC 9112 section 3.2.3).
            count_rejection("bad_request");
            co_await reply(c, http::status::method_not_allowed,
                           "an authority-form target is only allowed with CONNECT", "CONNECT");
        } else {
            co_await forward_http(c, view, parser);
        }
    }

    net::awaitable<void> connect(Client& c, const EgressView& view,
                                 http::request_parser<http::empty_body>& parser) {
        const auto& head = parser.get();
        // A CONNECT request's content has no defined meaning (RFC 9110 section 9.3.6); any
        // framing field would make the tunnel's first bytes ambiguous.
        if (head.count(http::field::content_length) || head.count(http::field::transfer_encoding)) {
            count_rejection("smuggling");
            co_await reply(c, http::status::bad_request, "CONNECT must not carry content");
            co_return;
        }
        auto target = egress::parse_connect_target(head.target());
        if (!target.ok()) {
            count_rejection("bad_request");
            co_await reply(c, http::status::bad_request,
                           "bad CONNECT target: " + target.error().message);
            co_return;
        }
        Slot slot(tunnels, alive, hooks.metrics);
        if (slot.over(view.limits.max_tunnels)) {
            co_await refuse_over_cap(c, view);
            co_return;
        }
        auto upstream = co_await decide_and_dial(c, view, *target, "connect");
        if (!upstream) co_return;

        http::response<http::empty_body> ok{http::status::ok, 11};
        ok.reason("Connection Established");
        c.stream.expires_after(std::chrono::seconds(10));
        auto [wec, wn] = co_await http::async_write(c.stream, ok, kNoThrow);
        if (wec) co_return;
        c.stream.expires_never();
        // Bytes the client pipelined behind the head (a TLS ClientHello) are already in the
        // read buffer; they are the tunnel's first bytes, not a new request.
        std::string prefix = beast::buffers_to_string(c.buffer.data());
        c.buffer.consume(c.buffer.size());
        TunnelLimits limits{view.limits.idle_timeout, view.limits.max_tunnel_lifetime};
        co_await run_tunnel(c.stream.release_socket(), std::move(*upstream), std::move(prefix),
                            limits);
    }

    net::awaitable<void> forward_http(Client& c, const EgressView& view,
                                      http::request_parser<http::empty_body>& head_parser) {
        auto target = egress::parse_absolute_target(head_parser.get().target());
        if (!target.ok()) {
            count_rejection("bad_request");
            co_await reply(c, http::status::bad_request,
                           "bad request target: " + target.error().message);
            co_return;
        }
        if (target->scheme != "http") {
            count_rejection("bad_request");
            co_await reply(c, http::status::bad_request,
                           "https URLs go through CONNECT; absolute-form is for plain http");
            co_return;
        }
        // A forward holds an upstream connection as long as a tunnel does, so it takes one
        // of the same slots: otherwise plain HTTP would be a way around the cap.
        Slot slot(tunnels, alive, hooks.metrics);
        if (slot.over(view.limits.max_tunnels)) {
            co_await refuse_over_cap(c, view);
            co_return;
        }
        auto upstream_socket = co_await decide_and_dial(c, view, *target, "http");
        if (!upstream_socket) co_return;

        // Same parser, now with a body: Beast keeps the parsed head and framing state.
        http::request_parser<http::string_body> parser{std::move(head_parser)};
        parser.body_limit(view.limits.max_body_bytes);
        c.stream.expires_after(view.limits.idle_timeout);
        auto [bec, bn] = co_await http::async_read(c.stream, c.buffer, parser, kNoThrow);
        if (bec) {
            auto status = bec == http::error::body_limit ? http::status::payload_too_large
                                                         : http::status::bad_request;
            co_await reply(c, status, "request body: " + bec.message());
            co_return;
        }
        auto req = parser.release();
        const bool head_request = req.method() == http::verb::head;
        prepare_upstream_request(req, *target);

        beast::tcp_stream upstream(std::move(*upstream_socket));
        upstream.expires_after(view.limits.idle_timeout);
        auto [uwec, uwn] = co_await http::async_write(upstream, req, kNoThrow);
        if (uwec) {
            co_await reply(c, http::status::bad_gateway, "upstream write: " + uwec.message());
            co_return;
        }
        beast::flat_buffer ubuf;
        std::optional<http::response_parser<http::string_body>> rparser;
        // Interim responses (100 Continue, 103 Early Hints) come before the real one and are
        // not passed on: the client sees one final response on a connection that then closes.
        for (int interim = 0;; ++interim) {
            rparser.emplace();
            rparser->header_limit(static_cast<std::uint32_t>(view.limits.max_header_bytes));
            rparser->body_limit(view.limits.max_response_bytes);
            if (head_request) rparser->skip(true);
            upstream.expires_after(view.limits.idle_timeout);
            auto [urec, urn] = co_await http::async_read(upstream, ubuf, *rparser, kNoThrow);
            if (urec) {
                co_await reply(c, http::status::bad_gateway,
                               "upstream response: " + urec.message());
                co_return;
            }
            const unsigned status = rparser->get().result_int();
            if (status >= 200) break;
            // 101 would switch protocols, which the proxy never asks for (Upgrade is
            // stripped); a stream of interim responses is a broken or hostile upstream.
            if (status == 101 || interim >= kMaxInterimResponses) {
                co_await reply(c, http::status::bad_gateway,
                               "upstream sent " + std::to_string(status) +
                                   (status == 101 ? " Switching Protocols unasked"
                                                  : " interim responses without end"));
                co_return;
            }
        }
        auto res = rparser->release();
        prepare_client_response(res, head_request);
        c.stream.expires_after(view.limits.idle_timeout);
        // The connection closes after this response either way, so a failed write to the
        // client changes nothing.
        auto written = co_await http::async_write(c.stream, res, kNoThrow);
        (void)written;
        boost::system::error_code ignored;
        c.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
};

EgressProxy::EgressProxy(net::io_context& io, EgressHooks hooks)
    : impl_(std::make_unique<Impl>(io, std::move(hooks))) {}

EgressProxy::~EgressProxy() {
    // Tunnel coroutines still pending die with the io_context, after this proxy and after
    // the metrics it reports to; from here on they only touch their shared counter.
    impl_->alive->store(false);
}

Result<tcp::endpoint> EgressProxy::listen(const std::string& host, unsigned short port) {
    auto acceptor = open_listener(impl_->io, host, port, "egress");
    if (!acceptor.ok()) return acceptor.error();
    boost::system::error_code ec;
    auto bound = (*acceptor)->local_endpoint(ec);
    impl_->protected_ports.insert(bound.port());
    impl_->acceptors.push_back(std::move(*acceptor));
    return bound;
}

Status EgressProxy::adopt_listener(int fd) {
    auto acceptor = adopt_listener_fd(impl_->io, fd, "egress");
    if (!acceptor.ok()) return acceptor.error();
    if (auto port = bound_port_of(fd); port != 0) impl_->protected_ports.insert(port);
    impl_->acceptors.push_back(std::move(*acceptor));
    return ok_status();
}

void EgressProxy::protect_port(std::uint16_t port) {
    impl_->protected_ports.insert(port);
}

void EgressProxy::start() {
    for (auto& acceptor : impl_->acceptors) {
        net::co_spawn(impl_->io, impl_->accept_loop(*acceptor), net::detached);
    }
}

void EgressProxy::stop_accepting() {
    impl_->accepting.store(false);
    for (auto& acceptor : impl_->acceptors) {
        boost::system::error_code ignored;
        acceptor->close(ignored);
    }
}

std::size_t EgressProxy::active_tunnels() const {
    return impl_->tunnels->load();
}

}  // namespace kars::router::server
