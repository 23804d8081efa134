// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Reloads the egress policy when a file it is built from changes: blocklist files, the
// approvals directory (so `kars egress approve` takes effect without a signal) and the
// manifest. Polling, not inotify: it also sees files replaced by rename and directories
// mounted later, and needs no descriptor per file. A file that fails to load keeps the
// previous policy and is logged once per change.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "router/config/router_config.h"
#include "router/server/router_state.h"

namespace kars::router::server {

// A text that changes whenever one of the policy's input files changes: device, inode, size
// and modification time (nanoseconds) of each, or the error that stopped stat().
std::string egress_inputs_fingerprint(const config::RouterConfig& cfg);

class EgressWatch {
public:
    // `reloaded` runs after each successful reload (to announce the mode).
    EgressWatch(boost::asio::io_context& io, RouterState& state,
                std::function<void(const egress::EgressPolicy&)> reloaded);
    EgressWatch(const EgressWatch&) = delete;
    EgressWatch& operator=(const EgressWatch&) = delete;

    // Takes the current fingerprint as the baseline and starts polling at the snapshot's
    // egress.watch_interval (re-read each tick; 0 pauses polling until a reload sets it).
    void start();
    void stop();

private:
    void arm();
    void tick();

    boost::asio::io_context& io_;
    RouterState& state_;
    std::function<void(const egress::EgressPolicy&)> reloaded_;
    boost::asio::steady_timer timer_;
    std::string last_;
    // A reload in flight on the blocking pool; set and cleared on I/O threads.
    std::atomic<bool> busy_{false};
    std::atomic<bool> stopped_{false};
};

}  // namespace kars::router::server
