// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// The run record: what `kars status` concludes from it, and how it treats a damaged one.
#include "cli/run_record.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>

namespace kars::cli {
namespace {

namespace fs = std::filesystem;

class RunRecordTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::path(KARS_BIN_DIR).parent_path() /
               ("run-record-test-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    // The identity of a process that has exited and been reaped.
    static sandbox::ProcessIdentity reaped_process() {
        const pid_t pid = ::fork();
        if (pid == 0) ::_exit(0);
        auto id = sandbox::read_process_identity(pid);
        ::waitpid(pid, nullptr, 0);
        return id.value_or(sandbox::ProcessIdentity{pid, 1});
    }

    static sandbox::ProcessIdentity self() {
        return sandbox::read_process_identity(::getpid()).value();
    }

    fs::path dir_;
};

TEST_F(RunRecordTest, RoundTripsEveryField) {
    RunRecord r;
    r.name = "demo-1";
    r.manifest = "/m/sandbox.yaml";
    r.state_dir = "/s";
    r.audit_log = "/s/audit.jsonl";
    r.router_log = "/s/router.log";
    r.agent_log = "/r/agent.log";
    r.dev_log = "/r/dev.log";
    r.detached = true;
    r.created_at = 1700000000;
    r.dev = {11, 101};
    r.supervisor = {12, 102};
    r.init = {13, 103};
    r.router = {14, 104};
    r.cgroup_dirs = {"/sys/fs/cgroup/pids/kars/demo-1"};
    r.router_addresses = {"127.0.0.1:8443", "127.0.0.1:8444"};
    r.join.uid = 1000;
    r.join.gid = 1001;
    r.join.writable_paths = {"/sandbox", "/tmp"};
    r.join.seccomp_profile = "/p.json";
    r.join.working_dir = "/sandbox";
    r.join.open_files = 4096;
    r.join.env = {"HOME=/sandbox", "KARS_SANDBOX_NAME=demo-1"};
    r.end = SandboxEnd{"killed", 0, SIGKILL, "why", 1700000100};
    ASSERT_TRUE(write_run_record(dir_, r).ok());

    struct stat st {};
    ASSERT_EQ(::stat(record_path(dir_).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << "the record names log paths and the environment";

    auto back = read_run_record(dir_);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->name, r.name);
    EXPECT_EQ(back->agent_log, r.agent_log);
    EXPECT_TRUE(back->detached);
    EXPECT_EQ(back->created_at, r.created_at);
    EXPECT_EQ(back->supervisor.pid, 12);
    EXPECT_EQ(back->init.start_time, 103u);
    EXPECT_EQ(back->router.pid, 14);
    EXPECT_EQ(back->cgroup_dirs, r.cgroup_dirs);
    EXPECT_EQ(back->join.gid, 1001u);
    EXPECT_EQ(back->join.writable_paths, r.join.writable_paths);
    EXPECT_EQ(back->join.env, r.join.env);
    ASSERT_TRUE(back->end.has_value());
    EXPECT_EQ(back->end->signal, SIGKILL);
    EXPECT_EQ(observe(*back, dir_).describe(), "killed (SIGKILL)");
}

// A truncated or hand-broken record is an error that names the file, never a crash or a
// record of zeros that would send signals to pid 0.
TEST_F(RunRecordTest, RefusesDamagedRecords) {
    for (const std::string text : {"{\"name\": \"x\", \"processes\": {", "[1,2]", "garbage"}) {
        std::ofstream(record_path(dir_)) << text;
        auto r = read_run_record(dir_);
        ASSERT_FALSE(r.ok()) << text;
        EXPECT_NE(r.error().message.find("record.json"), std::string::npos) << r.error().message;
    }
    fs::remove(record_path(dir_));
    EXPECT_FALSE(read_run_record(dir_).ok());
}

// Fields of the wrong type read as absent: a string pid is not a pid.
TEST_F(RunRecordTest, WrongTypesReadAsAbsent) {
    std::ofstream(record_path(dir_)) << R"({"name": "x", "processes": {"dev": {"pid": "1"}}})";
    auto r = read_run_record(dir_);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->dev.pid, 0);
    EXPECT_EQ(observe(*r, dir_).state, "failed");
}

TEST_F(RunRecordTest, RunningWhileTheDevProcessRuns) {
    RunRecord r;
    r.dev = self();
    r.supervisor = reaped_process();
    EXPECT_EQ(observe(r, dir_).state, "running");
    r.supervisor = {};
    EXPECT_EQ(observe(r, dir_).state, "starting");
}

// kars dev SIGKILL'ed: the supervisor's exit line says how the agent ended.
TEST_F(RunRecordTest, SupervisorExitLineWhenTheDevProcessIsGone) {
    RunRecord r;
    r.dev = reaped_process();
    r.supervisor = reaped_process();
    std::ofstream(supervisor_exit_path(dir_)) << "exit " << SIGKILL << "\n";  // killed by 9
    const ObservedState s = observe(r, dir_);
    EXPECT_EQ(s.state, "killed");
    EXPECT_EQ(s.describe(), "killed (SIGKILL)");
    EXPECT_NE(s.detail.find("kars dev"), std::string::npos) << s.detail;

    std::ofstream(supervisor_exit_path(dir_)) << "exit " << (3 << 8) << "\n";
    EXPECT_EQ(observe(r, dir_).describe(), "exited (code 3)");
}

TEST_F(RunRecordTest, FailedWhenEverythingIsGoneWithoutARecord) {
    RunRecord r;
    r.dev = reaped_process();
    r.supervisor = reaped_process();
    const ObservedState s = observe(r, dir_);
    EXPECT_EQ(s.state, "failed");
    EXPECT_TRUE(s.ended());
}

// A pid whose start time does not match is another process: not ours, not running.
TEST_F(RunRecordTest, ReusedPidIsNotTheRecordedProcess) {
    sandbox::ProcessIdentity me = self();
    EXPECT_TRUE(sandbox::process_is_running(me));
    me.start_time += 1;
    EXPECT_FALSE(sandbox::process_is_running(me));
}

TEST_F(RunRecordTest, NamesMustBeSafePathComponents) {
    EXPECT_TRUE(valid_sandbox_name("demo-1"));
    for (const std::string& bad :
         std::vector<std::string>{"", "..", "../etc", "a/b", "Demo", "a b", std::string(64, 'a')}) {
        EXPECT_FALSE(valid_sandbox_name(bad)) << bad;
        EXPECT_FALSE(run_dir(bad).ok()) << bad;
    }
}

}  // namespace
}  // namespace kars::cli
