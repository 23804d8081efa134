// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// `kars egress`: a sandbox's egress policy from the operator's side.
//
//   kars egress NAME | kars egress show NAME     effective allowlist, approvals and expiry
//   kars egress approve NAME HOST[:PORT] --ttl 1h --reason TEXT
//   kars egress denied NAME [--limit N]          recent denials, from the audit log
//   kars egress learned NAME                     learn mode's record as allowedEndpoints
//
// NAME's files are where `kars dev` puts them: ~/.kars/sandboxes/NAME/ (router.yaml,
// audit.jsonl, egress-approvals/, egress-learned.json). --state-dir, --config FILE (router
// config) and --audit FILE point elsewhere, e.g. at a router started by hand.

#include <CLI/CLI.hpp>

namespace kars::cli {

// Failures throw CLI::RuntimeError(1) after printing one line; usage errors are CLI11's.
void register_egress_commands(CLI::App& app);

}  // namespace kars::cli
