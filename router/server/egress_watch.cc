// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/egress_watch.h"

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

EgressWatch::EgressWatch(net::io_context& io, RouterState& state,
                         std::function<void(const egress::EgressPolicy&)> reloaded)
    : io_(io), state_(state), reloaded_(std::move(reloaded)), timer_(io) {}

void EgressWatch::start() {
    last_ = egress_inputs_fingerprint(state_.snapshot()->config);
    arm();
}

void EgressWatch::stop() {
    stopped_ = true;
    timer_.cancel();
}

void EgressWatch::arm() {
    if (stopped_) return;
    auto interval = state_.snapshot()->config.egress.watch_interval;
    // Off: look again in a while, in case a SIGHUP reload turns it on.
    if (interval.count() == 0) interval = std::chrono::seconds(5);
    timer_.expires_after(interval);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec || stopped_) return;
        tick();
        arm();
    });
}

void EgressWatch::tick() {
    auto snap = state_.snapshot();
    if (snap->config.egress.watch_interval.count() == 0 || busy_.load()) return;
    auto now = egress_inputs_fingerprint(snap->config);
    if (now == last_) return;
    // Remembered before the reload, so a file that fails to load is reported once per
    // change rather than on every tick.
    last_ = std::move(now);
    busy_.store(true);
    // Parsing a feed-sized blocklist takes a while; it runs off the I/O threads.
    net::post(state_.blocking(), [this] {
        auto st = state_.reload_egress();
        net::post(io_, [this, st] {
            busy_.store(false);
            if (stopped_) return;
            if (!st.ok()) {
                spdlog::error(
                    "egress policy input changed but failed to load; the previous "
                    "policy stays: {}",
                    st.error().message);
                return;
            }
            auto policy = state_.snapshot()->egress_policy;
            spdlog::info(
                "egress policy reloaded: an input file changed ({} allowlist entries, "
                "{} blocklisted domains, {} approvals)",
                policy->allowlist.entries().size(), policy->blocklist.size(),
                policy->approvals.grants().size());
            if (reloaded_) reloaded_(*policy);
        });
    });
}

}  // namespace kars::router::server
