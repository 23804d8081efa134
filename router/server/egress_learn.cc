// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/egress_learn.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "core/audit/entry.h"
#include "core/files/state_file.h"
#include "core/json/parse.h"

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
    if (decision.decided_by != egress::DecidedBy::kLearnMode) return;
    if (!file.empty()) adopt(file);
    if (!log_.record(decision)) return;
    spdlog::warn(
        "egress LEARN MODE allowed {}:{} for sandbox {} without an allowlist entry; "
        "review with `kars egress learned {}`",
        decision.host, decision.port, sandbox_, sandbox_);
    if (!file.empty()) write(file);
}

// A learning run is often stopped and started again (a crash, `kars dev` run twice); what
// the earlier run learned is read back before the first write, so a restart adds to the
// record instead of replacing it. A record that cannot be read is kept aside, not lost.
void LearnRecorder::adopt(const std::string& file) {
    const std::lock_guard lock(file_mu_);
    if (adopted_ == file) return;
    adopted_ = file;
    auto loaded = files::read_file(file, std::size_t{16} * 1024 * 1024);
    if (loaded.ok() && !loaded->has_value()) return;
    std::string problem;
    if (!loaded.ok()) {
        problem = loaded.error().message;
    } else {
        auto doc = json::parse((*loaded)->bytes);
        const auto* endpoints = doc.ok() ? json::find_field(*doc, "endpoints") : nullptr;
        if (endpoints == nullptr || !endpoints->is_array()) {
            problem = doc.ok() ? "no endpoints array" : doc.error().message;
        } else {
            std::size_t kept = 0;
            for (const auto& ep : endpoints->as_array()) {
                auto host = json::string_field(ep, "host");
                auto port = json::int_field(ep, "port");
                if (!host || host->empty() || !port || *port < 1 || *port > 65535) continue;
                kept += log_.add(std::string(*host), static_cast<std::uint16_t>(*port)) ? 1 : 0;
            }
            spdlog::info("egress learn record: {} endpoints from an earlier run ({})", kept, file);
            return;
        }
    }
    const std::string aside = file + ".unreadable";
    std::error_code ec;
    fs::rename(file, aside, ec);
    spdlog::error("egress learn record {} cannot be read ({}); moved to {} and started afresh",
                  file, problem, aside);
}

// Replaced atomically, so a reader never sees half a record. New hosts are rare (each
// pair is written once, at most LearnLog's capacity), so the write happens inline.
void LearnRecorder::write(const std::string& file) {
    const std::lock_guard lock(file_mu_);
    auto st = files::replace_file(file, learn_file_json(sandbox_, log_));
    if (!st.ok())
        spdlog::error("egress learn record: cannot write {}: {}", file, st.error().message);
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
