// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/egress_learn.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "core/audit/entry.h"

namespace kars::router::server {

namespace fs = std::filesystem;

std::string learn_file_json(const std::string& sandbox, const egress::LearnLog& log) {
    boost::json::array endpoints;
    for (const auto& ep : log.to_allowed_endpoints()) {
        endpoints.push_back(boost::json::object{{"host", ep.host}, {"port", ep.port.value_or(0)}});
    }
    boost::json::object doc{
        {"sandbox", sandbox},
        {"updated", audit::format_timestamp(std::chrono::system_clock::now())},
        {"dropped", log.dropped()},
        {"endpoints", std::move(endpoints)},
    };
    return boost::json::serialize(doc) + "\n";
}

void LearnRecorder::record(const egress::Decision& decision, const std::string& file) {
    if (!log_.record(decision)) return;
    spdlog::warn(
        "egress LEARN MODE allowed {}:{} for sandbox {} without an allowlist entry; "
        "review with `kars egress learned {}`",
        decision.host, decision.port, sandbox_, sandbox_);
    if (!file.empty()) write(file);
}

// Written to a temporary name and renamed, so a reader never sees half a record. New hosts
// are rare (each pair is written once, at most LearnLog's capacity), so the write happens
// inline.
void LearnRecorder::write(const std::string& file) {
    const std::lock_guard lock(file_mu_);
    const std::string tmp = file + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << learn_file_json(sandbox_, log_);
        if (!out.flush()) {
            spdlog::error("egress learn record: cannot write {}", tmp);
            return;
        }
    }
    std::error_code ec;
    fs::rename(tmp, file, ec);
    if (ec) spdlog::error("egress learn record: rename {} -> {}: {}", tmp, file, ec.message());
}

void announce_egress_mode(const egress::EgressPolicy& policy, const std::string& when) {
    if (policy.mode == egress::EgressMode::kLearn) {
        spdlog::warn(
            "egress LEARN MODE in force {} ({}): every host that is not blocklisted "
            "or a special address is ALLOWED and recorded; this is not enforcement",
            when, policy.mode_origin);
    } else {
        spdlog::info("egress enforce mode {} ({})", when, policy.mode_origin);
    }
}

}  // namespace kars::router::server
