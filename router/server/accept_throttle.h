// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// A failed accept (EMFILE when descriptors run out, ENOBUFS, ...) fails again at once for as
// long as the condition lasts. Retried without a pause, the accept loop spins on a core and
// writes millions of log lines. One throttle per accept loop: it pauses before the next
// attempt and logs at most one line a second, with how many failures it folded in.

#include <chrono>
#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

namespace kars::router::server {

class AcceptThrottle {
public:
    static constexpr std::chrono::milliseconds kPause{50};

    explicit AcceptThrottle(std::string listener) : listener_(std::move(listener)) {}

    // Logs (or counts) the failure, then waits kPause.
    boost::asio::awaitable<void> failed(const boost::system::error_code& ec);

private:
    std::string listener_;
    std::chrono::steady_clock::time_point last_log_{};
    std::uint64_t folded_ = 0;
};

}  // namespace kars::router::server
