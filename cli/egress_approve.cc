// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/egress_approve.h"

#include <cctype>
#include <fstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>
#include <boost/url/parse.hpp>

#include "core/audit/entry.h"
#include "core/egress/allowlist.h"
#include "core/egress/approvals.h"
#include "core/manifest/manifest.h"

namespace kars::cli {

namespace fs = std::filesystem;
using std::chrono::seconds;

namespace {

// One "<digits><unit>" run at a time; units are unique per form, so "1h1h" is refused.
Result<seconds> sum_units(std::string_view text, std::string_view units,
                          const std::vector<std::int64_t>& scale) {
    std::int64_t total = 0;
    std::size_t used = 0;  // unit positions already consumed, in order
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t start = i;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
        if (i == start || i == text.size() || i - start > 9) {
            return make_error("bad_ttl", "expected <number><unit>");
        }
        auto pos =
            units.find(static_cast<char>(std::tolower(static_cast<unsigned char>(text[i]))), used);
        if (pos == std::string_view::npos) return make_error("bad_ttl", "unknown or repeated unit");
        total += std::stoll(std::string(text.substr(start, i - start))) * scale[pos];
        used = pos + 1;
        ++i;
    }
    return seconds(total);
}

Result<seconds> parse_iso(std::string_view text) {
    // P[nD][T[nH][nM][nS]]; years, months and weeks have no fixed length in seconds.
    text.remove_prefix(1);
    auto t = text.find('T');
    std::string_view date = text.substr(0, t);
    std::string_view time = t == std::string_view::npos ? "" : text.substr(t + 1);
    if (t != std::string_view::npos && time.empty()) return make_error("bad_ttl", "empty time");
    auto d = sum_units(date, "wd", {7 * 86400, 86400});
    if (!d.ok()) return d.error();
    auto h = sum_units(time, "hms", {3600, 60, 1});
    if (!h.ok()) return h.error();
    return *d + *h;
}

bool has_control_bytes(std::string_view s) {
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) return true;
    }
    return false;
}

std::string label_of(std::string_view host) {
    std::string out;
    for (char ch : host) {
        auto c = static_cast<unsigned char>(ch);
        out += std::isalnum(c) ? static_cast<char>(std::tolower(c)) : '-';
    }
    while (!out.empty() && out.front() == '-') out.erase(out.begin());
    return out.substr(0, 40);
}

}  // namespace

Result<seconds> parse_ttl(std::string_view text) {
    if (text.empty()) return make_error("bad_ttl", "--ttl: empty");
    Result<seconds> r = (text.front() == 'P' || text.front() == 'p')
                            ? parse_iso(text)
                            : sum_units(text, "dhms", {86400, 3600, 60, 1});
    if (!r.ok()) {
        return make_error("bad_ttl", "--ttl " + std::string(text) + ": " + r.error().message +
                                         " (use 90s, 15m, 1h, 1h30m, 2d or PT1H)");
    }
    if (r->count() <= 0) return make_error("bad_ttl", "--ttl must be positive");
    if (*r > kMaxApprovalTtl) {
        return make_error("bad_ttl", "--ttl is above the 7 day ceiling of an EgressApproval");
    }
    return r;
}

std::string iso_duration(seconds ttl) {
    auto s = ttl.count();
    std::string out = "P";
    if (s >= 86400) out += std::to_string(s / 86400) + "D";
    s %= 86400;
    if (s == 0) return out;
    out += "T";
    if (s >= 3600) out += std::to_string(s / 3600) + "H";
    if (s % 3600 >= 60) out += std::to_string((s % 3600) / 60) + "M";
    if (s % 60 != 0) out += std::to_string(s % 60) + "S";
    return out;
}

Result<ApprovalRequest> parse_approval_target(std::string_view text, ApprovalRequest base) {
    auto parsed = boost::urls::parse_authority(text);
    if (!parsed || parsed->has_userinfo() || parsed->encoded_host().empty()) {
        return make_error("bad_host", "HOST[:PORT] expected, got '" + std::string(text) + "'");
    }
    base.host = std::string(parsed->encoded_host());
    base.port = 443;
    if (parsed->has_port()) {
        auto port = parsed->port_number();
        if (port == 0) return make_error("bad_host", "port must be 1-65535");
        base.port = port;
    }
    return base;
}

std::string approval_yaml(const ApprovalRequest& r, std::chrono::system_clock::time_point now) {
    const auto effective = std::chrono::time_point_cast<seconds>(now);
    YAML::Emitter out;
    out << YAML::BeginMap;
    out << YAML::Key << "apiVersion" << YAML::Value << "kars.azure.com/v1alpha1";
    out << YAML::Key << "kind" << YAML::Value << "EgressApproval";
    out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << r.name;
    out << YAML::Key << "namespace" << YAML::Value << r.namespace_name;
    out << YAML::EndMap;
    out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "sandbox" << YAML::Value << r.sandbox;
    out << YAML::Key << "hosts" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
    out << YAML::Key << "host" << YAML::Value << YAML::DoubleQuoted << r.host;
    out << YAML::Key << "port" << YAML::Value << r.port;
    out << YAML::EndMap << YAML::EndSeq;
    out << YAML::Key << "reason" << YAML::Value << YAML::DoubleQuoted << r.reason;
    out << YAML::Key << "ttl" << YAML::Value << iso_duration(r.ttl);
    if (!r.ticket.empty()) out << YAML::Key << "ticket" << YAML::Value << r.ticket;
    out << YAML::EndMap;
    // What a controller writes on Pending -> Active; the router reads expiresAt.
    out << YAML::Key << "status" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "phase" << YAML::Value << "Active";
    out << YAML::Key << "effectiveAt" << YAML::Value << egress::format_utc(effective);
    out << YAML::Key << "expiresAt" << YAML::Value << egress::format_utc(effective + r.ttl);
    out << YAML::Key << "hostCount" << YAML::Value << 1;
    out << YAML::EndMap;
    out << YAML::EndMap;
    return std::string("# written by `kars egress approve`\n") + out.c_str() + "\n";
}

Result<fs::path> write_approval(const fs::path& dir, ApprovalRequest r,
                                std::chrono::system_clock::time_point now) {
    auto entry = egress::parse_allow_entry(r.host, r.port, "HOST");
    if (!entry.ok()) return entry.error();
    if (r.reason.empty() || r.reason.size() > 512 || has_control_bytes(r.reason)) {
        return make_error("bad_reason", "--reason must be 1-512 characters without control bytes");
    }
    if (r.ticket.size() > 128) return make_error("bad_ticket", "--ticket: at most 128 chars");
    if (r.name.empty()) {
        const auto secs = std::chrono::duration_cast<seconds>(now.time_since_epoch()).count();
        r.name = fmt::format("{}-{}-{}", label_of(r.sandbox), label_of(entry->display()), secs);
    }

    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return make_error("io_error", "cannot create " + dir.string() + ": " + ec.message());
    const fs::path final_path = dir / (label_of(r.name) + ".yaml");
    if (fs::exists(final_path)) {
        return make_error("exists", final_path.string() + " exists; choose another --name");
    }
    const fs::path tmp = dir / ("." + label_of(r.name) + ".tmp");
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << approval_yaml(r, now);
        if (!out.flush()) return make_error("io_error", "cannot write " + tmp.string());
    }
    // Read back with the loader the router uses, so a file the router would refuse (and
    // with it every approval in the directory) is never published.
    auto check = manifest::load_manifest_file(tmp);
    if (!check.ok() || check->egress_approvals.size() != 1) {
        fs::remove(tmp, ec);
        return make_error("bad_approval",
                          "generated approval does not load: " +
                              (check.ok() ? std::string("no document") : check.error().message));
    }
    fs::rename(tmp, final_path, ec);
    if (ec) return make_error("io_error", "cannot rename into " + final_path.string());
    return final_path;
}

}  // namespace kars::cli
