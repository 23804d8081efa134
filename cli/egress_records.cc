// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/egress_records.h"

#include <cstdio>
#include <deque>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "core/audit/entry.h"
#include "core/audit/line_reader.h"

namespace kars::cli {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kEgressPrefix = "egress:";

using FilePtr = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

Result<FilePtr> open_log(const fs::path& path) {
    FilePtr f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) return make_error("io_error", "cannot read audit log " + path.string());
    return f;
}

// Calls `fn` for every parsed egress entry of `sandbox`.
template <typename Fn>
Status each_egress_entry(const fs::path& path, const std::string& sandbox, Fn fn) {
    auto file = open_log(path);
    if (!file.ok()) return file.error();
    audit::LineReader reader(file->get(), audit::kMaxLineBytes);
    while (auto line = reader.next()) {
        if (line->too_long) continue;
        auto entry = audit::parse_entry_line(line->text);
        if (!entry.ok()) continue;
        const auto& e = entry->event;
        if (e.sandbox != sandbox || !e.action.starts_with(kEgressPrefix)) continue;
        fn(*entry);
    }
    if (reader.failed()) return make_error("io_error", "error reading " + path.string());
    return ok_status();
}

}  // namespace

Result<std::vector<EgressDenial>> read_egress_denials(const fs::path& audit_log,
                                                      const std::string& sandbox,
                                                      std::size_t limit) {
    std::deque<EgressDenial> last;
    auto st = each_egress_entry(audit_log, sandbox, [&](const audit::Entry& entry) {
        if (entry.event.decision != "deny") return;
        last.push_back({entry.seq, entry.ts, entry.event.action.substr(kEgressPrefix.size()),
                        entry.event.policy_kind, entry.event.reason});
        if (last.size() > limit) last.pop_front();
    });
    if (!st.ok()) return st.error();
    return std::vector<EgressDenial>(last.begin(), last.end());
}

Result<LearnedRecord> read_learn_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return make_error("io_error", "cannot read " + file.string());
    std::stringstream ss;
    ss << in.rdbuf();
    boost::system::error_code ec;
    auto doc = boost::json::parse(ss.str(), ec);
    if (ec || !doc.is_object()) return make_error("bad_learn_file", file.string() + ": not JSON");
    LearnedRecord record;
    record.source = file.string();
    const auto& o = doc.as_object();
    if (const auto* d = o.if_contains("dropped"); d && d->is_number()) {
        record.dropped = d->to_number<std::size_t>();
    }
    const auto* eps = o.if_contains("endpoints");
    if (eps == nullptr || !eps->is_array()) {
        return make_error("bad_learn_file", file.string() + ": no endpoints array");
    }
    for (const auto& v : eps->as_array()) {
        const auto* ep = v.if_object();
        const auto* host = ep ? ep->if_contains("host") : nullptr;
        const auto* port = ep ? ep->if_contains("port") : nullptr;
        if (!host || !host->is_string() || !port || !port->is_int64() || port->as_int64() < 1 ||
            port->as_int64() > 65535) {
            return make_error("bad_learn_file", file.string() + ": endpoint without host/port");
        }
        manifest::Endpoint endpoint;
        endpoint.host = std::string(host->as_string());
        endpoint.port = static_cast<std::uint16_t>(port->as_int64());
        record.endpoints.push_back(std::move(endpoint));
    }
    return record;
}

Result<LearnedRecord> learned_from_audit(const fs::path& audit_log, const std::string& sandbox) {
    std::set<std::pair<std::string, std::uint16_t>> seen;
    auto st = each_egress_entry(audit_log, sandbox, [&](const audit::Entry& entry) {
        if (entry.event.decision != "allow" || entry.event.policy_kind != "EgressLearnMode") {
            return;
        }
        // The action's tail is the canonical authority, "[v6]:port" for IPv6.
        auto authority = boost::urls::parse_authority(
            std::string_view(entry.event.action).substr(kEgressPrefix.size()));
        if (!authority || !authority->has_port()) return;
        seen.emplace(std::string(authority->encoded_host()), authority->port_number());
    });
    if (!st.ok()) return st.error();
    LearnedRecord record;
    record.source = audit_log.string();
    for (const auto& [host, port] : seen) {
        manifest::Endpoint endpoint;
        endpoint.host = host;
        endpoint.port = port;
        record.endpoints.push_back(std::move(endpoint));
    }
    return record;
}

std::string allowed_endpoints_yaml(const LearnedRecord& record, const std::string& sandbox) {
    YAML::Emitter out;
    out << YAML::BeginMap << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "networkPolicy" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "egressMode" << YAML::Value << "Strict";
    out << YAML::Key << "allowedEndpoints" << YAML::Value << YAML::BeginSeq;
    for (const auto& ep : record.endpoints) {
        out << YAML::BeginMap << YAML::Key << "host" << YAML::Value << YAML::DoubleQuoted << ep.host
            << YAML::Key << "port" << YAML::Value << ep.port.value_or(0) << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap << YAML::EndMap << YAML::EndMap;
    std::string header = fmt::format(
        "# kars egress learned {}: {} endpoints seen in learn mode (from {})\n"
        "# Review every entry before adopting it: learn mode allowed whatever the agent asked "
        "for.\n",
        printable(sandbox), record.endpoints.size(), printable(record.source));
    if (record.dropped > 0) {
        header += fmt::format("# WARNING: {} further endpoints were not recorded (record full)\n",
                              record.dropped);
    }
    return header + out.c_str() + "\n";
}

}  // namespace kars::cli
