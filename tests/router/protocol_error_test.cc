// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/errors/protocol_error.h"

#include <gtest/gtest.h>

namespace kars::router {
namespace {

TEST(ProtocolError, OpenAIShapeIsByteExact) {
    EXPECT_EQ(openai_error_body("x", "proxy_error"),
              R"({"error":{"message":"x","type":"proxy_error"}})");
    EXPECT_EQ(openai_error_body("over", "token_budget_exceeded", "daily"),
              R"({"error":{"message":"over","type":"token_budget_exceeded","code":"daily"}})");
}

TEST(ProtocolError, MessageIsEscaped) {
    EXPECT_EQ(openai_error_body("a\"b\n", "t"), R"({"error":{"message":"a\"b\n","type":"t"}})");
}

TEST(ProtocolError, AnthropicShapeDerivesTypeFromStatus) {
    EXPECT_EQ(error_body(Protocol::kAnthropic, 429, "slow down", "rate_limit_exceeded"),
              R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"}})");
    EXPECT_EQ(anthropic_error_type_for_status(502), "api_error");
}

}  // namespace
}  // namespace kars::router
