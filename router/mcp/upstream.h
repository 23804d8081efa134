// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// One MCP server the gateway talks to on the agent's behalf, whatever its transport. The
// gateway only ever needs request/response exchanges (tools/list, tools/call): it never
// relays server-initiated requests to the agent, so a server cannot reach the agent (or
// ask it to sample a model) except through the tool results policy already let through.

#include <chrono>
#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/result.h"

namespace kars::router::mcp {

// Protocol versions the gateway speaks, newest first. The first is offered to servers
// and answered to clients that ask for a version the gateway does not know.
inline constexpr std::string_view kProtocolVersions[] = {"2025-11-25", "2025-06-18", "2025-03-26",
                                                         "2024-11-05"};

bool is_supported_protocol_version(std::string_view version);

// One server session: a started process, or an initialised HTTP session. A server may
// define its tools differently in each, so the gateway ties what it checked to the session
// that listed it. Numbers start at 1 and only grow.
using SessionNumber = std::uint64_t;

struct UpstreamReply {
    boost::json::object message;  // the whole response message: `result` or `error`
    SessionNumber session = 0;    // the session that answered
};

class McpUpstream {
public:
    virtual ~McpUpstream() = default;

    // Sends one request and returns the server's whole response message. Errors are
    // transport failures: the server could not be started or reached, it answered garbage,
    // or it did not answer within `timeout`. Error codes: "mcp_unavailable", "mcp_timeout",
    // "mcp_protocol", "mcp_too_large", "mcp_restarted". The first request of a session
    // performs the MCP initialize handshake.
    //
    // `within` 0 sends in the current session, starting one if there is none. Otherwise the
    // request is sent only in that session: if the server has been restarted or
    // re-initialised since, nothing is sent and the error is "mcp_restarted".
    virtual boost::asio::awaitable<Result<UpstreamReply>> request(std::string method,
                                                                  boost::json::value params,
                                                                  std::chrono::milliseconds timeout,
                                                                  SessionNumber within) = 0;

    // True when the server said its tool list changed since the last tools/list.
    virtual bool tools_changed() const = 0;
    virtual void clear_tools_changed() = 0;

    // The server is no longer configured: pending requests fail and a local process is
    // stopped in the background (stdin closed, then its process group signalled). Safe
    // while the I/O threads run.
    virtual void retire() = 0;

    // The router is exiting and its I/O threads have stopped: a local process and its whole
    // process group are stopped before this returns (at most about two seconds).
    virtual void terminate() = 0;
};

}  // namespace kars::router::mcp
