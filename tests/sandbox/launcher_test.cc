// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "sandbox/launcher.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "sandbox/cgroups.h"
#include "tests/sandbox/sandbox_test_support.h"

namespace kars::sandbox {
namespace {

using testing::CapturedSpec;

ExitReport run(CapturedSpec& c) {
    auto sandbox = launch(c.spec);
    EXPECT_TRUE(sandbox.ok()) << (sandbox.ok() ? "" : sandbox.error().message);
    if (!sandbox.ok()) {
        return ExitReport{true, 0, -1};
    }
    auto report = sandbox->wait();
    EXPECT_TRUE(report.ok()) << (report.ok() ? "" : report.error().message);
    return report.ok() ? *report : ExitReport{true, 0, -1};
}

// /bin/true starts, exits 0, and that is what the caller is told.
TEST(Launcher, RunsTrueAndReportsExitZero) {
    CapturedSpec c({"/bin/true"});
    ExitReport r = run(c);
    EXPECT_FALSE(r.signaled);
    EXPECT_EQ(r.exit_code, 0);
}

TEST(Launcher, ReportsNonZeroExitCode) {
    CapturedSpec c({"/bin/sh", "-c", "exit 7"});
    ExitReport r = run(c);
    EXPECT_FALSE(r.signaled);
    EXPECT_EQ(r.exit_code, 7);
}

// The agent is not PID 1, so a signal it sends itself kills it and is reported as such.
TEST(Launcher, ReportsKillingSignal) {
    CapturedSpec c({"/bin/sh", "-c", "kill -SEGV $$"});
    ExitReport r = run(c);
    EXPECT_TRUE(r.signaled);
    EXPECT_EQ(r.signal, SIGSEGV);
}

TEST(Launcher, WritesToSandboxDirectory) {
    CapturedSpec c({"/bin/sh", "-c", "echo hi > /sandbox/f && cat /sandbox/f && echo x > /tmp/y"});
    ExitReport r = run(c);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(c.output(), "hi\n");
}

// A host directory bound as /sandbox keeps what the agent wrote.
TEST(Launcher, BindsHostWorkspaceReadWrite) {
    std::string dir = std::string(KARS_BIN_DIR) + "/../sandbox-ws-" + std::to_string(getpid());
    std::filesystem::create_directories(dir);
    ASSERT_EQ(chown(dir.c_str(), 101000, 101000), 0);
    CapturedSpec c({"/bin/sh", "-c", "echo persisted > /sandbox/out"});
    c.spec.writable_paths = {{"/sandbox", dir}, {"/tmp", ""}};
    ExitReport r = run(c);
    EXPECT_EQ(r.exit_code, 0);
    std::ifstream in(dir + "/out");
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "persisted");
    std::filesystem::remove_all(dir);
}

TEST(Launcher, WriteOutsideWritablePathsFails) {
    CapturedSpec c({"/bin/sh", "-c", "touch /usr/kars-probe || touch /kars-probe || exit 3"});
    ExitReport r = run(c);
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_FALSE(std::filesystem::exists("/usr/kars-probe"));
}

TEST(Launcher, EnvironmentIsExactlyTheSpecPlusKarsVariables) {
    CapturedSpec c({"/usr/bin/env"});
    c.spec.env = {{"FOO", "bar"}, {"HOME", "/elsewhere"}};
    setenv("KARS_TEST_LEAK", "must-not-appear", 1);
    ExitReport r = run(c);
    unsetenv("KARS_TEST_LEAK");
    EXPECT_EQ(r.exit_code, 0);
    std::string expected =
        "ANTHROPIC_BASE_URL=http://127.0.0.1:8443\n"
        "FOO=bar\n"
        "HOME=/sandbox\n"
        "HTTPS_PROXY=http://127.0.0.1:8444\n"
        "HTTP_PROXY=http://127.0.0.1:8444\n"
        "KARS_MCP_URL=http://127.0.0.1:8443/mcp\n"
        "KARS_SANDBOX_NAME=" +
        c.spec.name +
        "\n"
        "NO_PROXY=127.0.0.1,localhost\n"
        "OPENAI_BASE_URL=http://127.0.0.1:8443/v1\n"
        "http_proxy=http://127.0.0.1:8444\n"
        "https_proxy=http://127.0.0.1:8444\n";
    EXPECT_EQ(c.output(), expected);
}

TEST(Launcher, HostnameIsSandboxName) {
    CapturedSpec c({"/bin/cat", "/proc/sys/kernel/hostname"});
    ExitReport r = run(c);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(c.output(), c.spec.name + "\n");
}

TEST(Launcher, AgentRunsAsNonRootMappedUser) {
    CapturedSpec c({"/bin/sh", "-c", "id -u; id -g; cat /proc/self/uid_map"});
    ExitReport r = run(c);
    EXPECT_EQ(r.exit_code, 0);
    std::string out = c.output();
    EXPECT_EQ(out.substr(0, 10), "1000\n1000\n");
    EXPECT_NE(out.find("100000"), std::string::npos) << out;
}

// The router accepts, outside, on the listeners created inside: the agent's connection to
// 127.0.0.1:8443 in its own namespace arrives on the caller's fd.
TEST(Launcher, ListenSocketsReachTheCaller) {
    CapturedSpec c({"/bin/bash", "-c", "echo -n ping > /dev/tcp/127.0.0.1/8443"});
    auto sandbox = launch(c.spec);
    ASSERT_TRUE(sandbox.ok()) << sandbox.error().message;
    ASSERT_EQ(sandbox->listen_fds().size(), 2u);
    pollfd pfd{sandbox->listen_fds()[0], POLLIN, 0};
    ASSERT_EQ(poll(&pfd, 1, 10000), 1) << "no connection within 10 s";
    int conn = accept(sandbox->listen_fds()[0], nullptr, nullptr);
    ASSERT_GE(conn, 0);
    char buffer[8] = {};
    ssize_t n = read(conn, buffer, sizeof(buffer));
    close(conn);
    EXPECT_EQ(std::string(buffer, n > 0 ? static_cast<size_t>(n) : 0), "ping");
    auto report = sandbox->wait();
    ASSERT_TRUE(report.ok());
}

// After wait() nothing is left: no cgroup directory and no process of the sandbox. The
// checks look only at this sandbox's own cgroups and PID namespace, so sandboxes of tests
// running in parallel cannot disturb them.
TEST(Launcher, TeardownLeavesNoCgroupAndNoProcess) {
    CapturedSpec c({"/bin/sh", "-c", "sleep 100 & sleep 100 & echo started; sleep 1"});
    c.spec.limits.pids_max = 32;
    c.spec.limits.memory_bytes = 256ull << 20;
    auto sandbox = launch(c.spec);
    ASSERT_TRUE(sandbox.ok()) << sandbox.error().message;
    pid_t supervisor = sandbox->supervisor_pid();
    const auto cgroups = sandbox->location().cgroup_dirs;
    std::error_code ec;
    const auto pid_ns = std::filesystem::read_symlink(
        "/proc/" + std::to_string(sandbox->location().init_pid) + "/ns/pid", ec);
    ASSERT_FALSE(ec) << "the sandbox's PID 1 ended before its namespace was read: " << ec.message();
    auto report = sandbox->wait();
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(kill(supervisor, 0), -1);
    for (const auto& dir : cgroups) EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
    // No process is left in the sandbox's PID namespace.
    for (auto it = std::filesystem::directory_iterator("/proc", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        std::error_code link_ec;
        auto ns = std::filesystem::read_symlink(it->path() / "ns" / "pid", link_ec);
        if (!link_ec) {
            EXPECT_NE(ns, pid_ns) << "leftover pid " << it->path().filename();
        }
    }
}

TEST(Launcher, TerminateKillsALongRunningAgent) {
    CapturedSpec c({"/bin/sleep", "100"});
    auto sandbox = launch(c.spec);
    ASSERT_TRUE(sandbox.ok()) << sandbox.error().message;
    ASSERT_TRUE(sandbox->terminate().ok());
    auto report = sandbox->wait();
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->signaled);
    EXPECT_EQ(report->signal, SIGKILL);
}

TEST(Launcher, CommandNotFoundIsALaunchError) {
    CapturedSpec c({"/nonexistent/agent"});
    auto sandbox = launch(c.spec);
    ASSERT_FALSE(sandbox.ok());
    EXPECT_NE(sandbox.error().message.find("execve"), std::string::npos) << sandbox.error().message;
}

TEST(Launcher, RejectsBadSpecs) {
    SandboxSpec spec = make_default_spec("Bad Name", {"/bin/true"});
    EXPECT_FALSE(validate_spec(spec).ok());
    spec = make_default_spec("ok", {"/bin/true"});
    spec.uid = 0;
    EXPECT_FALSE(validate_spec(spec).ok());
    spec = make_default_spec("ok", {});
    EXPECT_FALSE(validate_spec(spec).ok());
    spec = make_default_spec("ok", {"/bin/true"});
    spec.seccomp_profile_path.clear();
    auto sandbox = launch(spec);
    EXPECT_FALSE(sandbox.ok());
}

}  // namespace
}  // namespace kars::sandbox

namespace kars::sandbox {
namespace {

bool process_gone_within(pid_t pid, int millis) {
    for (int waited = 0; waited < millis; waited += 10) {
        std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
        std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
        const auto paren = text.rfind(')');
        if (paren == std::string::npos || text[paren + 2] == 'Z') {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

// The sandbox's PID 1 changes credentials during setup, which clears its parent-death
// signal; it must be re-armed, or a SIGKILL'ed supervisor leaves the sandbox running.
TEST(Launcher, KilledSupervisorTakesTheSandboxWithIt) {
    testing::CapturedSpec c({"/bin/sleep", "100"});
    auto sandbox = launch(c.spec);
    ASSERT_TRUE(sandbox.ok()) << sandbox.error().message;
    const pid_t init = sandbox->location().init_pid;
    ASSERT_GT(init, 0);
    ASSERT_EQ(kill(sandbox->supervisor_pid(), SIGKILL), 0);
    auto report = sandbox->wait();
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->supervisor_lost);
    EXPECT_TRUE(report->signaled);
    EXPECT_EQ(report->signal, SIGKILL);
    EXPECT_TRUE(process_gone_within(init, 2000)) << "sandbox PID 1 outlived its supervisor";
    for (const auto& dir : sandbox->location().cgroup_dirs) {
        for (int i = 0; i < 200 && rmdir(dir.c_str()) != 0 && errno == EBUSY; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
    }
}

}  // namespace
}  // namespace kars::sandbox
