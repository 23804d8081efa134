// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Reloads part of the router's policy when a file it is built from changes, so that
// `kars egress approve`, an edited blocklist, profile or manifest takes effect without a
// signal. Polling, not inotify: it also sees files replaced by rename and directories
// mounted later, and needs no descriptor per file. A file that fails to load keeps the
// previous policy and is logged once per change.
//
// Two watches run: the egress policy (blocklists, the approvals directory, the manifest)
// and the governance policy (profile files and the manifest, whose ToolPolicy, McpServer
// and InferencePolicy resources it reads); the second reloads the whole configuration, as
// SIGHUP does.

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

// Texts that change whenever one of the inputs changes: device, inode, size and
// modification time (nanoseconds) of each file, or the error that stopped stat().
std::string egress_inputs_fingerprint(const config::RouterConfig& cfg);
std::string policy_inputs_fingerprint(const config::RouterConfig& cfg);

struct WatchedInputs {
    std::string what;  // for log lines: "egress policy", "governance policy"
    std::function<std::string(const config::RouterConfig&)> fingerprint;
    std::function<std::chrono::milliseconds(const config::RouterConfig&)> interval;  // 0: off
    std::function<Status()> reload;  // runs on the blocking pool
    std::function<void()> reloaded;  // after a successful reload, on an I/O thread
};

class InputWatch {
public:
    InputWatch(boost::asio::io_context& io, RouterState& state, WatchedInputs inputs);
    InputWatch(const InputWatch&) = delete;
    InputWatch& operator=(const InputWatch&) = delete;

    // Takes the current fingerprint as the baseline and starts polling at the interval
    // (re-read each tick from the snapshot; 0 pauses polling until a reload sets it).
    void start();
    void stop();

private:
    void arm();
    void tick();

    boost::asio::io_context& io_;
    RouterState& state_;
    WatchedInputs inputs_;
    boost::asio::steady_timer timer_;
    std::string last_;
    // A reload in flight on the blocking pool; set and cleared on I/O threads.
    std::atomic<bool> busy_{false};
    std::atomic<bool> stopped_{false};
};

}  // namespace kars::router::server
