// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <string>

#include <gtest/gtest.h>

#include "core/json/parse.h"
#include "router/providers/base_url.h"
#include "router/providers/fallback.h"
#include "router/providers/header_policy.h"
#include "router/providers/provider_config.h"
#include "router/providers/request_body.h"

namespace kars::router::providers {
namespace {

TEST(ProviderBaseUrl, ParsesSchemeHostDefaultPortAndPath) {
    auto ep = parse_base_url("https://Example.com/v1/");
    ASSERT_TRUE(ep.ok());
    EXPECT_EQ(ep->scheme, "https");
    EXPECT_EQ(ep->port, "443");
    EXPECT_EQ(ep->base_path, "/v1");
    auto http = parse_base_url("http://localhost");
    ASSERT_TRUE(http.ok());
    EXPECT_EQ(http->port, "80");
    EXPECT_EQ(http->base_path, "");
}

TEST(ProviderBaseUrl, Ipv6HostIsBareButAuthorityIsBracketed) {
    auto ep = parse_base_url("http://[::1]:8080/v1");
    ASSERT_TRUE(ep.ok());
    EXPECT_EQ(ep->host, "::1");
    EXPECT_EQ(ep->authority, "[::1]:8080");
}

TEST(ProviderBaseUrl, RejectsUserinfoQueryFragmentAndOtherSchemes) {
    EXPECT_FALSE(parse_base_url("https://user:pw@api.openai.com/v1").ok());
    EXPECT_FALSE(parse_base_url("https://api.openai.com/v1?api-version=1").ok());
    EXPECT_FALSE(parse_base_url("https://api.openai.com/v1#x").ok());
    EXPECT_FALSE(parse_base_url("ftp://api.openai.com").ok());
    EXPECT_FALSE(parse_base_url("api.openai.com/v1").ok());
    EXPECT_FALSE(parse_base_url("http://host:0/").ok());
    EXPECT_FALSE(parse_base_url("").ok());
}

TEST(ProviderBaseUrl, QueryParamIsEncoded) {
    EXPECT_EQ(append_query_param("/a/b", "api-version", "x y&z"), "/a/b?api-version=x%20y%26z");
    EXPECT_EQ(append_query_param("/a?k=1", "v", "2"), "/a?k=1&v=2");
}

TEST(ProviderRequestBody, WithModelReplacesModelAndLeavesRestIntact) {
    auto original = json::parse(R"({"model":"a","messages":[1]})").value();
    auto changed = with_model(original, "b");
    EXPECT_EQ(changed, json::parse(R"({"model":"b","messages":[1]})").value());
    EXPECT_EQ(model_of(original), "a");
    EXPECT_EQ(with_model(json::parse("[1]").value(), "b"), json::parse("[1]").value());
}

TEST(ProviderRequestBody, NonObjectStreamOptionsIsReplaced) {
    auto v = json::parse(R"({"stream":true,"stream_options":null})").value();
    StreamSetup s = prepare_chat_stream(v.get_object());
    EXPECT_TRUE(s.streaming);
    EXPECT_FALSE(s.client_requested_usage);
    EXPECT_EQ(v.at("stream_options").at("include_usage"), true);

    auto not_stream = json::parse(R"({"stream":false})").value();
    EXPECT_FALSE(prepare_chat_stream(not_stream.get_object()).streaming);
    EXPECT_EQ(not_stream.get_object().if_contains("stream_options"), nullptr);
}

TEST(ProviderResponseHeaders, KeepsContentTypeRequestIdsAndRateLimits) {
    HeaderList upstream = {
        {"Content-Type", "text/event-stream"},
        {"x-request-id", "r1"},
        {"apim-request-id", "r2"},
        {"x-ms-request-id", "r3"},
        {"request-id", "r4"},
        {"x-ratelimit-remaining-tokens", "100"},
        {"anthropic-ratelimit-requests-remaining", "5"},
        {"Retry-After", "2"},
        {"Set-Cookie", "__cf_bm=abc"},
        {"Connection", "keep-alive"},
        {"Keep-Alive", "timeout=5"},
        {"Transfer-Encoding", "chunked"},
        {"Content-Length", "10"},
        {"Upgrade", "h2c"},
        {"Proxy-Authenticate", "Basic"},
        {"TE", "trailers"},
        {"Trailer", "x"},
        {"openai-organization", "org-router"},
        {"www-authenticate", "Bearer"},
        {"x-something", "1"},
    };
    HeaderList kept = filter_response_headers(upstream);
    HeaderList expected = {
        {"content-type", "text/event-stream"},
        {"x-request-id", "r1"},
        {"apim-request-id", "r2"},
        {"x-ms-request-id", "r3"},
        {"request-id", "r4"},
        {"x-ratelimit-remaining-tokens", "100"},
        {"anthropic-ratelimit-requests-remaining", "5"},
        {"retry-after", "2"},
    };
    EXPECT_EQ(kept, expected);
}

TEST(ProviderResponseHeaders, HeaderNamedInConnectionIsDroppedEvenIfAllowlisted) {
    HeaderList upstream = {
        {"connection", "close, X-Request-Id"}, {"x-request-id", "r1"}, {"retry-after", "1"}};
    HeaderList expected = {{"retry-after", "1"}};
    EXPECT_EQ(filter_response_headers(upstream), expected);
}

TEST(ProviderClientHeaders, ValuesWithLineBreaksAreDropped) {
    HeaderList inbound = {{"user-agent", "x\r\nauthorization: Bearer y"}, {"accept", "*/*"}};
    HeaderList expected = {{"accept", "*/*"}};
    EXPECT_EQ(filter_client_headers(inbound, {}), expected);
}

TEST(ProviderFallback, RateLimitAndServerErrorsTryNextTarget) {
    EXPECT_EQ(classify_upstream_status(429), FallbackDecision::kTryNext);
    EXPECT_EQ(classify_upstream_status(500), FallbackDecision::kTryNext);
    EXPECT_EQ(classify_upstream_status(503), FallbackDecision::kTryNext);
    EXPECT_EQ(classify_upstream_status(529), FallbackDecision::kTryNext);
    EXPECT_EQ(classify_upstream_status(200), FallbackDecision::kAccept);
    EXPECT_EQ(classify_upstream_status(400), FallbackDecision::kAccept);
    EXPECT_EQ(classify_upstream_status(401), FallbackDecision::kAccept);
    EXPECT_EQ(classify_upstream_status(404), FallbackDecision::kAccept);
    EXPECT_EQ(classify_upstream_status(0), FallbackDecision::kTryNext);
}

TEST(ProviderConfigDescribe, RedactsCredentialAndUserinfo) {
    ProviderConfig c;
    c.kind = ProviderKind::kAzureOpenAI;
    c.base_url = "https://contoso.openai.azure.com";
    c.credential = "super-secret-key";
    std::string line = c.describe();
    EXPECT_EQ(line.find("super-secret-key"), std::string::npos);
    EXPECT_NE(line.find("provider=azure-openai"), std::string::npos);
    EXPECT_NE(line.find("credential=<redacted>"), std::string::npos);
    EXPECT_NE(line.find("contoso.openai.azure.com"), std::string::npos);

    c.base_url = "https://admin:hunter2@contoso.openai.azure.com";
    EXPECT_EQ(c.describe().find("hunter2"), std::string::npos);
    EXPECT_FALSE(validate_config(c).ok());
}

TEST(ProviderConfigKinds, ParsesKnownNamesAndRejectsOthers) {
    EXPECT_EQ(parse_provider_kind("azure-openai").value(), ProviderKind::kAzureOpenAI);
    EXPECT_EQ(parse_provider_kind("ollama").value(), ProviderKind::kOpenAI);
    EXPECT_EQ(parse_provider_kind("github-models").value(), ProviderKind::kGitHubModels);
    EXPECT_FALSE(parse_provider_kind("gemini").ok());
}

}  // namespace
}  // namespace kars::router::providers
