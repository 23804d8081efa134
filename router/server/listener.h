// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Listening sockets for the router's two servers (inference and egress proxy): bound here
// from an address, or adopted from a descriptor the sandbox supervisor created inside the
// sandbox's network namespace.

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/result.h"

namespace kars::router::server {

// Binds and listens on host:port (port 0 picks a free one). `what` names the listener in
// error messages.
Result<std::unique_ptr<boost::asio::ip::tcp::acceptor>> open_listener(boost::asio::io_context& io,
                                                                      const std::string& host,
                                                                      unsigned short port,
                                                                      const std::string& what);

// Wraps an already-listening socket. The address family is read from the socket itself, so
// an IPv6 listener is adopted as IPv6.
Result<std::unique_ptr<boost::asio::ip::tcp::acceptor>> adopt_listener_fd(
    boost::asio::io_context& io, int fd, const std::string& what);

}  // namespace kars::router::server
