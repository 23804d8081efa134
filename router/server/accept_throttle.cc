// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/accept_throttle.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace kars::router::server {

namespace net = boost::asio;

net::awaitable<void> AcceptThrottle::failed(const boost::system::error_code& ec) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_log_ >= std::chrono::seconds(1)) {
        if (folded_ > 0) {
            spdlog::warn("{} accept failed: {} (and {} more failures in the last second)",
                         listener_, ec.message(), folded_);
        } else {
            spdlog::warn("{} accept failed: {}", listener_, ec.message());
        }
        last_log_ = now;
        folded_ = 0;
    } else {
        ++folded_;
    }
    net::steady_timer pause(co_await net::this_coro::executor);
    pause.expires_after(kPause);
    co_await pause.async_wait(net::as_tuple(net::use_awaitable));
}

}  // namespace kars::router::server
