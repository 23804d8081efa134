// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/http_probe.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace kars::cli {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

template <typename Request>
Result<ProbeResponse> exchange(std::uint16_t port, Request& req, bool head_only,
                               std::chrono::milliseconds timeout) {
    net::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(timeout);
    beast::error_code ec;
    stream.connect(tcp::endpoint(net::ip::make_address_v4("127.0.0.1"), port), ec);
    if (ec) {
        return make_error("router_unreachable",
                          "connect 127.0.0.1:" + std::to_string(port) + ": " + ec.message());
    }
    if (req.find(http::field::host) == req.end()) {
        req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    }
    req.prepare_payload();
    http::write(stream, req, ec);
    if (ec) return make_error("router_io", "write: " + ec.message());
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(8 * 1024 * 1024);
    // A CONNECT answer has no body; a 2xx one is followed by tunnel bytes, not HTTP.
    if (head_only) parser.skip(true);
    http::read(stream, buffer, parser, ec);
    if (ec && !(head_only && ec == http::error::end_of_stream)) {
        return make_error("router_io", "read: " + ec.message());
    }
    ProbeResponse out;
    const auto& res = parser.get();
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    out.trace_id = std::string(res["x-kars-trace-id"]);
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return out;
}

}  // namespace

Result<ProbeResponse> post_json(std::uint16_t port, const std::string& target,
                                const std::string& body, const std::string& trace_id,
                                std::chrono::milliseconds timeout) {
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::content_type, "application/json");
    if (!trace_id.empty()) req.set("x-kars-trace-id", trace_id);
    req.body() = body;
    return exchange(port, req, false, timeout);
}

Result<ProbeResponse> connect_via_proxy(std::uint16_t proxy_port, const std::string& host,
                                        std::uint16_t port, std::chrono::milliseconds timeout) {
    // IPv6 literals are bracketed in an authority.
    std::string authority = host.find(':') != std::string::npos && host.front() != '['
                                ? "[" + host + "]:" + std::to_string(port)
                                : host + ":" + std::to_string(port);
    http::request<http::empty_body> req{http::verb::connect, authority, 11};
    req.set(http::field::host, authority);
    return exchange(proxy_port, req, true, timeout);
}

}  // namespace kars::cli
