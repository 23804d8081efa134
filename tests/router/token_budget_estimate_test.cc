// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <string>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "router/budget/token_estimate.h"

namespace kars::router::budget {
namespace {

std::uint64_t estimate(const std::string& json) {
    return estimate_request_tokens(boost::json::parse(json));
}

TEST(TokenBudgetEstimate, ChatRequestCountsTextAndMaxTokens) {
    // 8 bytes of text -> 2 tokens; 1 message -> 4; request -> 3; completion 100.
    EXPECT_EQ(estimate(R"({"messages":[{"role":"user","content":"abcdefgh"}],"max_tokens":100})"),
              2u + 4u + 3u + 100u);
}

TEST(TokenBudgetEstimate, PartialTokensRoundUp) {
    EXPECT_EQ(estimate(R"({"messages":[{"role":"user","content":"abcde"}],"max_tokens":0})"),
              2u + 4u + 3u);
}

// Which of the two an upstream honours is its business; the reservation covers the larger.
TEST(TokenBudgetEstimate, LargestOfTheCompletionLimitsCounts) {
    EXPECT_EQ(estimate(R"({"max_completion_tokens":50,"max_tokens":900})"), 3u + 900u);
    EXPECT_EQ(estimate(R"({"max_completion_tokens":900,"max_tokens":50})"), 3u + 900u);
    EXPECT_EQ(estimate(R"({"max_completion_tokens":null,"max_tokens":50})"), 3u + 50u);
}

TEST(TokenBudgetEstimate, SeveralChoicesMultiplyTheCompletion) {
    EXPECT_EQ(estimate(R"({"max_tokens":100,"n":4})"), 3u + 400u);
    EXPECT_EQ(estimate(R"({"max_tokens":100,"n":1})"), 3u + 100u);
    EXPECT_EQ(estimate(R"({"max_tokens":9223372036854775807,"n":128})"), UINT64_MAX);
}

TEST(TokenBudgetEstimate, SizeFieldsThatAreNotCountsAreRefused) {
    auto problem = [](std::string_view body) { return sizing_problem(boost::json::parse(body)); };
    for (auto body : {R"({"max_tokens":1e5})", R"({"max_tokens":100000.0})",
                      R"({"max_tokens":"100000"})", R"({"max_tokens":-5})",
                      R"({"max_completion_tokens":true})", R"({"max_output_tokens":[1]})",
                      R"({"n":0})", R"({"n":129})", R"({"n":2.5})", R"({"n":"2"})"}) {
        EXPECT_TRUE(problem(body).has_value()) << body;
    }
    for (auto body : {R"({"max_tokens":100000})", R"({"max_tokens":null,"n":null})",
                      R"({"n":128,"max_completion_tokens":0})", R"({})"}) {
        EXPECT_FALSE(problem(body).has_value()) << body;
    }
    // Should one slip past the check, the estimate treats it as unbounded, never as the
    // default.
    EXPECT_EQ(estimate(R"({"max_tokens":1e5})"), UINT64_MAX);
}

TEST(TokenBudgetEstimate, ResponsesApiUsesMaxOutputTokensAndInput) {
    EXPECT_EQ(estimate(R"({"input":"abcd","max_output_tokens":10})"), 1u + 4u + 3u + 10u);
}

TEST(TokenBudgetEstimate, AnthropicSystemAndContentBlocksAreCounted) {
    std::string body = R"({"system":"abcd","max_tokens":1,
        "messages":[{"role":"user","content":[{"type":"text","text":"abcdefgh"}]}]})";
    // 12 bytes -> 3 tokens; system + 1 message -> 8; overhead 3; completion 1.
    EXPECT_EQ(estimate(body), 3u + 8u + 3u + 1u);
}

TEST(TokenBudgetEstimate, MissingMaxUsesDocumentedDefault) {
    EXPECT_EQ(estimate(R"({"messages":[]})"), 3u + kDefaultCompletionTokens);
    EXPECT_EQ(estimate_request_tokens(boost::json::value("not an object")),
              3u + kDefaultCompletionTokens);
}

TEST(TokenBudgetEstimate, HugeMaxTokensSaturatesInsteadOfWrapping) {
    EXPECT_EQ(estimate(R"({"messages":[{"content":"abcd"}],"max_tokens":18446744073709551615})"),
              UINT64_MAX);
}

}  // namespace
}  // namespace kars::router::budget
