// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Learn mode in the router: the record of hosts allowed only because the sandbox runs in learn
// mode, kept across reloads and restarts (a run adds to the record an earlier run left in
// `egress.learn_file`) and written to that file
// so `kars egress learned NAME` can turn it into an allowlist from another process. Learn
// mode fails open, so it is loud: a warning when it is in force and one per learned host.

#include <mutex>
#include <string>

#include "core/egress/decision.h"
#include "core/egress/learn_log.h"

namespace kars::router::server {

class LearnRecorder {
public:
    explicit LearnRecorder(std::string sandbox) : sandbox_(std::move(sandbox)) {}

    // Records a decision learn mode made; a new host:port is logged as a warning and the
    // record rewritten to `file` (when set). Other decisions are ignored.
    void record(const egress::Decision& decision, const std::string& file);

    const egress::LearnLog& log() const { return log_; }

private:
    void adopt(const std::string& file);
    void write(const std::string& file);

    std::string sandbox_;
    egress::LearnLog log_;
    std::mutex file_mu_;
    std::string adopted_;  // the learn file whose earlier content was read into log_
};

// Logs the mode a freshly loaded policy enforces: a warning, with the setting that chose it,
// when that is learn mode. `when` is "at start" or "after reload".
void announce_egress_mode(const egress::EgressPolicy& policy, const std::string& when);

// The learn file's JSON: {"sandbox", "updated", "dropped", "endpoints": [{host, port}]}.
std::string learn_file_json(const std::string& sandbox, const egress::LearnLog& log);

}  // namespace kars::router::server
