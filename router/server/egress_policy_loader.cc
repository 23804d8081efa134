// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/egress_policy_loader.h"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include "core/manifest/manifest.h"

namespace kars::router::server {

namespace {

namespace fs = std::filesystem;

Result<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error("bad_config", "cannot read " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

egress::BlocklistFormat format_of(const std::string& name) {
    if (name == "hosts") return egress::BlocklistFormat::kHosts;
    if (name == "domains") return egress::BlocklistFormat::kDomains;
    if (name == "adblock") return egress::BlocklistFormat::kAdblock;
    return egress::BlocklistFormat::kAuto;
}

// RFC 3339 UTC as the controller writes status.expiresAt and effectiveAt
// ("2026-03-01T12:00:00Z", optional fraction). Anything else is refused: an approval whose
// window cannot be read never counts.
std::optional<egress::Clock::time_point> parse_rfc3339_utc(const std::string& text) {
    std::tm tm{};
    std::istringstream in(text);
    in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
    if (in.fail()) return std::nullopt;
    std::string rest;
    in >> rest;
    if (!rest.empty() && rest.front() == '.') {
        std::size_t i = 1;
        while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) ++i;
        rest = rest.substr(i);
    }
    if (rest != "Z") return std::nullopt;
    return egress::Clock::from_time_t(timegm(&tm));
}

bool applies_to(const manifest::KarsSandbox& sb, const config::RouterConfig& cfg) {
    if (sb.metadata.name != cfg.sandbox_name) return false;
    return sb.metadata.namespace_name.empty() ||
           sb.metadata.namespace_name == cfg.sandbox_namespace;
}

// What the manifest's KarsSandbox says about egress for this sandbox.
struct ManifestEgress {
    std::vector<manifest::Endpoint> endpoints;
    std::optional<manifest::EgressMode> mode;  // only when egressMode was written
};

Status load_manifest_egress(const config::RouterConfig& cfg, ManifestEgress& out) {
    if (cfg.manifest.empty()) return ok_status();
    auto m = manifest::load_manifest_file(cfg.manifest);
    if (!m.ok()) return m.error();
    for (const auto& sb : m->sandboxes) {
        if (!applies_to(sb, cfg)) continue;
        for (const auto& ep : sb.network_policy.allowed_endpoints) out.endpoints.push_back(ep);
        if (sb.network_policy.egress_mode_set) out.mode = sb.network_policy.egress_mode;
    }
    return ok_status();
}

// Learn mode fails open, so it needs an explicit request: the manifest's egressMode: Learn
// or the config's egress.mode: learn. The CRD defaults egressMode to Learn; an absent field
// is not a request. Two explicit settings that disagree are an error rather than a guess.
Status choose_mode(const config::RouterConfig& cfg, const ManifestEgress& m,
                   egress::EgressPolicy& policy) {
    const bool config_learn = cfg.egress.mode_set && cfg.egress.mode == "learn";
    const bool config_enforce = cfg.egress.mode_set && cfg.egress.mode == "enforce";
    const bool manifest_learn = m.mode == manifest::EgressMode::kLearn;
    const bool manifest_strict = m.mode == manifest::EgressMode::kStrict;
    if ((config_learn && manifest_strict) || (config_enforce && manifest_learn)) {
        return make_error("bad_config", "egress.mode: " + cfg.egress.mode +
                                            " contradicts the manifest's networkPolicy.egressMode "
                                            "for sandbox " +
                                            cfg.sandbox_name + "; set one of them");
    }
    if (manifest_learn) {
        policy.mode = egress::EgressMode::kLearn;
        policy.mode_origin = "KarsSandbox networkPolicy.egressMode: Learn";
    } else if (config_learn) {
        policy.mode = egress::EgressMode::kLearn;
        policy.mode_origin = "router config egress.mode: learn";
    } else {
        policy.mode = egress::EgressMode::kEnforce;
        policy.mode_origin = manifest_strict  ? "KarsSandbox networkPolicy.egressMode: Strict"
                             : config_enforce ? "router config egress.mode: enforce"
                                              : "default";
    }
    return ok_status();
}

// Reads every *.yaml / *.yml file in the directory. An approval counts only when it names
// this sandbox (in its namespace, when it has one) and its status says `phase: Active` with
// an `expiresAt`, as the controller (or `kars egress approve`) writes it on approval. It is
// live from status.effectiveAt, when given, until expiresAt, and at most seven days.
Status load_approvals(const config::RouterConfig& cfg, egress::ApprovalSet& out) {
    const auto& dir = cfg.egress.approvals_dir;
    if (dir.empty()) return ok_status();
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        return make_error("bad_config", "egress.approvals_dir: " + dir + " is not a directory");
    }
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        auto ext = e.path().extension().string();
        if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        auto m = manifest::load_manifest_file(file);
        if (!m.ok()) return m.error();
        std::vector<YAML::Node> docs;
        try {
            docs = YAML::LoadAllFromFile(file.string());
        } catch (const YAML::Exception& e) {
            return make_error("bad_config", file.string() + ": " + e.what());
        }
        for (const auto& approval : m->egress_approvals) {
            if (approval.sandbox != cfg.sandbox_name) continue;
            if (!approval.metadata.namespace_name.empty() &&
                approval.metadata.namespace_name != cfg.sandbox_namespace) {
                continue;
            }
            std::size_t index = approval.source.document;
            if (index == 0 || index > docs.size()) continue;
            const YAML::Node status = docs[index - 1]["status"];
            if (!status || !status["expiresAt"]) continue;
            const auto what = file.string() + ": EgressApproval " + approval.metadata.name;
            // Pending, Expired, or anything a hand edit put there: not a grant.
            const auto phase = status["phase"] ? status["phase"].as<std::string>("") : "";
            if (phase != "Active") {
                spdlog::info("{} is not applied: status.phase is '{}', not Active", what, phase);
                continue;
            }
            auto expires = parse_rfc3339_utc(status["expiresAt"].as<std::string>(""));
            if (!expires) {
                return make_error("bad_config", what + ": status.expiresAt is not RFC 3339 UTC");
            }
            // Without effectiveAt the lifetime ceiling is measured from now.
            auto effective = egress::Clock::now();
            if (status["effectiveAt"]) {
                auto parsed = parse_rfc3339_utc(status["effectiveAt"].as<std::string>(""));
                if (!parsed) {
                    return make_error("bad_config",
                                      what + ": status.effectiveAt is not RFC 3339 UTC");
                }
                effective = *parsed;
            }
            auto st = out.add(approval, effective, *expires);
            if (!st.ok())
                return make_error("bad_config", file.string() + ": " + st.error().message);
        }
    }
    return ok_status();
}

}  // namespace

Result<std::shared_ptr<const egress::EgressPolicy>> build_egress_policy(
    const config::RouterConfig& cfg) {
    auto policy = std::make_shared<egress::EgressPolicy>();
    ManifestEgress from_manifest;
    auto st = load_manifest_egress(cfg, from_manifest);
    if (!st.ok()) return st.error();
    st = choose_mode(cfg, from_manifest, *policy);
    if (!st.ok()) return st.error();

    for (std::size_t i = 0; i < cfg.egress.allowed_endpoints.size(); ++i) {
        const auto& ep = cfg.egress.allowed_endpoints[i];
        auto entry = egress::parse_allow_entry(
            ep.host, ep.port, "egress.allowed_endpoints[" + std::to_string(i) + "]");
        if (!entry.ok()) return entry.error();
        policy->allowlist.add(std::move(*entry));
    }
    auto loaded = egress::Allowlist::load(from_manifest.endpoints);
    if (!loaded.ok()) return loaded.error();
    for (const auto& entry : loaded->entries()) policy->allowlist.add(entry);

    for (const auto& bl : cfg.egress.blocklists) {
        auto text = read_file(bl.path);
        if (!text.ok()) return text.error();
        auto stats = policy->blocklist.add_source(bl.path, *text, format_of(bl.format));
        if (!stats.ok()) return stats.error();
    }
    st = load_approvals(cfg, policy->approvals);
    if (!st.ok()) return st.error();
    return std::shared_ptr<const egress::EgressPolicy>(std::move(policy));
}

}  // namespace kars::router::server
