// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// The sandbox lifecycle verbs end to end with the built binaries: `kars dev -d` leaves a real
// sandbox running, `list/status/logs/exec/connect` see and join it, `destroy` leaves nothing.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "tests/integration/run_command.h"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

using kars::testing::CmdResult;
using kars::testing::run_shell;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// The agent prints a marker (split as X_""Y so it appears only in the agent's output, not in
// the command line) and then waits to be killed.
std::string sleeping_manifest(const std::string& name) {
    return "apiVersion: kars.azure.com/v1alpha1\n"
           "kind: InferencePolicy\n"
           "metadata: {name: lifecycle, namespace: default}\n"
           "spec:\n"
           "  appliesTo: {sandboxName: " +
           name +
           "}\n"
           "  modelPreference: {primary: {provider: openai, deployment: gpt-4o-mini}}\n"
           "---\n"
           "apiVersion: kars.azure.com/v1alpha1\n"
           "kind: KarsSandbox\n"
           "metadata: {name: " +
           name +
           ", namespace: default}\n"
           "spec:\n"
           "  runtime:\n"
           "    kind: BYO\n"
           "    byo:\n"
           "      image: ghcr.io/kars/lifecycle-test:v1\n"
           "      contractVersion: v1\n"
           "      command: [/bin/sh, -c, 'echo AGENT_\"\"STARTED; echo TO_\"\"STDERR >&2; "
           "sleep 300']\n"
           "  sandbox: {isolation: standard}\n"
           "  inferenceRef: {name: lifecycle}\n";
}

// True while pid runs something: missing and zombie processes are gone (a zombie holds no
// namespace, memory or cgroup; this machine's PID 1 reaps orphans late).
bool running(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto paren = text.rfind(')');
    return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] != 'Z' &&
           text[paren + 2] != 'X';
}

// Waits up to two seconds for pid to be gone.
bool gone(pid_t pid) {
    for (int i = 0; i < 100 && running(pid); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return !running(pid);
}

// The namespaces a process is in, as readlink(/proc/PID/ns/KIND) strings.
std::set<std::string> namespaces_of(pid_t pid) {
    std::set<std::string> out;
    for (const char* kind : {"user", "mnt", "net", "pid", "ipc", "uts", "cgroup"}) {
        std::error_code ec;
        const auto target = fs::read_symlink("/proc/" + std::to_string(pid) + "/ns/" + kind, ec);
        if (!ec) out.insert(target.string());
    }
    return out;
}

// Every process on the host still in one of `namespaces`.
std::vector<std::string> holders_of(const std::set<std::string>& namespaces) {
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator("/proc")) {
        const std::string pid = entry.path().filename();
        if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
        for (const auto& ns : namespaces_of(std::stoi(pid))) {
            if (namespaces.count(ns) != 0) found.push_back(pid + " in " + ns);
        }
    }
    return found;
}

// Processes the kernel is still tearing down may hold a namespace for a moment after their
// parent saw them exit; anything still there after two seconds was left behind.
std::string leftover_holders(const std::set<std::string>& namespaces) {
    for (int i = 0; i < 100; ++i) {
        auto found = holders_of(namespaces);
        if (found.empty()) return {};
        if (i == 99) {
            std::string out;
            for (const auto& f : found) {
                std::ifstream cmd("/proc/" + f.substr(0, f.find(' ')) + "/cmdline");
                std::string argv0;
                std::getline(cmd, argv0, '\0');
                out += f + " (" + argv0 + "); ";
            }
            return out;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return {};
}

class LifecycleTest : public ::testing::Test {
protected:
    void SetUp() override {
        // Not under /tmp: the sandbox mounts its own /tmp over it.
        dir_ = fs::path(KARS_BIN_DIR).parent_path() /
               ("lifecycle-test-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_ / "home");
        ::chmod(dir_.c_str(), 0755);
        ::chmod((dir_ / "home").c_str(), 0755);
        name_ = "lc-" + std::to_string(::getpid());
    }
    void TearDown() override {
        (void)kars("destroy --missing-ok --grace 1 " + name_);
        fs::remove_all(dir_);
    }

    CmdResult kars(const std::string& args) const {
        return run_shell("HOME=" + (dir_ / "home").string() + " " + KARS_BIN_DIR + "/kars " + args);
    }

    CmdResult start_detached(const std::string& manifest_text) const {
        const fs::path m = dir_ / "sandbox.yaml";
        std::ofstream(m) << manifest_text;
        return kars("dev -d -f " + m.string() + " --name " + name_ + " --state-dir " +
                    (dir_ / "state").string() + " --replay " + KARS_SOURCE_DIR +
                    "/examples/demo/cassette.jsonl");
    }

    json::value status_json() const {
        const CmdResult r = kars("status --json " + name_);
        EXPECT_EQ(r.exit_code, 0) << r.output;
        std::error_code ec;
        json::value v = json::parse(r.output, ec);
        EXPECT_FALSE(ec) << r.output;
        return v;
    }

    static pid_t pid_of(const json::value& status, const char* process) {
        const auto& p = status.at("processes").at(process);
        if (p.is_int64()) return static_cast<pid_t>(p.as_int64());
        return static_cast<pid_t>(p.at("pid").as_int64());
    }

    // Polls `kars status` until the sandbox has ended.
    json::value wait_until_ended() const {
        json::value s;
        for (int i = 0; i < 200; ++i) {
            s = status_json();
            if (s.is_object() && s.at("state").as_string() != "running") break;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return s;
    }

    std::string wait_for_log(const std::string& marker) const {
        CmdResult r;
        for (int i = 0; i < 100; ++i) {
            r = kars("logs " + name_);
            if (contains(r.output, marker)) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return r.output;
    }

    fs::path dir_;
    std::string name_;
};

// The whole story: detached start, list, exec sees the sandbox's identity and not the host's
// files, logs holds the agent's output, a SIGKILL'ed agent is reported as killed, destroy
// leaves no process, cgroup, namespace or record.
TEST_F(LifecycleTest, DetachExecLogsKillStatusDestroy) {
    std::ofstream(dir_ / "home" / "host-secret") << "x";
    const CmdResult started = start_detached(sleeping_manifest(name_));
    ASSERT_EQ(started.exit_code, 0) << started.output;
    EXPECT_TRUE(contains(started.output, "running in the background")) << started.output;

    const CmdResult listed = kars("list");
    EXPECT_EQ(listed.exit_code, 0) << listed.output;
    EXPECT_TRUE(contains(listed.output, name_)) << listed.output;
    EXPECT_TRUE(contains(listed.output, "running")) << listed.output;

    const json::value before = status_json();
    ASSERT_TRUE(before.is_object());
    EXPECT_EQ(before.at("state").as_string(), "running");
    const pid_t init = pid_of(before, "init");
    const pid_t agent = pid_of(before, "agent");
    ASSERT_GT(init, 0);
    ASSERT_GT(agent, 0);
    const std::set<std::string> sandbox_namespaces = namespaces_of(init);
    EXPECT_EQ(sandbox_namespaces.size(), 7u);
    EXPECT_NE(sandbox_namespaces, namespaces_of(::getpid()));
    std::vector<std::string> cgroups;
    for (const auto& c : before.at("cgroup_dirs").as_array()) cgroups.emplace_back(c.as_string());

    const CmdResult uid = kars("exec " + name_ + " -- id -u");
    EXPECT_EQ(uid.exit_code, 0) << uid.output;
    EXPECT_EQ(uid.output, "1000\n");
    EXPECT_NE(std::to_string(::getuid()) + "\n", uid.output);
    const CmdResult host = kars("exec " + name_ + " -- hostname");
    EXPECT_EQ(host.output, name_ + "\n");
    ASSERT_TRUE(fs::exists(dir_ / "home" / "host-secret"));
    const CmdResult hidden =
        kars("exec " + name_ + " -- cat " + (dir_ / "home" / "host-secret").string());
    EXPECT_NE(hidden.exit_code, 0) << hidden.output;
    const CmdResult code = kars("exec " + name_ + " -- sh -c \"exit 3\"");
    EXPECT_EQ(code.exit_code, 3) << code.output;
    const CmdResult missing = kars("exec " + name_ + " -- /no/such/program");
    EXPECT_EQ(missing.exit_code, 127) << missing.output;

    const std::string log = wait_for_log("TO_STDERR");
    EXPECT_TRUE(contains(log, "AGENT_STARTED")) << log;
    EXPECT_TRUE(contains(log, "TO_STDERR")) << log;

    ASSERT_EQ(::kill(agent, SIGKILL), 0);
    const json::value ended = wait_until_ended();
    EXPECT_EQ(ended.at("state").as_string(), "killed") << json::serialize(ended);
    EXPECT_EQ(ended.at("signal_name").as_string(), "SIGKILL") << json::serialize(ended);
    const CmdResult text = kars("status " + name_);
    EXPECT_TRUE(contains(text.output, "killed (SIGKILL)")) << text.output;
    const CmdResult late = kars("exec " + name_ + " -- true");
    EXPECT_EQ(late.exit_code, 1) << late.output;
    EXPECT_TRUE(contains(late.output, "not running")) << late.output;

    const CmdResult destroyed = kars("destroy " + name_);
    EXPECT_EQ(destroyed.exit_code, 0) << destroyed.output;
    for (const char* p : {"dev", "supervisor", "init", "router"}) {
        EXPECT_FALSE(running(pid_of(before, p))) << p << " still running";
    }
    for (const auto& c : cgroups) EXPECT_FALSE(fs::exists(c)) << c;
    EXPECT_EQ(leftover_holders(sandbox_namespaces), "");
    EXPECT_FALSE(fs::exists(dir_ / "home" / ".kars" / "run" / name_));
    EXPECT_TRUE(fs::exists(dir_ / "state" / "audit.jsonl")) << "destroy keeps the audit log";

    const CmdResult again = kars("destroy " + name_);
    EXPECT_EQ(again.exit_code, 1) << again.output;
    EXPECT_TRUE(contains(again.output, "no sandbox named " + name_)) << again.output;
    EXPECT_EQ(kars("destroy --missing-ok " + name_).exit_code, 0);
}

// A joined command is confined like the agent: no capabilities, no_new_privs, seccomp,
// no new user namespace, no network but the router.
TEST_F(LifecycleTest, ExecIsConfinedLikeTheAgent) {
    ASSERT_EQ(start_detached(sleeping_manifest(name_)).exit_code, 0);
    const CmdResult proc = kars("exec " + name_ + " -- cat /proc/self/status");
    EXPECT_TRUE(contains(proc.output, "NoNewPrivs:\t1")) << proc.output;
    EXPECT_TRUE(contains(proc.output, "Seccomp:\t2")) << proc.output;
    EXPECT_TRUE(contains(proc.output, "CapEff:\t0000000000000000")) << proc.output;
    EXPECT_TRUE(contains(proc.output, "CapBnd:\t0000000000000000")) << proc.output;

    const CmdResult userns = kars("exec " + name_ + " -- unshare -U true");
    EXPECT_NE(userns.exit_code, 0) << userns.output;
    const CmdResult netns = kars("exec " + name_ + " -- unshare -n true");
    EXPECT_NE(netns.exit_code, 0) << netns.output;

    const CmdResult router =
        kars("exec " + name_ + " -- curl -sf --max-time 10 http://127.0.0.1:8443/healthz");
    EXPECT_EQ(router.exit_code, 0) << "the router must be reachable: " << router.output;
    const CmdResult outside =
        kars("exec " + name_ + " -- curl -s --max-time 5 --noproxy \"*\" http://10.1.2.3:80/");
    EXPECT_NE(outside.exit_code, 0) << outside.output;

    // The joined command sees the sandbox's PID namespace: its PID 1 is the sandbox init, and
    // no host process is visible.
    const CmdResult ps = kars("exec " + name_ + " -- ls /proc");
    EXPECT_FALSE(contains(ps.output, "\n" + std::to_string(::getpid()) + "\n")) << ps.output;

    // Writes only where the agent may write.
    EXPECT_EQ(kars("exec " + name_ + " -- touch /sandbox/ok").exit_code, 0);
    EXPECT_NE(kars("exec " + name_ + " -- touch /usr/kars-escape").exit_code, 0);
}

// Unknown names fail with a message saying so, for every verb that takes one.
TEST_F(LifecycleTest, UnknownNameFailsClearly) {
    for (const std::string verb : {"exec nosuch -- true", "status nosuch", "logs nosuch",
                                   "destroy nosuch", "connect nosuch"}) {
        const CmdResult r = kars(verb);
        EXPECT_EQ(r.exit_code, 1) << verb << ": " << r.output;
        EXPECT_TRUE(contains(r.output, "no sandbox named nosuch")) << verb << ": " << r.output;
    }
    const CmdResult bad = kars("status ../etc");
    EXPECT_EQ(bad.exit_code, 1) << bad.output;
    EXPECT_TRUE(contains(bad.output, "not a sandbox name")) << bad.output;
}

// Destroying a running sandbox stops every process and removes its cgroups, well within the
// grace period; a second start under the same name is then possible.
TEST_F(LifecycleTest, DestroyRunningSandboxLeavesNothing) {
    ASSERT_EQ(start_detached(sleeping_manifest(name_)).exit_code, 0);
    const json::value s = status_json();
    const std::set<std::string> sandbox_namespaces = namespaces_of(pid_of(s, "init"));
    const CmdResult dup = start_detached(sleeping_manifest(name_));
    EXPECT_EQ(dup.exit_code, 1) << dup.output;
    EXPECT_TRUE(contains(dup.output, "already running")) << dup.output;

    const CmdResult destroyed = kars("destroy " + name_);
    EXPECT_EQ(destroyed.exit_code, 0) << destroyed.output;
    EXPECT_FALSE(contains(destroyed.output, "SIGKILL after")) << destroyed.output;
    for (const char* p : {"dev", "supervisor", "init", "router", "agent"}) {
        EXPECT_FALSE(running(pid_of(s, p))) << p;
    }
    for (const auto& c : s.at("cgroup_dirs").as_array()) {
        EXPECT_FALSE(fs::exists(std::string(c.as_string()))) << c;
    }
    EXPECT_EQ(leftover_holders(sandbox_namespaces), "");
    const CmdResult listed = kars("list");
    EXPECT_FALSE(contains(listed.output, name_)) << listed.output;

    const CmdResult restarted = start_detached(sleeping_manifest(name_));
    EXPECT_EQ(restarted.exit_code, 0) << restarted.output;
}

// A SIGKILL'ed supervisor is reported as such, and the sandbox and its cgroups still go.
TEST_F(LifecycleTest, KilledSupervisorIsReportedAndCleanedUp) {
    ASSERT_EQ(start_detached(sleeping_manifest(name_)).exit_code, 0);
    const json::value s = status_json();
    ASSERT_EQ(::kill(pid_of(s, "supervisor"), SIGKILL), 0);
    const json::value ended = wait_until_ended();
    EXPECT_EQ(ended.at("state").as_string(), "killed") << json::serialize(ended);
    EXPECT_EQ(ended.at("signal_name").as_string(), "SIGKILL") << json::serialize(ended);
    EXPECT_TRUE(contains(std::string(ended.at("detail").as_string()), "supervisor"))
        << json::serialize(ended);
    EXPECT_TRUE(gone(pid_of(s, "init")));
    for (const auto& c : s.at("cgroup_dirs").as_array()) {
        EXPECT_FALSE(fs::exists(std::string(c.as_string()))) << c;
    }
}

// If `kars dev` itself is SIGKILL'ed, the supervisor ends the sandbox and records how.
TEST_F(LifecycleTest, KilledDevProcessLeavesARecordedEnd) {
    ASSERT_EQ(start_detached(sleeping_manifest(name_)).exit_code, 0);
    const json::value s = status_json();
    ASSERT_EQ(::kill(pid_of(s, "dev"), SIGKILL), 0);
    const json::value ended = wait_until_ended();
    EXPECT_EQ(ended.at("state").as_string(), "killed") << json::serialize(ended);
    EXPECT_TRUE(contains(std::string(ended.at("detail").as_string()), "kars dev"))
        << json::serialize(ended);
    for (const char* p : {"supervisor", "init", "router"}) {
        EXPECT_TRUE(gone(pid_of(s, p))) << p;
    }
    EXPECT_EQ(kars("destroy " + name_).exit_code, 0);
}

// `kars connect` on a terminal: the shell gets a fresh pty (isatty holds inside), is the
// sandbox's, and its exit status comes back. script(1) provides the caller's terminal.
TEST_F(LifecycleTest, ConnectGivesAShellOnAPty) {
    if (!fs::exists("/usr/bin/script")) GTEST_SKIP() << "script(1) is not installed";
    ASSERT_EQ(start_detached(sleeping_manifest(name_)).exit_code, 0);
    const std::string connect =
        "HOME=" + (dir_ / "home").string() + " " + KARS_BIN_DIR + "/kars connect " + name_;
    const CmdResult r = run_shell(
        "{ (sleep 0.5; echo \"tty -s && echo ON_\\\"\\\"PTY; echo X\\$((6*7)) \\$(hostname)\"; "
        "sleep 0.3; echo \"exit 5\") | script -qec \"" +
        connect + "\" /dev/null; }");
    EXPECT_EQ(r.exit_code, 5) << r.output;
    EXPECT_TRUE(contains(r.output, "ON_PTY")) << r.output;
    EXPECT_TRUE(contains(r.output, "X42 " + name_)) << r.output;
}

// `kars logs -f` returns once the sandbox ends, with everything the agent wrote.
TEST_F(LifecycleTest, LogsFollowEndsWithTheSandbox) {
    std::string manifest = sleeping_manifest(name_);
    const std::string sleep_cmd = "sleep 300";
    manifest.replace(manifest.find(sleep_cmd), sleep_cmd.size(), "sleep 1; echo LAST_\"\"LINE");
    ASSERT_EQ(start_detached(manifest).exit_code, 0);
    const CmdResult followed = kars("logs -f " + name_);
    EXPECT_EQ(followed.exit_code, 0) << followed.output;
    EXPECT_TRUE(contains(followed.output, "AGENT_STARTED")) << followed.output;
    EXPECT_TRUE(contains(followed.output, "LAST_LINE")) << followed.output;
    const json::value s = status_json();
    EXPECT_EQ(s.at("state").as_string(), "exited");
    EXPECT_EQ(s.at("exit_code").as_int64(), 0);
}

}  // namespace
