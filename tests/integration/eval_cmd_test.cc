// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// `kars eval run` end to end: the built CLI starts a real kars-router from a manifest and
// judges each case by the router's answers and audit entries.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "tests/integration/run_command.h"

namespace {

namespace fs = std::filesystem;

using kars::testing::CmdResult;

CmdResult kars(const std::string& args) {
    return kars::testing::run_kars(args);
}

std::string source(const std::string& rel) {
    return std::string(KARS_SOURCE_DIR) + "/" + rel;
}
std::string corpus(const std::string& name) {
    return source("../shared/reference/eval-corpus/" + name);
}

class EvalCmd : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("kars-eval-test-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string write(const std::string& name, const std::string& text) {
        std::ofstream(dir_ / name) << text;
        return (dir_ / name).string();
    }

    fs::path dir_;
};

TEST_F(EvalCmd, EveryReferenceCorpusPassesAgainstTheEvalSandbox) {
    auto r =
        kars("eval run " + corpus("banned-tools.json") + " " + corpus("egress-known-bad.json") +
             " " + corpus("memory-isolation.json") + " -f " + source("examples/eval/sandbox.yaml"));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("16 of 16 cases passed"), std::string::npos) << r.output;
}

TEST_F(EvalCmd, AMissFailsTheRunAndSaysWhy) {
    // The demo sandbox has no ToolPolicy: the built-in profile allows every tool, so each
    // banned tool is a miss, and the run must say so and exit 1.
    auto r = kars("eval run " + corpus("banned-tools.json") + " -f " +
                  source("examples/demo/sandbox.yaml"));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("FAIL"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("decision Allowed, want Blocked"), std::string::npos) << r.output;
}

TEST_F(EvalCmd, ChatCompletionCasesGoThroughTheInferencePath) {
    const std::string cassette = write(
        "c.jsonl",
        R"({"match":{"method":"POST","path":"/v1/chat/completions","model":"eval-chat"},)"
        R"("response":{"status":200,"headers":{},"body":{"id":"x","object":"chat.completion",)"
        R"("created":1,"model":"eval-chat","choices":[{"index":0,"message":{"role":"assistant",)"
        R"("content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,)"
        R"("completion_tokens":1,"total_tokens":4}}}})"
        "\n");
    const std::string profile = write("p.yaml", R"(version: "1.0"
policies:
  - name: no-secret-model
    type: capability
    priority: 10
    denied_actions: ["inference:chat_completions:secret-model"]
  - name: inference
    type: capability
    allowed_actions: ["inference:*"]
)");
    const std::string cases = write("chat.json", R"({"schemaVersion":"v1","name":"chat","cases":[
      {"id":"ok","scenario":{"kind":"ChatCompletion","model":"eval-chat","prompt":"hi","max_tokens":5},
       "expect":{"decision":"Allowed"}},
      {"id":"over-budget","scenario":{"kind":"ChatCompletion","model":"eval-chat","prompt":"hi","max_tokens":100000},
       "expect":{"decision":"Blocked","byPolicyKind":"InferencePolicy","reasonContains":"Per-request token budget"}},
      {"id":"denied-model","scenario":{"kind":"ChatCompletion","model":"secret-model","prompt":"hi"},
       "expect":{"decision":"Blocked","byPolicyKind":"GovernanceProfile","reasonContains":"no-secret-model"}}]})");
    auto r = kars("eval run " + cases + " -f " + source("examples/eval/sandbox.yaml") +
                  " --cassette " + cassette + " --profile " + profile + " --json");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    auto report = boost::json::parse(r.output);
    EXPECT_EQ(report.at("passed").as_int64(), 3) << r.output;
}

TEST_F(EvalCmd, MalformedCorporaAreRefusedBeforeAnythingRuns) {
    for (
        const char* text :
        {"{", R"({"schemaVersion":"v2","cases":[]})", R"({"schemaVersion":"v1","cases":[]})",
         R"({"schemaVersion":"v1","cases":[{"id":"a","scenario":{"kind":"Teleport"},"expect":{"decision":"Allowed"}}]})",
         R"({"schemaVersion":"v1","cases":[{"id":"a","scenario":{"kind":"ToolCall","tool":"x"},"expect":{"decision":"Maybe"}}]})",
         R"({"schemaVersion":"v1","cases":[{"id":"a","scenario":{"kind":"EgressConnect","host":"h","port":0},"expect":{"decision":"Blocked"}}]})"}) {
        const std::string file = write("bad.json", text);
        auto r = kars("eval run " + file + " -f " + source("examples/eval/sandbox.yaml"));
        EXPECT_EQ(r.exit_code, 2) << text << "\n" << r.output;
        EXPECT_NE(r.output.find("kars eval:"), std::string::npos) << r.output;
    }
}

}  // namespace
