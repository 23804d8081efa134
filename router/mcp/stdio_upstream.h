// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// A local MCP server spoken to over its stdin/stdout (newline-delimited JSON-RPC). The
// router starts it on first use, outside the agent's sandbox, with only the environment
// its McpServer resource names. Lines that are not JSON-RPC are logged and skipped: many
// servers print banners to stdout, and one stray line must not take the tools down.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "router/mcp/upstream.h"

namespace kars::router::mcp {

struct StdioOptions {
    std::string server;  // McpServer name, for logs and errors
    std::vector<std::string> argv;
    std::vector<std::string> env;  // "NAME=value", complete (nothing is inherited)
    std::string cwd;
    std::size_t max_message_bytes = 4 * 1024 * 1024;
    // A server that died is started again on the next request, but not more often than this.
    std::chrono::milliseconds restart_backoff{2'000};
    std::chrono::milliseconds init_timeout{30'000};
};

std::shared_ptr<McpUpstream> make_stdio_upstream(boost::asio::any_io_executor executor,
                                                 StdioOptions options);

}  // namespace kars::router::mcp
