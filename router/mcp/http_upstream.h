// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// A remote MCP server spoken to over streamable HTTP. The router holds its credential (a
// bearer token read from the router's environment) and its session id; the agent sees
// neither. Redirects are not followed: a server that moved is reconfigured, not chased.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "router/mcp/upstream.h"

namespace kars::router::mcp {

struct HttpOptions {
    std::string server;  // McpServer name, for logs and errors
    std::string url;     // http(s)://host[:port]/path
    std::string bearer;  // sent as Authorization: Bearer when set
    std::string ca_file;
    std::size_t max_message_bytes = 4 * 1024 * 1024;
    std::chrono::milliseconds init_timeout{30'000};
};

Result<std::shared_ptr<McpUpstream>> make_http_upstream(boost::asio::any_io_executor executor,
                                                        HttpOptions options);

}  // namespace kars::router::mcp
