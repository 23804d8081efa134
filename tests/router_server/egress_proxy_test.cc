// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/egress_proxy.h"

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/time.h>

#include <mutex>
#include <thread>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace kars::router::server {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

void set_read_timeout(tcp::socket& s, int ms) {
    timeval tv{ms / 1000, (ms % 1000) * 1000};
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

// A blocking loopback server on port 0; each connection runs `serve` on its own thread.
// The destructor shuts every connection down and joins its thread before the io_context
// goes, so no socket outlives the context it belongs to.
class LocalServer {
public:
    explicit LocalServer(std::function<void(tcp::socket&)> serve)
        : acceptor_(io_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)),
          serve_(std::move(serve)) {
        port_ = acceptor_.local_endpoint().port();
        thread_ = std::thread([this] {
            while (true) {
                auto s = std::make_shared<tcp::socket>(io_);
                boost::system::error_code ec;
                acceptor_.accept(*s, ec);
                if (ec || stopping_) return;
                std::lock_guard lock(mu_);
                fds_.push_back(s->native_handle());
                workers_.emplace_back([this, s] {
                    set_read_timeout(*s, 5000);
                    serve_(*s);
                });
            }
        });
    }
    ~LocalServer() {
        stopping_ = true;
        boost::system::error_code ec;
        tcp::socket poke(io_);
        poke.connect(acceptor_.local_endpoint(), ec);
        thread_.join();
        std::lock_guard lock(mu_);
        for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);  // wakes a blocked read
        for (auto& t : workers_) t.join();
    }
    std::uint16_t port() const { return port_; }

private:
    net::io_context io_;
    tcp::acceptor acceptor_;
    std::function<void(tcp::socket&)> serve_;
    std::atomic<bool> stopping_{false};
    std::uint16_t port_ = 0;
    std::thread thread_;
    std::mutex mu_;
    std::vector<int> fds_;
    std::vector<std::thread> workers_;
};

void echo(tcp::socket& s) {
    std::array<char, 4096> buf{};
    boost::system::error_code ec;
    while (true) {
        auto n = s.read_some(net::buffer(buf), ec);
        if (ec) return;
        net::write(s, net::buffer(buf.data(), n), ec);
        if (ec) return;
    }
}

// Reads up to the end of one request head; empty when the connection ends first.
std::string read_request_head(tcp::socket& s) {
    std::string head;
    std::array<char, 4096> buf{};
    boost::system::error_code ec;
    while (head.find("\r\n\r\n") == std::string::npos) {
        auto n = s.read_some(net::buffer(buf), ec);
        if (ec) return {};
        head.append(buf.data(), n);
    }
    return head.substr(0, head.find("\r\n\r\n") + 4);
}

// Answers one request with its own head as the body, so a test sees what the proxy sent.
void reflect_head(tcp::socket& s) {
    std::string head = read_request_head(s);
    if (head.empty()) return;
    boost::system::error_code ec;
    std::string res = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(head.size()) +
                      "\r\nConnection: keep-alive\r\n\r\n" + head;
    net::write(s, net::buffer(res), ec);
}

// Sends "100 Continue" before a final 200, then a 204 without a length: a proxy must pass on
// the final response only, and no body framing on the 204.
void interim_then_final(tcp::socket& s) {
    std::string head = read_request_head(s);
    if (head.empty()) return;
    boost::system::error_code ec;
    std::string res =
        head.find("/empty") != std::string::npos
            ? "HTTP/1.1 204 No Content\r\n\r\n"
            : "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
              "Link: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal";
    net::write(s, net::buffer(res), ec);
}

class EgressProxyTest : public ::testing::Test {
protected:
    void SetUp() override {
        EgressHooks hooks;
        hooks.sandbox = "sb";
        hooks.current = [this] {
            std::lock_guard lock(mu_);
            return EgressView{policy_, limits_};
        };
        hooks.record = [this](audit::Event e) {
            std::lock_guard lock(mu_);
            events_.push_back(std::move(e));
            return true;
        };
        proxy_ = std::make_unique<EgressProxy>(io_, std::move(hooks));
        auto ep = proxy_->listen("127.0.0.1", 0);
        ASSERT_TRUE(ep.ok());
        port_ = ep->port();

        // Loopback is a special address: each port is opened explicitly, including the
        // proxy's own port, which the proxy must refuse anyway.
        auto policy = std::make_shared<egress::EgressPolicy>();
        for (auto port : {echo_.port(), http_.port(), interim_.port(), port_}) {
            auto entry = egress::parse_allow_entry("127.0.0.1", port, "test");
            ASSERT_TRUE(entry.ok());
            policy->allowlist.add(*entry);
        }
        // An entry naming the unspecified address still never gets it dialed.
        auto unspecified = egress::parse_allow_entry("0.0.0.0", echo_.port(), "test");
        ASSERT_TRUE(unspecified.ok());
        policy->allowlist.add(*unspecified);
        policy_ = policy;
        limits_.header_timeout = std::chrono::milliseconds(500);
        proxy_->start();
        thread_ = std::thread([this] { io_.run(); });
    }

    void TearDown() override {
        proxy_->stop_accepting();
        io_.stop();
        thread_.join();
    }

    tcp::socket open() {
        tcp::socket s(client_io_);
        s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
        set_read_timeout(s, 3000);
        return s;
    }

    // Reads until the end of a response head; returns the head.
    static std::string read_head(tcp::socket& s) {
        std::string out;
        char c = 0;
        boost::system::error_code ec;
        while (out.find("\r\n\r\n") == std::string::npos) {
            if (net::read(s, net::buffer(&c, 1), ec) != 1) break;
            out.push_back(c);
        }
        return out;
    }

    static std::string read_all(tcp::socket& s) {
        std::string out;
        std::array<char, 4096> buf{};
        boost::system::error_code ec;
        while (true) {
            auto n = s.read_some(net::buffer(buf), ec);
            if (ec) break;
            out.append(buf.data(), n);
        }
        return out;
    }

    std::string exchange(const std::string& bytes) {
        auto s = open();
        net::write(s, net::buffer(bytes));
        return read_all(s);
    }

    std::vector<audit::Event> events() {
        std::lock_guard lock(mu_);
        return events_;
    }

    std::string connect_line(std::uint16_t port) {
        return "CONNECT 127.0.0.1:" + std::to_string(port) +
               " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n\r\n";
    }

    LocalServer echo_{echo};
    LocalServer http_{reflect_head};
    LocalServer interim_{interim_then_final};
    net::io_context io_{1};
    net::io_context client_io_;
    std::unique_ptr<EgressProxy> proxy_;
    std::thread thread_;
    std::uint16_t port_ = 0;
    std::mutex mu_;
    std::shared_ptr<const egress::EgressPolicy> policy_;
    EgressLimits limits_;
    std::vector<audit::Event> events_;
};

// Bytes pipelined behind the CONNECT head (a TLS ClientHello) reach the upstream first.
TEST_F(EgressProxyTest, ConnectRelaysBothWaysIncludingPipelinedBytes) {
    auto s = open();
    net::write(s, net::buffer(connect_line(echo_.port()) + "early"));
    EXPECT_NE(read_head(s).find("HTTP/1.1 200"), std::string::npos);
    std::string early(5, '\0');
    net::read(s, net::buffer(early));
    EXPECT_EQ(early, "early");
    net::write(s, net::buffer(std::string("later")));
    std::string later(5, '\0');
    net::read(s, net::buffer(later));
    EXPECT_EQ(later, "later");

    auto ev = events();
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].action, "egress:127.0.0.1:" + std::to_string(echo_.port()));
    EXPECT_EQ(ev[0].decision, "allow");
    EXPECT_EQ(ev[0].policy_kind, "EgressAllowlist");
}

TEST_F(EgressProxyTest, ConnectToUnlistedHostIs403NamingTheRule) {
    auto out = exchange("CONNECT 93.184.216.34:443 HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_NE(out.find("HTTP/1.1 403"), std::string::npos) << out;
    EXPECT_NE(out.find("93.184.216.34"), std::string::npos) << out;
    EXPECT_NE(out.find("not in allowlist"), std::string::npos) << out;
    auto ev = events();
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].decision, "deny");
    EXPECT_EQ(ev[0].action, "egress:93.184.216.34:443");
}

TEST_F(EgressProxyTest, LoopbackOnUnlistedPortIsRefused) {
    auto out = exchange(connect_line(1));
    EXPECT_NE(out.find("HTTP/1.1 403"), std::string::npos) << out;
}

TEST_F(EgressProxyTest, ConnectToOwnListenerIsRefusedEvenWhenAllowlisted) {
    auto out = exchange(connect_line(port_));
    EXPECT_NE(out.find("HTTP/1.1 403"), std::string::npos) << out;
    EXPECT_NE(out.find("router's own listeners"), std::string::npos) << out;
    auto ev = events();
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].decision, "deny");
}

// RFC 9112 section 3.2.2: the target's authority wins; Host is rewritten, Proxy-* dropped.
TEST_F(EgressProxyTest, AbsoluteFormRewritesHostAndStripsProxyFields) {
    auto port = std::to_string(http_.port());
    auto out = exchange("GET http://127.0.0.1:" + port +
                        "/path?q=1 HTTP/1.1\r\nHost: evil.test\r\nProxy-Authorization: Basic "
                        "eA==\r\nProxy-Connection: keep-alive\r\nX-Keep: yes\r\n\r\n");
    EXPECT_NE(out.find("HTTP/1.1 200"), std::string::npos) << out;
    EXPECT_NE(out.find("GET /path?q=1 HTTP/1.1"), std::string::npos) << out;
    EXPECT_NE(out.find("Host: 127.0.0.1:" + port), std::string::npos) << out;
    EXPECT_NE(out.find("X-Keep: yes"), std::string::npos) << out;
    EXPECT_EQ(out.find("evil.test"), std::string::npos) << out;
    EXPECT_EQ(out.find("Proxy-"), std::string::npos) << out;
    EXPECT_NE(out.find("Connection: close"), std::string::npos) << out;
}

TEST_F(EgressProxyTest, SmugglingShapesAre400) {
    const std::string start =
        "POST http://127.0.0.1:" + std::to_string(http_.port()) + "/ HTTP/1.1\r\nHost: h\r\n";
    const std::vector<std::string> shapes = {
        "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n",
        "Content-Length: 4\r\nContent-Length: 4\r\n\r\nabcd",
        "Content-Length: 4\r\nContent-Length: 5\r\n\r\nabcde",
        "Transfer-Encoding: gzip\r\n\r\nabcd",
        "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
        "Content-Length: -1\r\n\r\n",
    };
    for (const auto& shape : shapes) {
        auto out = exchange(start + shape);
        EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0u) << shape << "\n" << out;
    }
    EXPECT_TRUE(events().empty());  // refused before any decision or upstream byte
}

TEST_F(EgressProxyTest, ChunkedBodyIsForwardedWithALength) {
    auto out = exchange("POST http://127.0.0.1:" + std::to_string(http_.port()) +
                        "/ HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "4\r\nabcd\r\n0\r\n\r\n");
    EXPECT_NE(out.find("HTTP/1.1 200"), std::string::npos) << out;
    EXPECT_NE(out.find("Content-Length: 4"), std::string::npos) << out;
    EXPECT_EQ(out.find("Transfer-Encoding"), std::string::npos) << out;
}

TEST_F(EgressProxyTest, OriginFormIs400AndAuthorityFormWithoutConnectIs405) {
    auto origin = exchange("GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    EXPECT_EQ(origin.rfind("HTTP/1.1 400", 0), 0u) << origin;
    auto authority = exchange("GET 127.0.0.1:80 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    EXPECT_EQ(authority.rfind("HTTP/1.1 405", 0), 0u) << authority;
    auto https = exchange("GET https://127.0.0.1/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    EXPECT_EQ(https.rfind("HTTP/1.1 400", 0), 0u) << https;
}

TEST_F(EgressProxyTest, OversizedHeadIsRefused) {
    auto out = exchange("GET http://127.0.0.1/ HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') +
                        "\r\n\r\n");
    EXPECT_EQ(out.rfind("HTTP/1.1 431", 0), 0u) << out.substr(0, 200);
}

TEST_F(EgressProxyTest, SlowHeadIsClosed) {
    auto s = open();
    net::write(s, net::buffer(std::string("CONNECT 127.0.0.1:1 HTTP/1.1\r\n")));
    auto started = std::chrono::steady_clock::now();
    auto out = read_all(s);
    EXPECT_TRUE(out.empty());
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(2500));
}

TEST_F(EgressProxyTest, TunnelCapAnswers503) {
    {
        std::lock_guard lock(mu_);
        limits_.max_tunnels = 1;
    }
    auto first = open();
    net::write(first, net::buffer(connect_line(echo_.port())));
    ASSERT_NE(read_head(first).find("HTTP/1.1 200"), std::string::npos);
    auto out = exchange(connect_line(echo_.port()));
    EXPECT_EQ(out.rfind("HTTP/1.1 503", 0), 0u) << out;
    // The refused connection's bookkeeping finishes on the proxy's thread after the 503 is
    // written; wait for it to settle rather than racing it.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (proxy_->active_tunnels() != 1u && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_EQ(proxy_->active_tunnels(), 1u);
}

TEST_F(EgressProxyTest, IdleTunnelIsClosed) {
    {
        std::lock_guard lock(mu_);
        limits_.idle_timeout = std::chrono::milliseconds(300);
    }
    auto s = open();
    net::write(s, net::buffer(connect_line(echo_.port())));
    ASSERT_NE(read_head(s).find("HTTP/1.1 200"), std::string::npos);
    auto started = std::chrono::steady_clock::now();
    std::array<char, 16> buf{};
    boost::system::error_code ec;
    s.read_some(net::buffer(buf), ec);
    EXPECT_EQ(ec, net::error::eof);
    auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_GE(waited, std::chrono::milliseconds(250));
    EXPECT_LT(waited, std::chrono::milliseconds(2000));
}

}  // namespace
}  // namespace kars::router::server

namespace kars::router::server {
namespace {

TEST_F(EgressProxyTest, PlainHttpForwardsCountAgainstTheTunnelCap) {
    {
        std::lock_guard lock(mu_);
        limits_.max_tunnels = 1;
    }
    // A forward whose body is still coming holds its upstream connection, and its slot.
    auto held = open();
    net::write(held, net::buffer("POST http://127.0.0.1:" + std::to_string(http_.port()) +
                                 "/x HTTP/1.1\r\nContent-Length: 100000\r\n\r\nabc"));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (proxy_->active_tunnels() != 1u && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(proxy_->active_tunnels(), 1u);
    auto out =
        exchange("GET http://127.0.0.1:" + std::to_string(http_.port()) + "/y HTTP/1.1\r\n\r\n");
    EXPECT_EQ(out.rfind("HTTP/1.1 503", 0), 0u) << out;
    auto tunnel = exchange(connect_line(echo_.port()));
    EXPECT_EQ(tunnel.rfind("HTTP/1.1 503", 0), 0u) << tunnel;
}

TEST_F(EgressProxyTest, OnlyTheFinalResponseIsPassedOn) {
    auto port = std::to_string(interim_.port());
    auto out = exchange("GET http://127.0.0.1:" + port + "/ HTTP/1.1\r\n\r\n");
    EXPECT_EQ(out.rfind("HTTP/1.1 200", 0), 0u) << out;
    EXPECT_EQ(out.find("100 Continue"), std::string::npos) << out;
    EXPECT_EQ(out.find("Early Hints"), std::string::npos) << out;
    EXPECT_NE(out.find("final"), std::string::npos) << out;
    auto empty = exchange("GET http://127.0.0.1:" + port + "/empty HTTP/1.1\r\n\r\n");
    EXPECT_EQ(empty.rfind("HTTP/1.1 204", 0), 0u) << empty;
    EXPECT_EQ(empty.find("Content-Length"), std::string::npos) << empty;
}

TEST_F(EgressProxyTest, TheUnspecifiedAddressIsNeverDialedButAMappedOneIs) {
    auto port = std::to_string(echo_.port());
    for (const std::string host : {"0.0.0.0", "[::]", "0"}) {
        auto out = exchange("CONNECT " + host + ":" + port + " HTTP/1.1\r\n\r\n");
        EXPECT_EQ(out.rfind("HTTP/1.1 403", 0), 0u) << host << ": " << out;
    }
    // ::ffff:127.0.0.1 and ::127.0.0.1 are judged as 127.0.0.1 and dialed as 127.0.0.1.
    for (const std::string host : {"[::ffff:127.0.0.1]", "[::127.0.0.1]"}) {
        auto s = open();
        net::write(s, net::buffer("CONNECT " + host + ":" + port + " HTTP/1.1\r\n\r\nping"));
        EXPECT_NE(read_head(s).find("HTTP/1.1 200"), std::string::npos) << host;
        std::array<char, 4> buf{};
        net::read(s, net::buffer(buf));
        EXPECT_EQ(std::string(buf.data(), 4), "ping") << host;
    }
    // IPv6 hosts are bracketed in audit actions, so host and port split unambiguously.
    bool bracketed = false;
    for (const auto& e : events()) {
        bracketed |= e.action.rfind("egress:[", 0) == 0 && e.action.ends_with("]:" + port);
    }
    EXPECT_TRUE(bracketed);
}

TEST_F(EgressProxyTest, ATrailingDotBeforeThePortIsABadTarget) {
    auto out = exchange("GET http://127.0.0.1.:" + std::to_string(http_.port()) +
                        "/secret HTTP/1.1\r\n\r\n");
    EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0u) << out;
}

}  // namespace
}  // namespace kars::router::server
