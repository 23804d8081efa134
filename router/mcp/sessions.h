// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// MCP sessions of the gateway. An id is 32 random bytes in hex, minted only by initialize
// and bound to the sandbox the router serves; any other id, or one idle for too long, is
// unknown, and MCP clients answer the 404 that earns by initialising again. The table is
// bounded: when full, the session idle for longest makes room.

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace kars::router::mcp {

struct SessionInfo {
    std::string sandbox;
    std::string protocol_version;
    std::string client_name;  // clientInfo.name, for audit reasons and logs
    std::chrono::steady_clock::time_point created;
    std::chrono::steady_clock::time_point last_used;
};

class SessionTable {
public:
    using Clock = std::chrono::steady_clock;

    SessionTable(std::size_t max_sessions, std::chrono::seconds idle_timeout)
        : max_(max_sessions), idle_(idle_timeout) {}

    void set_limits(std::size_t max_sessions, std::chrono::seconds idle_timeout);

    // A fresh session; returns its id.
    std::string open(std::string sandbox, std::string protocol_version, std::string client_name,
                     Clock::time_point now = Clock::now());

    // The session `id` of `sandbox` if it exists and is not idle-expired; marks it used.
    std::optional<SessionInfo> touch(std::string_view id, std::string_view sandbox,
                                     Clock::time_point now = Clock::now());

    // Ends a session; false when there was none.
    bool close(std::string_view id, std::string_view sandbox);

    std::size_t size() const;

private:
    void evict_expired(Clock::time_point now);

    mutable std::mutex mu_;
    std::size_t max_;
    std::chrono::seconds idle_;
    std::map<std::string, SessionInfo, std::less<>> sessions_;
};

}  // namespace kars::router::mcp
