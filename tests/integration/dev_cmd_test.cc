// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// Runs the built `kars dev` end to end: a real sandbox, a real router on the socket made in the
// sandbox's network namespace, and small shell commands as the agent.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/integration/run_command.h"

namespace {

namespace fs = std::filesystem;

using kars::testing::CmdResult;
using kars::testing::run_shell;

std::string read_file(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A manifest whose BYO command is `/bin/sh -c SCRIPT`; the script is a YAML single-quoted
// scalar, so it must not contain single quotes. Scripts echo markers as X_""Y so the marker
// text appears only in what the agent prints, not in the command line the plan shows.
std::string byo_manifest(const std::string& script, const std::string& provider) {
    return "apiVersion: kars.azure.com/v1alpha1\n"
           "kind: InferencePolicy\n"
           "metadata: {name: dev-test, namespace: default}\n"
           "spec:\n"
           "  appliesTo: {sandboxName: dev-test}\n"
           "  modelPreference: {primary: {provider: " +
           provider +
           ", deployment: gpt-4o-mini}}\n"
           "  tokenBudget: {dailyTokens: 1000}\n"
           "---\n"
           "apiVersion: kars.azure.com/v1alpha1\n"
           "kind: KarsSandbox\n"
           "metadata: {name: dev-test, namespace: default}\n"
           "spec:\n"
           "  runtime:\n"
           "    kind: BYO\n"
           "    byo:\n"
           "      image: ghcr.io/kars/dev-test:v1\n"
           "      contractVersion: v1\n"
           "      command: [/bin/sh, -c, '" +
           script +
           "']\n"
           "  sandbox: {isolation: standard}\n"
           "  inferenceRef: {name: dev-test}\n";
}

class DevCmdTest : public ::testing::Test {
protected:
    void SetUp() override {
        // Not under /tmp: the sandbox mounts its own /tmp, which would hide this directory
        // for the wrong reason and make the hidden-home check meaningless.
        dir_ = fs::path(KARS_BIN_DIR).parent_path() /
               ("dev-cmd-test-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_ / "home");
        ::chmod(dir_.c_str(), 0755);
        ::chmod((dir_ / "home").c_str(), 0755);
    }
    void TearDown() override { fs::remove_all(dir_); }

    // `kars ARGS` with HOME inside the test directory, so no test touches the real ~/.kars.
    CmdResult kars(const std::string& args) const {
        return run_shell("HOME=" + (dir_ / "home").string() + " " + KARS_BIN_DIR + "/kars " + args);
    }

    CmdResult dev(const std::string& manifest_text) const {
        const fs::path m = dir_ / "sandbox.yaml";
        std::ofstream(m) << manifest_text;
        return kars("dev -f " + m.string() + " --state-dir " + (dir_ / "state").string() +
                    " --replay " + KARS_SOURCE_DIR + "/examples/demo/cassette.jsonl");
    }

    fs::path dir_;
};

// The router answers on 127.0.0.1:8443; every other address and the proxy port fail fast;
// the agent's exit status becomes kars dev's.
TEST_F(DevCmdTest, AgentReachesOnlyTheRouterAndExitStatusPropagates) {
    const CmdResult r = dev(byo_manifest(
        "curl -sf --max-time 10 http://127.0.0.1:8443/healthz && echo HEALTHZ_\"\"OK; "
        "curl -s --max-time 5 --noproxy \"*\" http://10.1.2.3:80/ && echo OTHER_\"\"OK "
        "|| echo OTHER_\"\"REFUSED; "
        "curl -s --max-time 5 https://example.com/ && echo PROXY_\"\"OK "
        "|| echo PROXY_\"\"REFUSED; "
        "exit 7",
        "openai"));
    EXPECT_EQ(r.exit_code, 7) << r.output;
    EXPECT_NE(r.output.find("HEALTHZ_OK"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("OTHER_REFUSED"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("PROXY_REFUSED"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("OTHER_OK"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("PROXY_OK"), std::string::npos) << r.output;
    EXPECT_TRUE(fs::exists(dir_ / "state" / "router.yaml"));
    EXPECT_TRUE(fs::exists(dir_ / "state" / "audit.jsonl"));
    EXPECT_FALSE(fs::exists(dir_ / "state" / "router.pid")) << "router pid file left behind";
}

// A successful agent makes kars dev exit 0.
TEST_F(DevCmdTest, ZeroExitWhenTheAgentSucceeds) {
    const CmdResult r = dev(byo_manifest("exit 0", "openai"));
    EXPECT_EQ(r.exit_code, 0) << r.output;
}

// The stored key is 0600 in a 0700 directory, never printed, and invisible to the agent:
// not in its files, not in its environment, not in the state the CLI writes.
TEST_F(DevCmdTest, CredentialIsPrivateAndNeverReachesTheSandbox) {
    const std::string secret = "sk-kars-test-SECRET-4f1c9e";
    const fs::path key = dir_ / "key.txt";
    std::ofstream(key) << secret << "\n";
    std::ofstream(dir_ / "home" / "visible-marker") << "x";

    const CmdResult set = kars("credentials set openai --api-key-file " + key.string());
    ASSERT_EQ(set.exit_code, 0) << set.output;
    EXPECT_EQ(set.output.find(secret), std::string::npos);
    const fs::path cred_dir = dir_ / "home" / ".kars" / "credentials";
    struct stat st {};
    ASSERT_EQ(::stat((cred_dir / "openai").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(::stat(cred_dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);

    const std::string home = (dir_ / "home").string();
    const CmdResult r = dev(byo_manifest(
        "cat " + home + "/.kars/credentials/openai; ls -A " + home + "/.kars; test -e " + home +
            "/visible-marker && echo HOME_\"\"VISIBLE; env | grep -c SECRET; "
            "grep -rs SECRET /sandbox /tmp /proc/1/environ; "
            "curl -sf --max-time 10 http://127.0.0.1:8443/healthz && echo HEALTHZ_\"\"OK; true",
        "openai"));
    // --replay wins over the credential; run once more without it to use the credential.
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(r.output.find(secret), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("HOME_VISIBLE"), std::string::npos) << r.output;

    const fs::path m = dir_ / "sandbox.yaml";
    const CmdResult live =
        kars("dev -f " + m.string() + " --state-dir " + (dir_ / "live").string());
    EXPECT_EQ(live.exit_code, 0) << live.output;
    EXPECT_NE(live.output.find("via credential"), std::string::npos) << live.output;
    EXPECT_NE(live.output.find("HEALTHZ_OK"), std::string::npos) << live.output;
    EXPECT_EQ(live.output.find(secret), std::string::npos) << live.output;
    EXPECT_EQ(live.output.find("HOME_VISIBLE"), std::string::npos) << live.output;
    for (const char* f : {"router.yaml", "router.log", "audit.jsonl"}) {
        EXPECT_EQ(read_file(dir_ / "live" / f).find(secret), std::string::npos) << f;
    }
}

// Every reference example either yields a valid plan or fails with one line naming what is
// missing; nothing crashes, hangs or prints usage.
TEST_F(DevCmdTest, DryRunOverEveryReferenceExample) {
    const char* env = std::getenv("KARS_REFERENCE_EXAMPLES");
    fs::path examples =
        env != nullptr ? fs::path(env) : fs::path(KARS_SOURCE_DIR) / "../shared/reference/examples";
    if (!fs::is_directory(examples)) GTEST_SKIP() << "no reference examples at " << examples;
    std::vector<fs::path> files{fs::path(KARS_SOURCE_DIR) / "examples/demo/sandbox.yaml"};
    for (const auto& e : fs::directory_iterator(examples)) {
        if (e.path().extension() == ".yaml") files.push_back(e.path());
    }
    ASSERT_GT(files.size(), 1u);
    int planned = 0;
    for (const auto& f : files) {
        const CmdResult r =
            kars("dev --dry-run -f " + f.string() + " --state-dir " + (dir_ / "state").string());
        SCOPED_TRACE(f.string() + "\n" + r.output);
        ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1);
        if (r.exit_code == 0) {
            ++planned;
            EXPECT_NE(r.output.find("dry run: the plan is valid"), std::string::npos);
            EXPECT_FALSE(fs::exists(dir_ / "state")) << "a dry run must not write the state dir";
        } else {
            const auto at = r.output.rfind("kars dev: ");
            ASSERT_NE(at, std::string::npos);
            EXPECT_GT(r.output.size() - at, 30u) << "the message must say what is missing";
        }
    }
    EXPECT_GE(planned, 1) << "the shipped demo manifest must plan";
    const CmdResult openclaw =
        kars("dev --dry-run -f " + (examples / "basic-agent__clawsandbox.yaml").string());
    if (fs::exists(examples / "basic-agent__clawsandbox.yaml")) {
        EXPECT_NE(openclaw.output.find("runtime OpenClaw is not installed"), std::string::npos)
            << openclaw.output;
    }
}

}  // namespace
