// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The run record of a sandbox started by `kars dev`: ~/.kars/run/NAME/ (0700) holding
// record.json (0600) and the agent's log. `kars dev` writes it when the sandbox runs and
// again when it ends; the supervisor leaves supervisor.exit as a fallback, in case `kars dev`
// is killed first. `kars list/status/logs/exec/connect/destroy` read it. Audit log, budget
// and router files stay in the state dir (docs/dev.md), which outlives the record.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "sandbox/process_identity.h"

namespace kars::cli {

// What `kars exec` needs to give a joined command exactly the agent's confinement.
struct JoinTemplate {
    std::uint32_t uid = 1000;
    std::uint32_t gid = 1000;
    std::vector<std::string> writable_paths;
    std::string seccomp_profile;
    bool allow_degraded = false;
    std::string working_dir = "/sandbox";
    std::uint64_t open_files = 0;
    std::vector<std::string> env;  // the agent's environment; by construction holds no secret
};

// How a sandbox ended: state is "exited", "killed" or "failed".
struct SandboxEnd {
    std::string state;
    int exit_code = 0;  // exited
    int signal = 0;     // killed; 0 when the signal is not known
    std::string detail;
    std::int64_t ended_at = 0;  // unix seconds
};

struct RunRecord {
    std::string name;
    std::filesystem::path manifest;
    std::filesystem::path state_dir;
    std::filesystem::path audit_log;
    std::filesystem::path router_log;
    std::filesystem::path agent_log;  // empty: foreground, the output went to the terminal
    std::filesystem::path dev_log;    // kars dev's own messages when detached
    bool detached = false;
    std::int64_t created_at = 0;          // unix seconds
    sandbox::ProcessIdentity dev;         // the `kars dev` process that owns the sandbox
    sandbox::ProcessIdentity supervisor;  // the sandbox supervisor
    sandbox::ProcessIdentity init;        // the sandbox's PID 1
    sandbox::ProcessIdentity router;
    std::vector<std::string> cgroup_dirs;
    std::vector<std::string> router_addresses;
    JoinTemplate join;
    std::optional<SandboxEnd> end;
};

// What a reader concludes: the record's end, else supervisor.exit, else the processes.
struct ObservedState {
    std::string state;  // starting, running, exited, killed, failed
    int exit_code = 0;
    int signal = 0;
    std::string detail;
    bool ended() const { return state != "running" && state != "starting"; }
    // "running", "exited (code 3)", "killed (SIGKILL)", "failed: ..."
    std::string describe() const;
};

// True for names a sandbox may have ([a-z0-9-]{1,63}), so a name is a safe path component.
bool valid_sandbox_name(const std::string& name);

// ~/.kars/run, and ~/.kars/run/NAME (NAME validated).
Result<std::filesystem::path> run_root();
Result<std::filesystem::path> run_dir(const std::string& name);

std::filesystem::path record_path(const std::filesystem::path& dir);
std::filesystem::path supervisor_exit_path(const std::filesystem::path& dir);

Status write_run_record(const std::filesystem::path& dir, const RunRecord& record);
Result<RunRecord> read_run_record(const std::filesystem::path& dir);

// Names with a record, sorted.
std::vector<std::string> list_run_names();

ObservedState observe(const RunRecord& record, const std::filesystem::path& dir);

// The agent's host pid, found as the only child of the sandbox's PID 1; -1 when none.
pid_t find_agent_pid(const sandbox::ProcessIdentity& init);

// "SIGKILL" for 9.
std::string signal_name(int signal);

// The end implied by a wait status.
SandboxEnd end_from_wait_status(int wait_status);

std::int64_t unix_now();

}  // namespace kars::cli
