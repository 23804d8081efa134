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

ProviderConfig openai(std::string base_url = {}) {
    ProviderConfig c;
    c.kind = ProviderKind::kOpenAI;
    c.base_url = std::move(base_url);
    c.credential = "sk-router-secret";
    return c;
}

const HeaderList kAgentHeaders = {
    {"Authorization", "Bearer sk-agent-stolen"},
    {"api-key", "agent"},
    {"X-Api-Key", "agent"},
    {"Cookie", "session=1"},
    {"Proxy-Authorization", "Basic x"},
    {"x-kars-sandbox", "sbx-1"},
    {"OpenAI-Organization", "org-agent"},
    {"x-stainless-os", "Linux"},
    {"Content-Type", "text/plain"},
    {"Accept", "text/event-stream"},
    {"User-Agent", "OpenAI/Python 1.50"},
    {"OpenAI-Beta", "assistants=v2"},
    {"x-kars-trace-id", "trace-7"},
    {"X-Custom", "anything"},
};

TEST(ProviderOpenAI, ChatTargetIsBasePathPlusOperation) {
    auto r = build_request(openai(), Operation::kChatCompletions,
                           body(R"({"model":"gpt-4o","messages":[]})"), {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->method, "POST");
    EXPECT_EQ(r->endpoint.scheme, "https");
    EXPECT_EQ(r->endpoint.host, "api.openai.com");
    EXPECT_EQ(r->endpoint.port, "443");
    EXPECT_EQ(r->endpoint.authority, "api.openai.com");
    EXPECT_EQ(r->target, "/v1/chat/completions");
    EXPECT_EQ(header(*r, "authorization"), "Bearer sk-router-secret");
    EXPECT_EQ(header(*r, "content-type"), "application/json");
    EXPECT_FALSE(r->streaming);
}

TEST(ProviderOpenAI, LocalCompatibleServerKeepsPortAndPath) {
    auto r = build_request(openai("http://127.0.0.1:11434/v1/"), Operation::kEmbeddings,
                           body(R"({"model":"nomic","input":"x"})"), {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->endpoint.scheme, "http");
    EXPECT_EQ(r->endpoint.port, "11434");
    EXPECT_EQ(r->endpoint.authority, "127.0.0.1:11434");
    EXPECT_EQ(r->target, "/v1/embeddings");
}

TEST(ProviderOpenAI, ResponsesAndModelsTargets) {
    auto responses = build_request(openai(), Operation::kResponses,
                                   body(R"({"model":"gpt-4o","input":"hi","stream":true})"), {});
    ASSERT_TRUE(responses.ok());
    EXPECT_EQ(responses->target, "/v1/responses");
    EXPECT_TRUE(responses->streaming);
    EXPECT_EQ(responses->body.find("stream_options"), std::string::npos);

    auto models = build_request(openai(), Operation::kModels, nullptr, {});
    ASSERT_TRUE(models.ok());
    EXPECT_EQ(models->method, "GET");
    EXPECT_EQ(models->target, "/v1/models");
    EXPECT_TRUE(models->body.empty());
    EXPECT_FALSE(header(*models, "content-type").has_value());
}

TEST(ProviderOpenAI, EmptyCredentialSendsNoAuthorization) {
    ProviderConfig c = openai("http://localhost:8000/v1");
    c.credential.clear();
    auto r = build_request(c, Operation::kChatCompletions, body(R"({"model":"m"})"), kAgentHeaders);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(header(*r, "authorization").has_value());
}

TEST(ProviderOpenAI, InboundCredentialsAndUnlistedHeadersAreDropped) {
    auto r = build_request(openai(), Operation::kChatCompletions, body(R"({"model":"m"})"),
                           kAgentHeaders);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(header(*r, "authorization"), "Bearer sk-router-secret");
    for (const char* dropped :
         {"api-key", "x-api-key", "cookie", "proxy-authorization", "x-kars-sandbox",
          "openai-organization", "x-stainless-os", "x-custom"}) {
        EXPECT_FALSE(header(*r, dropped).has_value()) << dropped;
    }
    EXPECT_EQ(header(*r, "content-type"), "application/json");
    EXPECT_EQ(header(*r, "accept"), "text/event-stream");
    EXPECT_EQ(header(*r, "user-agent"), "OpenAI/Python 1.50");
    EXPECT_EQ(header(*r, "openai-beta"), "assistants=v2");
    EXPECT_EQ(header(*r, "x-kars-trace-id"), "trace-7");
    EXPECT_EQ(header(*r, "accept-encoding"), "identity");
    for (const auto& [name, value] : r->headers) {
        EXPECT_EQ(value.find("sk-agent-stolen"), std::string::npos) << name;
    }
}

TEST(ProviderOpenAI, StreamingChatAddsIncludeUsageAndAsksServerToDropUsageChunk) {
    auto r = build_request(openai(), Operation::kChatCompletions,
                           body(R"({"model":"m","stream":true})"), {});
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->streaming);
    EXPECT_TRUE(r->drop_usage_chunk);
    auto sent = json::parse(r->body).value();
    EXPECT_EQ(sent.at("stream_options").at("include_usage"), true);
}

TEST(ProviderOpenAI, StreamOptionsAreMergedAndClientUsageRequestIsKept) {
    auto r = build_request(
        openai(), Operation::kChatCompletions,
        body(R"({"model":"m","stream":true,"stream_options":{"include_usage":true,"x":1}})"), {});
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->drop_usage_chunk);
    auto sent = json::parse(r->body).value();
    EXPECT_EQ(sent.at("stream_options").at("x"), 1);
    EXPECT_EQ(sent.at("stream_options").at("include_usage"), true);

    auto off = build_request(
        openai(), Operation::kChatCompletions,
        body(R"({"model":"m","stream":true,"stream_options":{"include_usage":false}})"), {});
    ASSERT_TRUE(off.ok());
    EXPECT_TRUE(off->drop_usage_chunk);
    EXPECT_EQ(json::parse(off->body).value().at("stream_options").at("include_usage"), true);
}

TEST(ProviderOpenAI, NonStreamingBodyIsForwardedUnchanged) {
    auto r = build_request(openai(), Operation::kChatCompletions,
                           body(R"({"model":"m","temperature":0.5,"extra":[1,2]})"), {});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(json::parse(r->body).value(),
              body(R"({"model":"m","temperature":0.5,"extra":[1,2]})"));
    EXPECT_FALSE(r->drop_usage_chunk);
}

TEST(ProviderOpenAI, MessagesAndNonObjectBodiesAreRefused) {
    auto messages = build_request(openai(), Operation::kMessages, body("{}"), {});
    ASSERT_FALSE(messages.ok());
    EXPECT_EQ(messages.error().code, "unsupported_operation");

    auto array_body = build_request(openai(), Operation::kChatCompletions, body("[1]"), {});
    ASSERT_FALSE(array_body.ok());
    EXPECT_EQ(array_body.error().code, "invalid_request_error");
}

TEST(ProviderOpenAI, CredentialWithNewlineIsAConfigErrorAndNeverEchoed) {
    ProviderConfig c = openai();
    c.credential = "sk-secret\r\nx-injected: 1";
    auto r = build_request(c, Operation::kChatCompletions, body(R"({"model":"m"})"), {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "invalid_config");
    EXPECT_EQ(r.error().message.find("sk-secret"), std::string::npos);
}

}  // namespace
}  // namespace kars::router::providers
