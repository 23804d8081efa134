// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/manifest/egress_approval.h"

#include <algorithm>

namespace kars::manifest {
namespace {

constexpr std::size_t kMaxHosts = 16;
constexpr std::size_t kMaxReasonLength = 512;

// The reason ends up in audit lines; control bytes there could forge entries.
bool has_control_bytes(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && u != '\t' && u != '\n' && u != '\r') || u == 0x7f;
    });
}

}  // namespace

EgressApproval read_egress_approval(FieldReader& r, const Field& document) {
    EgressApproval a;
    a.metadata = read_object_meta(r, document);
    Field spec = document.at("spec");
    if (!r.require(spec) || !r.mapping(spec)) return a;

    Field sandbox = spec.at("sandbox");
    a.sandbox = r.required_string(sandbox);
    if (r.ok() && a.sandbox.empty()) r.fail(sandbox.path, "must not be empty");

    Field hosts = spec.at("hosts");
    if (r.require(hosts) && r.sequence(hosts)) {
        if (hosts.node.size() == 0 || hosts.node.size() > kMaxHosts) {
            r.fail(hosts.path,
                   "must contain between 1 and " + std::to_string(kMaxHosts) + " entries");
        }
        for (std::size_t i = 0; r.ok() && i < hosts.node.size(); ++i) {
            a.hosts.push_back(read_endpoint(r, hosts.at(i)));
        }
    }

    Field reason = spec.at("reason");
    a.reason = r.required_string(reason);
    if (r.ok() && (a.reason.empty() || a.reason.size() > kMaxReasonLength)) {
        r.fail(reason.path, "must be 1-" + std::to_string(kMaxReasonLength) + " characters");
    }
    if (r.ok() && has_control_bytes(a.reason)) {
        r.fail(reason.path, "must not contain control characters");
    }
    a.ttl = r.required_string(spec.at("ttl"));
    a.ticket = r.string(spec.at("ticket"));
    return a;
}

}  // namespace kars::manifest
