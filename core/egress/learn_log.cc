// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/egress/learn_log.h"

namespace kars::egress {

bool LearnLog::record(const Decision& decision) {
    if (decision.decided_by != DecidedBy::kLearnMode || !decision.canonical) {
        return false;
    }
    return add(decision.canonical->authority_text(), decision.port);
}

bool LearnLog::add(std::string host, std::uint16_t port) {
    std::pair<std::string, std::uint16_t> key{std::move(host), port};
    const std::lock_guard lock(mutex_);
    if (seen_.contains(key)) {
        return false;
    }
    if (seen_.size() >= capacity_) {
        ++dropped_;
        return false;
    }
    seen_.insert(std::move(key));
    return true;
}

std::vector<manifest::Endpoint> LearnLog::to_allowed_endpoints() const {
    const std::lock_guard lock(mutex_);
    std::vector<manifest::Endpoint> endpoints;
    endpoints.reserve(seen_.size());
    for (const auto& [host, port] : seen_) {
        manifest::Endpoint endpoint;
        endpoint.host = host;
        endpoint.port = port;
        endpoints.push_back(std::move(endpoint));
    }
    return endpoints;
}

std::size_t LearnLog::dropped() const {
    const std::lock_guard lock(mutex_);
    return dropped_;
}

}  // namespace kars::egress
