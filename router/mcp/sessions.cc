// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/mcp/sessions.h"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "core/audit/digest.h"

namespace kars::router::mcp {

namespace {

std::string random_id() {
    std::array<unsigned char, 32> bytes{};
    // Session ids guard nothing secret, but a guessable one would let another client ride
    // a session; without randomness there is no safe id to hand out.
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        throw std::runtime_error("no randomness for an MCP session id");
    }
    return audit::to_hex(
        std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace

void SessionTable::set_limits(std::size_t max_sessions, std::chrono::seconds idle_timeout) {
    std::lock_guard lock(mu_);
    max_ = std::max<std::size_t>(max_sessions, 1);
    idle_ = idle_timeout;
}

std::string SessionTable::open(std::string sandbox, std::string protocol_version,
                               std::string client_name, Clock::time_point now) {
    std::string id = random_id();
    std::lock_guard lock(mu_);
    evict_expired(now);
    while (sessions_.size() >= std::max<std::size_t>(max_, 1)) {
        auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](auto& a, auto& b) {
            return a.second.last_used < b.second.last_used;
        });
        sessions_.erase(oldest);
    }
    sessions_.emplace(id, SessionInfo{std::move(sandbox), std::move(protocol_version),
                                      std::move(client_name), now, now});
    return id;
}

std::optional<SessionInfo> SessionTable::touch(std::string_view id, std::string_view sandbox,
                                               Clock::time_point now) {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return std::nullopt;
    if (it->second.sandbox != sandbox || now - it->second.last_used > idle_) {
        if (now - it->second.last_used > idle_) sessions_.erase(it);
        return std::nullopt;
    }
    it->second.last_used = now;
    return it->second;
}

bool SessionTable::close(std::string_view id, std::string_view sandbox) {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second.sandbox != sandbox) return false;
    sessions_.erase(it);
    return true;
}

std::size_t SessionTable::size() const {
    std::lock_guard lock(mu_);
    return sessions_.size();
}

void SessionTable::evict_expired(Clock::time_point now) {
    std::erase_if(sessions_, [&](const auto& kv) { return now - kv.second.last_used > idle_; });
}

}  // namespace kars::router::mcp
