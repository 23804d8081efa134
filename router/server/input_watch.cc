// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/input_watch.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

namespace kars::router::server {

namespace fs = std::filesystem;
namespace net = boost::asio;

namespace {

void stamp(std::string& out, const std::string& path) {
    struct stat st {};
    out += path;
    if (::stat(path.c_str(), &st) != 0) {
        out += " error ";
        out += std::strerror(errno);
    } else {
        out += ' ' + std::to_string(st.st_dev) + ':' + std::to_string(st.st_ino) + ' ' +
               std::to_string(st.st_size) + ' ' + std::to_string(st.st_mtim.tv_sec) + '.' +
               std::to_string(st.st_mtim.tv_nsec);
    }
    out += '\n';
}

}  // namespace

std::string egress_inputs_fingerprint(const config::RouterConfig& cfg) {
    std::string out;
    for (const auto& bl : cfg.egress.blocklists) stamp(out, bl.path);
    if (!cfg.manifest.empty()) stamp(out, cfg.manifest);
    const auto& dir = cfg.egress.approvals_dir;
    if (!dir.empty()) {
        stamp(out, dir);
        // Per file, not only the directory: an approval rewritten in place changes no
        // directory entry.
        std::vector<std::string> files;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(dir, ec)) files.push_back(e.path().string());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) stamp(out, f);
    }
    return out;
}

std::string policy_inputs_fingerprint(const config::RouterConfig& cfg) {
    std::string out;
    for (const auto& p : cfg.governance.profiles) stamp(out, p);
    if (!cfg.manifest.empty()) stamp(out, cfg.manifest);
    return out;
}

InputWatch::InputWatch(net::io_context& io, RouterState& state, WatchedInputs inputs)
    : io_(io), state_(state), inputs_(std::move(inputs)), timer_(io) {}

void InputWatch::start() {
    last_ = inputs_.fingerprint(state_.snapshot()->config);
    arm();
}

void InputWatch::stop() {
    stopped_ = true;
    timer_.cancel();
}

void InputWatch::arm() {
    if (stopped_) return;
    auto interval = inputs_.interval(state_.snapshot()->config);
    // Off: look again in a while, in case a SIGHUP reload turns it on.
    if (interval.count() == 0) interval = std::chrono::seconds(5);
    timer_.expires_after(interval);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec || stopped_) return;
        tick();
        arm();
    });
}

void InputWatch::tick() {
    auto snap = state_.snapshot();
    if (inputs_.interval(snap->config).count() == 0 || busy_.load()) return;
    auto now = inputs_.fingerprint(snap->config);
    if (now == last_) return;
    // Remembered before the reload, so a file that fails to load is reported once per
    // change rather than on every tick.
    last_ = std::move(now);
    busy_.store(true);
    // Parsing a feed-sized blocklist or a large manifest takes a while; it runs off the
    // I/O threads.
    net::post(state_.blocking(), [this] {
        auto st = inputs_.reload();
        net::post(io_, [this, st] {
            busy_.store(false);
            if (stopped_) return;
            if (!st.ok()) {
                spdlog::error("{} input changed but failed to load; the previous policy stays: {}",
                              inputs_.what, st.error().message);
                return;
            }
            if (inputs_.reloaded) inputs_.reloaded();
        });
    });
}

}  // namespace kars::router::server
