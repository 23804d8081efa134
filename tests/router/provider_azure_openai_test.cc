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

ProviderConfig azure(AzureUrlStyle style, AzureAuth auth = AzureAuth::kApiKey) {
    ProviderConfig c;
    c.kind = ProviderKind::kAzureOpenAI;
    c.base_url = "https://contoso.openai.azure.com";
    c.credential = "azure-secret";
    c.azure_url_style = style;
    c.azure_auth = auth;
    c.deployments = {{"gpt-4o", "prod-gpt4o"}};
    return c;
}

TEST(ProviderAzure, DeploymentStyleMapsModelToDeploymentInPath) {
    auto r = build_request(azure(AzureUrlStyle::kDeployment), Operation::kChatCompletions,
                           body(R"({"model":"gpt-4o","messages":[]})"), {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->endpoint.host, "contoso.openai.azure.com");
    EXPECT_EQ(r->target, "/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21");
    EXPECT_EQ(json::parse(r->body).value().at("model"), "prod-gpt4o");
}

TEST(ProviderAzure, UnmappedModelIsItsOwnDeploymentAndVersionIsConfigurable) {
    ProviderConfig c = azure(AzureUrlStyle::kDeployment);
    c.azure_api_version = "2025-04-01-preview";
    auto r = build_request(c, Operation::kEmbeddings,
                           body(R"({"model":"text-embedding-3-small","input":"x"})"), {});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->target,
              "/openai/deployments/text-embedding-3-small/embeddings"
              "?api-version=2025-04-01-preview");
}

TEST(ProviderAzure, DeploymentNameIsPercentEncodedAndDotSegmentsRefused) {
    auto odd = build_request(azure(AzureUrlStyle::kDeployment), Operation::kChatCompletions,
                             body(R"({"model":"a/b?c#d"})"), {});
    ASSERT_TRUE(odd.ok());
    EXPECT_EQ(odd->target,
              "/openai/deployments/a%2Fb%3Fc%23d/chat/completions"
              "?api-version=2024-10-21");

    auto dots = build_request(azure(AzureUrlStyle::kDeployment), Operation::kChatCompletions,
                              body(R"({"model":".."})"), {});
    ASSERT_FALSE(dots.ok());
    EXPECT_EQ(dots.error().code, "invalid_request_error");
}

TEST(ProviderAzure, ResponsesAndModelsAreResourceLevelInDeploymentStyle) {
    auto responses = build_request(azure(AzureUrlStyle::kDeployment), Operation::kResponses,
                                   body(R"({"model":"gpt-4o","input":"hi"})"), {});
    ASSERT_TRUE(responses.ok());
    EXPECT_EQ(responses->target, "/openai/responses?api-version=2024-10-21");
    EXPECT_EQ(json::parse(responses->body).value().at("model"), "prod-gpt4o");

    auto models = build_request(azure(AzureUrlStyle::kDeployment), Operation::kModels, nullptr, {});
    ASSERT_TRUE(models.ok());
    EXPECT_EQ(models->method, "GET");
    EXPECT_EQ(models->target, "/openai/models?api-version=2024-10-21");
}

TEST(ProviderAzure, V1StyleKeepsModelInBodyWithoutApiVersion) {
    auto r = build_request(azure(AzureUrlStyle::kV1), Operation::kChatCompletions,
                           body(R"({"model":"gpt-4o","stream":true})"), {});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->target, "/openai/v1/chat/completions");
    auto sent = json::parse(r->body).value();
    EXPECT_EQ(sent.at("model"), "prod-gpt4o");
    EXPECT_EQ(sent.at("stream_options").at("include_usage"), true);
    EXPECT_TRUE(r->drop_usage_chunk);

    for (auto [op, path] : {std::pair{Operation::kEmbeddings, "/openai/v1/embeddings"},
                            std::pair{Operation::kResponses, "/openai/v1/responses"}}) {
        auto other = build_request(azure(AzureUrlStyle::kV1), op, body(R"({"model":"m"})"), {});
        ASSERT_TRUE(other.ok());
        EXPECT_EQ(other->target, path);
    }
}

TEST(ProviderAzure, V1StyleAcceptsPortalBaseUrlAndExplicitVersion) {
    ProviderConfig c = azure(AzureUrlStyle::kV1);
    c.base_url = "https://contoso.openai.azure.com/openai/v1/";
    c.azure_api_version = "preview";
    auto r = build_request(c, Operation::kModels, nullptr, {});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->target, "/openai/v1/models?api-version=preview");
}

TEST(ProviderAzure, ApiKeyAuthSetsApiKeyHeaderOnly) {
    HeaderList agent = {{"api-key", "agent-key"}, {"authorization", "Bearer agent"}};
    auto r = build_request(azure(AzureUrlStyle::kDeployment), Operation::kChatCompletions,
                           body(R"({"model":"gpt-4o"})"), agent);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(header(*r, "api-key"), "azure-secret");
    EXPECT_FALSE(header(*r, "authorization").has_value());
}

TEST(ProviderAzure, EntraAuthSetsBearerTokenOnly) {
    HeaderList agent = {{"api-key", "agent-key"}, {"authorization", "Bearer agent"}};
    auto r = build_request(azure(AzureUrlStyle::kV1, AzureAuth::kEntraToken),
                           Operation::kChatCompletions, body(R"({"model":"gpt-4o"})"), agent);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(header(*r, "authorization"), "Bearer azure-secret");
    EXPECT_FALSE(header(*r, "api-key").has_value());
}

TEST(ProviderAzure, MissingModelOrBaseUrlIsRefused) {
    auto no_model = build_request(azure(AzureUrlStyle::kDeployment), Operation::kChatCompletions,
                                  body(R"({"messages":[]})"), {});
    ASSERT_FALSE(no_model.ok());
    EXPECT_EQ(no_model.error().code, "invalid_request_error");

    ProviderConfig c = azure(AzureUrlStyle::kDeployment);
    c.base_url.clear();
    auto no_base = build_request(c, Operation::kChatCompletions, body(R"({"model":"m"})"), {});
    ASSERT_FALSE(no_base.ok());
    EXPECT_EQ(no_base.error().code, "invalid_config");
}

}  // namespace
}  // namespace kars::router::providers
