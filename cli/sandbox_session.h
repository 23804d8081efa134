// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// One run of a planned sandbox, as `kars dev` does it in the foreground and its detached
// process does it in the background: launch the sandbox, start the router on the sandbox's
// sockets, keep the run record, wait for the agent, stop the router, record the end.

#include <sys/types.h>

#include <filesystem>
#include <functional>

#include "cli/dev_plan.h"
#include "cli/run_record.h"
#include "core/result.h"
#include "sandbox/launcher.h"

namespace kars::cli {

struct SessionIo {
    int stdin_fd = 0;  // become the agent's 0, 1, 2
    int stdout_fd = 1;
    int stderr_fd = 2;
};

// Runs the sandbox until the agent ends; `record` arrives pre-filled (name, paths, the
// calling process as `dev`) and is completed and rewritten in `run_dir` as things start and
// end. `on_running` is called once the agent and the router run. SIGTERM, SIGINT or SIGHUP
// to the calling process end the sandbox; the normal path then stops the router.
// Errors are start-up failures; an agent that fails is a report, not an error.
Result<sandbox::ExitReport> run_session(const DevPlan& plan, const std::filesystem::path& run_dir,
                                        RunRecord record, const SessionIo& io,
                                        const std::function<void(const RunRecord&)>& on_running);

// The end to record for a report from Sandbox::wait().
SandboxEnd end_from_report(const sandbox::ExitReport& report, bool stop_requested);

}  // namespace kars::cli
