// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// Runs kars-sandbox-conformance inside a sandbox (every escape must be refused) and outside
// (the same escapes must work there), so a PASS inside is known to measure the sandbox.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sandbox/launcher.h"
#include "tests/sandbox/sandbox_test_support.h"

namespace kars::sandbox {
namespace {

// The sandbox lays a fresh tmpfs over /tmp, so a build tree under /tmp is invisible inside
// it. The program is then copied to /var/tmp, which the sandbox shows read-only.
std::string conformance_binary() {
    static const std::string path = [] {
        std::string built = std::string(KARS_BIN_DIR) + "/kars-sandbox-conformance";
        if (built.rfind("/tmp/", 0) != 0) return built;
        std::string copy = "/var/tmp/kars-sandbox-conformance-" + std::to_string(getpid());
        std::filesystem::copy_file(built, copy, std::filesystem::copy_options::overwrite_existing);
        std::filesystem::permissions(copy, std::filesystem::perms::owner_all |
                                               std::filesystem::perms::group_exec |
                                               std::filesystem::perms::others_exec);
        return copy;
    }();
    return path;
}

// The things the conformance program aims at from inside: a host listener, a process, a
// secret under a hidden path and a read-only host directory.
class ConformanceTargets : public ::testing::Test {
protected:
    void SetUp() override {
        listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ASSERT_EQ(bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
        ASSERT_EQ(listen(listener_, 8), 0);
        socklen_t len = sizeof(addr);
        getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);

        victim_ = fork();
        if (victim_ == 0) {
            execl("/bin/sleep", "sleep", "60", nullptr);
            _exit(127);
        }
        secret_dir_ = "/root/.kars-conformance-" + std::to_string(getpid());
        std::filesystem::create_directories(secret_dir_);
        std::ofstream(secret_dir_ + "/secret") << "token";
        readonly_dir_ = std::string(KARS_BIN_DIR) + "/ro-probe-" + std::to_string(getpid());
        std::filesystem::create_directories(readonly_dir_);
    }
    void TearDown() override {
        close(listener_);
        kill(victim_, SIGKILL);
        waitpid(victim_, nullptr, 0);
        std::filesystem::remove_all(secret_dir_);
        std::filesystem::remove_all(readonly_dir_);
    }
    std::vector<std::string> args(const char* mode) const {
        return {conformance_binary(), mode,
                "--outside-pid",      std::to_string(victim_),
                "--host-port",        std::to_string(port_),
                "--hidden-file",      secret_dir_ + "/secret",
                "--readonly-dir",     readonly_dir_};
    }

    int listener_ = -1;
    int port_ = 0;
    pid_t victim_ = -1;
    std::string secret_dir_;
    std::string readonly_dir_;
};

int count_lines(const std::string& text, const std::string& prefix) {
    std::istringstream in(text);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        n += line.rfind(prefix, 0) == 0 ? 1 : 0;
    }
    return n;
}

// Inside: every escape refused, the router ports reachable, exit 0.
TEST_F(ConformanceTargets, EveryEscapeIsRefusedInsideTheSandbox) {
    auto argv = args("--expect-confined");
    argv.push_back("--router-port");
    argv.push_back("8443");
    argv.push_back("--router-port");
    argv.push_back("8444");
    testing::CapturedSpec c(argv);
    auto sandbox = launch(c.spec);
    ASSERT_TRUE(sandbox.ok()) << sandbox.error().message;
    auto report = sandbox->wait();
    ASSERT_TRUE(report.ok());
    std::string out = c.output();
    std::cout << out;
    EXPECT_EQ(report->exit_code, 0) << out;
    EXPECT_EQ(count_lines(out, "FAIL"), 0) << out;
    EXPECT_GE(count_lines(out, "PASS"), 30) << out;
}

// Outside: the same program finds the escapes open, so the checks measure the sandbox.
TEST_F(ConformanceTargets, EscapesWorkOutsideTheSandbox) {
    auto argv = args("--expect-open");
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        std::vector<char*> cargv;
        for (auto& a : argv) {
            cargv.push_back(a.data());
        }
        cargv.push_back(nullptr);
        execv(cargv[0], cargv.data());
        _exit(127);
    }
    close(fds[1]);
    std::string out = testing::drain(fds[0]);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    std::cout << out;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
    for (const char* name :
         {"connect_host_loopback", "raw_socket", "read_hidden_file", "write_outside_writable",
          "mount", "unshare_user", "unshare_net", "setns", "ptrace_outside", "kill_outside",
          "proc_host_pids", "io_uring_setup", "tiocsti", "clone_newuser_high_bits"}) {
        EXPECT_NE(out.find(std::string("PASS ") + name + " "), std::string::npos) << name;
    }
}

}  // namespace
}  // namespace kars::sandbox
