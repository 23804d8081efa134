// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "core/json/parse.h"
#include "router/providers/build_request.h"
#include "tests/router/provider_test_support.h"

namespace kars::router::providers {
namespace {

using testing::body;
using testing::header;

ProviderConfig anthropic() {
    ProviderConfig c;
    c.kind = ProviderKind::kAnthropic;
    c.credential = "sk-ant-router";
    c.anthropic_beta_allowlist = {"prompt-caching-2024-07-31", "token-efficient-tools-2025-02-19"};
    return c;
}

TEST(ProviderAnthropic, MessagesGoToV1MessagesWithKeyAndDefaultVersion) {
    HeaderList agent = {{"x-api-key", "agent"},
                        {"anthropic-version", "2020-01-01"},
                        {"authorization", "Bearer agent"}};
    auto r = build_request(anthropic(), Operation::kMessages,
                           body(R"({"model":"claude","max_tokens":5,"stream":true})"), agent);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->endpoint.host, "api.anthropic.com");
    EXPECT_EQ(r->target, "/v1/messages");
    EXPECT_EQ(header(*r, "x-api-key"), "sk-ant-router");
    EXPECT_EQ(header(*r, "anthropic-version"), "2023-06-01");
    EXPECT_FALSE(header(*r, "authorization").has_value());
    EXPECT_TRUE(r->streaming);
    EXPECT_FALSE(r->drop_usage_chunk);
    // The Messages API has no stream_options; the body is forwarded as sent.
    EXPECT_EQ(json::parse(r->body).value(),
              body(R"({"model":"claude","max_tokens":5,"stream":true})"));
}

TEST(ProviderAnthropic, VersionIsConfigurableAndTrailingV1Tolerated) {
    ProviderConfig c = anthropic();
    c.anthropic_version = "2024-01-01";
    c.base_url = "https://anthropic.internal:8443/v1";
    auto r = build_request(c, Operation::kModels, nullptr, {});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->method, "GET");
    EXPECT_EQ(r->target, "/v1/models");
    EXPECT_EQ(r->endpoint.authority, "anthropic.internal:8443");
    EXPECT_EQ(header(*r, "anthropic-version"), "2024-01-01");
}

TEST(ProviderAnthropic, BetaHeaderKeepsOnlyAllowlistedValues) {
    HeaderList agent = {
        {"Anthropic-Beta", "prompt-caching-2024-07-31, files-api-2025-04-14"},
        {"anthropic-beta", "token-efficient-tools-2025-02-19,prompt-caching-2024-07-31"}};
    auto r = build_request(anthropic(), Operation::kMessages, body(R"({"model":"c"})"), agent);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(header(*r, "anthropic-beta"),
              "prompt-caching-2024-07-31,token-efficient-tools-2025-02-19");
}

TEST(ProviderAnthropic, BetaHeaderWithNoAllowedValueIsDropped) {
    HeaderList agent = {{"anthropic-beta", "files-api-2025-04-14"}};
    auto r = build_request(anthropic(), Operation::kMessages, body(R"({"model":"c"})"), agent);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(header(*r, "anthropic-beta").has_value());
}

TEST(ProviderAnthropic, BetaHeaderIsNotForwardedToOpenAIUpstreams) {
    ProviderConfig c;
    c.kind = ProviderKind::kOpenAI;
    c.credential = "k";
    c.anthropic_beta_allowlist = {"prompt-caching-2024-07-31"};
    auto r = build_request(c, Operation::kChatCompletions, body(R"({"model":"m"})"),
                           {{"anthropic-beta", "prompt-caching-2024-07-31"}});
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(header(*r, "anthropic-beta").has_value());
}

TEST(ProviderAnthropic, OpenAIOperationsAreUnsupported) {
    for (Operation op :
         {Operation::kChatCompletions, Operation::kResponses, Operation::kEmbeddings}) {
        auto r = build_request(anthropic(), op, body(R"({"model":"c"})"), {});
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, "unsupported_operation");
        EXPECT_FALSE(supports_operation(ProviderKind::kAnthropic, op));
    }
    EXPECT_TRUE(supports_operation(ProviderKind::kAnthropic, Operation::kMessages));
    EXPECT_FALSE(supports_operation(ProviderKind::kOpenAI, Operation::kMessages));
}

TEST(ProviderAnthropic, MissingCredentialIsAConfigError) {
    ProviderConfig c = anthropic();
    c.credential.clear();
    auto r = build_request(c, Operation::kMessages, body(R"({"model":"c"})"), {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "invalid_config");
}

}  // namespace
}  // namespace kars::router::providers
