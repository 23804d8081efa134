// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Runs corpus cases against a kars-router started for the purpose: the sandbox, its
// policies and its egress allowlist come from a manifest, model calls go to a replay
// cassette, and the router's own answers and audit entries are what the cases are judged
// on. Nothing is decided in the CLI: a pass means the router decided so.

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/eval_corpus.h"
#include "cli/router_process.h"
#include "core/audit/entry.h"
#include "core/audit/line_reader.h"
#include "core/result.h"

namespace kars::cli {

struct EvalSetup {
    std::filesystem::path manifest;
    std::string sandbox_name;  // empty: the manifest's only KarsSandbox
    std::filesystem::path cassette;
    std::vector<std::filesystem::path> profiles;  // empty: the router's built-in profile
    std::filesystem::path work_dir;               // router config, log and audit go here
};

class EvalRunner {
public:
    EvalRunner() = default;
    EvalRunner(const EvalRunner&) = delete;
    EvalRunner& operator=(const EvalRunner&) = delete;
    ~EvalRunner();

    Status start(const EvalSetup& setup);
    // Runs one case (all calls of its burst); an error means the case could not be run.
    Result<Observed> run(const EvalCase& c);
    void stop();

    const std::string& sandbox() const { return sandbox_; }
    std::filesystem::path audit_log() const { return audit_; }

private:
    Result<Observed> once(const EvalCase& c);
    Result<Observed> evaluate_action(const std::string& action, const boost::json::object& args);
    Result<Observed> egress(const EvalCase& c);
    Result<Observed> chat(const EvalCase& c);
    std::vector<audit::Entry> entries_for(const std::string& trace_id);

    RouterProcess router_;
    std::uint16_t port_ = 0;
    std::uint16_t egress_port_ = 0;
    std::string sandbox_;
    std::filesystem::path audit_;
    unsigned counter_ = 0;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> audit_file_{nullptr, &std::fclose};
    std::optional<audit::LineReader> audit_reader_;
    std::map<std::string, std::vector<audit::Entry>> by_trace_;
};

}  // namespace kars::cli
