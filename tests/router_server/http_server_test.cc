// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/http_server.h"

#include <gtest/gtest.h>

#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace kars::router::server {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// A server on an ephemeral port with a plain handler and a streaming handler, driven by raw
// sockets so each test controls the exact bytes on the wire.
class HttpServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        ServerLimits limits;
        limits.max_body_bytes = 64;
        limits.max_header_count = 10;
        limits.header_timeout = std::chrono::milliseconds(300);
        server_ = std::make_unique<HttpServer>(io_, limits);
        server_->route(http::verb::post, "/echo",
                       [](Request& req, ResponseWriter& w) -> net::awaitable<void> {
                           co_await w.send(200, "text/plain", req.message.body());
                       });
        server_->route(http::verb::get, "/stream",
                       [](Request&, ResponseWriter& w) -> net::awaitable<void> {
                           co_await w.begin_stream(200, "text/event-stream");
                           co_await w.write_chunk("data: 1\n\n");
                           co_await w.write_chunk("data: 2\n\n");
                           co_await w.end_stream();
                       });
        auto ep = server_->listen("127.0.0.1", 0);
        ASSERT_TRUE(ep.ok());
        port_ = ep->port();
        server_->start();
        thread_ = std::thread([this] { io_.run(); });
    }

    void TearDown() override {
        io_.stop();
        thread_.join();
    }

    // Sends raw bytes and returns everything the server writes until it closes or the
    // deadline passes.
    std::string exchange(const std::string& bytes, bool half_close = true) {
        net::io_context io;
        tcp::socket s(io);
        s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
        net::write(s, net::buffer(bytes));
        if (half_close) s.shutdown(tcp::socket::shutdown_send);
        std::string out;
        boost::system::error_code ec;
        std::array<char, 4096> buf{};
        while (true) {
            std::size_t n = s.read_some(net::buffer(buf), ec);
            if (ec) break;
            out.append(buf.data(), n);
        }
        return out;
    }

    net::io_context io_;
    std::unique_ptr<HttpServer> server_;
    std::thread thread_;
    unsigned short port_ = 0;
};

TEST_F(HttpServerTest, EchoesBodyAndTraceId) {
    auto out = exchange(
        "POST /echo HTTP/1.1\r\nHost: x\r\nx-kars-trace-id: abc_DEF-1\r\nContent-Length: 5\r\n"
        "Connection: close\r\n\r\nhello");
    EXPECT_NE(out.find("HTTP/1.1 200"), std::string::npos);
    EXPECT_NE(out.find("x-kars-trace-id: abc_DEF-1"), std::string::npos);
    EXPECT_NE(out.find("\r\n\r\nhello"), std::string::npos);
}

// A caller-chosen trace id with characters outside the safe set could inject into logs; it
// is replaced by a fresh one.
TEST_F(HttpServerTest, ReplacesUnsafeTraceId) {
    auto out = exchange(
        "POST /echo HTTP/1.1\r\nHost: x\r\nx-kars-trace-id: a\"b\r\nContent-Length: 0\r\n"
        "Connection: close\r\n\r\n");
    auto pos = out.find("x-kars-trace-id: ");
    ASSERT_NE(pos, std::string::npos);
    auto id = out.substr(pos + 17, 16);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
}

TEST_F(HttpServerTest, RefusesDeclaredOversizeBodyWith413) {
    auto out = exchange("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");
    EXPECT_NE(out.find("HTTP/1.1 413"), std::string::npos) << out;
    EXPECT_NE(out.find("\"type\":\"invalid_request_error\""), std::string::npos);
}

TEST_F(HttpServerTest, RefusesChunkedOversizeBodyWith413) {
    std::string body(100, 'a');
    auto out =
        exchange("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" +
                 body + "\r\n0\r\n\r\n");
    EXPECT_NE(out.find("HTTP/1.1 413"), std::string::npos) << out;
}

TEST_F(HttpServerTest, RefusesTooManyHeadersWith431) {
    std::string req = "GET /stream HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 20; ++i) req += "X-H" + std::to_string(i) + ": v\r\n";
    auto out = exchange(req + "\r\n");
    EXPECT_NE(out.find("HTTP/1.1 431"), std::string::npos) << out;
}

TEST_F(HttpServerTest, MalformedRequestGets400NotACrash) {
    auto out = exchange("BLAH\r\n\r\n");
    EXPECT_NE(out.find("HTTP/1.1 400"), std::string::npos) << out;
    auto again = exchange(
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    EXPECT_NE(again.find("HTTP/1.1 200"), std::string::npos);
}

TEST_F(HttpServerTest, UnknownRouteIs404AndWrongMethodIs405) {
    EXPECT_NE(
        exchange("GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").find("HTTP/1.1 404"),
        std::string::npos);
    EXPECT_NE(
        exchange("GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").find("HTTP/1.1 405"),
        std::string::npos);
}

// A client that never finishes its request head is disconnected after the header timeout
// instead of holding a connection forever.
TEST_F(HttpServerTest, SlowHeaderIsCutOffAfterTimeout) {
    auto start = std::chrono::steady_clock::now();
    auto out = exchange("POST /echo HTTP/1.1\r\nHost: x\r\n", /*half_close=*/false);
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(out.find("HTTP/1.1 200"), std::string::npos);
    EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST_F(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
    auto out = exchange(
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\none"
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\ntwo");
    EXPECT_NE(out.find("one"), std::string::npos);
    EXPECT_NE(out.find("two"), std::string::npos);
}

TEST_F(HttpServerTest, StreamsChunkedEvents) {
    auto out = exchange("GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_NE(out.find("Transfer-Encoding: chunked"), std::string::npos) << out;
    EXPECT_NE(out.find("data: 1\n\n"), std::string::npos);
    EXPECT_NE(out.find("data: 2\n\n"), std::string::npos);
    EXPECT_NE(out.find("\r\n0\r\n\r\n"), std::string::npos);
}

TEST(TraceId, AcceptsSafeIdsOnly) {
    EXPECT_EQ(choose_trace_id("abc-123_X"), "abc-123_X");
    EXPECT_EQ(choose_trace_id(std::string(129, 'a')).size(), 16u);
    EXPECT_EQ(choose_trace_id("").size(), 16u);
    EXPECT_NE(choose_trace_id("a b"), "a b");
}

}  // namespace
}  // namespace kars::router::server
