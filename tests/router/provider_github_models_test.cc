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

ProviderConfig github() {
    ProviderConfig c;
    c.kind = ProviderKind::kGitHubModels;
    c.credential = "ghp_router";
    return c;
}

TEST(ProviderGitHubModels, ChatGoesToInferenceEndpointWithBearerToken) {
    auto r = build_request(github(), Operation::kChatCompletions,
                           body(R"({"model":"openai/gpt-4.1","messages":[],"stream":true})"),
                           {{"authorization", "Bearer agent"}});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->endpoint.host, "models.github.ai");
    EXPECT_EQ(r->endpoint.port, "443");
    EXPECT_EQ(r->target, "/inference/chat/completions");
    EXPECT_EQ(header(*r, "authorization"), "Bearer ghp_router");
    EXPECT_EQ(header(*r, "x-github-api-version"), "2022-11-28");
    EXPECT_TRUE(r->drop_usage_chunk);
}

TEST(ProviderGitHubModels, OrganizationAttributionPrefixesPath) {
    ProviderConfig c = github();
    c.github_org = "contoso";
    auto r = build_request(c, Operation::kChatCompletions, body(R"({"model":"m"})"), {});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->target, "/orgs/contoso/inference/chat/completions");
}

TEST(ProviderGitHubModels, OnlyChatCompletionsIsServed) {
    for (Operation op : {Operation::kEmbeddings, Operation::kModels, Operation::kResponses,
                         Operation::kMessages}) {
        auto r = build_request(github(), op, body(R"({"model":"m"})"), {});
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, "unsupported_operation");
    }
}

}  // namespace
}  // namespace kars::router::providers
