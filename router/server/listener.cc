// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/listener.h"

#include <sys/socket.h>

namespace kars::router::server {

namespace net = boost::asio;
using tcp = net::ip::tcp;

Result<std::unique_ptr<tcp::acceptor>> open_listener(net::io_context& io, const std::string& host,
                                                     unsigned short port, const std::string& what) {
    boost::system::error_code ec;
    auto address = net::ip::make_address(host, ec);
    if (ec) {
        return make_error("bad_listen_address", "cannot parse " + what + " address '" + host + "'");
    }
    auto acceptor = std::make_unique<tcp::acceptor>(io);
    tcp::endpoint ep(address, port);
    acceptor->open(ep.protocol(), ec);
    if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->bind(ep, ec);
    if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        return make_error("listen_failed", "cannot listen for " + what + " on " + host + ":" +
                                               std::to_string(port) + ": " + ec.message());
    }
    return acceptor;
}

Result<std::unique_ptr<tcp::acceptor>> adopt_listener_fd(net::io_context& io, int fd,
                                                         const std::string& what) {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        return make_error("adopt_failed",
                          "cannot adopt " + what + " fd " + std::to_string(fd) + ": not a socket");
    }
    boost::system::error_code ec;
    auto acceptor = std::make_unique<tcp::acceptor>(io);
    acceptor->assign(addr.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd, ec);
    if (ec) {
        return make_error("adopt_failed", "cannot adopt " + what + " fd: " + ec.message());
    }
    return acceptor;
}

}  // namespace kars::router::server
