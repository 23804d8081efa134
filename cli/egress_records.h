// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// What `kars egress denied` and `kars egress learned` read: egress denials from the audit
// log (docs/audit-format.md; action "egress:<host>:<port>", decision "deny"), and learn
// mode's record, from the router's learn file or, without one, from the audit log's
// learn-mode allows (policy_kind EgressLearnMode).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/terminal_text.h"
#include "core/manifest/sandbox.h"
#include "core/result.h"

namespace kars::cli {

struct EgressDenial {
    std::uint64_t seq = 0;
    std::string ts;
    std::string target;  // host:port
    std::string policy_kind;
    std::string reason;
};

// The newest `limit` egress denials for `sandbox`, oldest first. Lines that do not parse are
// skipped (`kars audit verify` is the tool that reports them).
Result<std::vector<EgressDenial>> read_egress_denials(const std::filesystem::path& audit_log,
                                                      const std::string& sandbox,
                                                      std::size_t limit);

struct LearnedRecord {
    std::vector<manifest::Endpoint> endpoints;  // sorted by host, then port
    std::size_t dropped = 0;                    // pairs the router could not keep
    std::string source;                         // the file read
};

// The router's learn file (JSON, router/server/egress_learn.h).
Result<LearnedRecord> read_learn_file(const std::filesystem::path& file);

// Learn-mode allows for `sandbox` in the audit log.
Result<LearnedRecord> learned_from_audit(const std::filesystem::path& audit_log,
                                         const std::string& sandbox);

// The record as a YAML snippet for KarsSandbox spec.networkPolicy.allowedEndpoints.
std::string allowed_endpoints_yaml(const LearnedRecord& record, const std::string& sandbox);

}  // namespace kars::cli
