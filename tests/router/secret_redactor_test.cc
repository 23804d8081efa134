// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/providers/secret_redactor.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace kars::router::providers {
namespace {

TEST(SecretRedactor, ReplacesEveryOccurrenceAndIgnoresShortSecrets) {
    SecretRedactor r({"sk-live-123456", "short", ""});
    std::string text = "key sk-live-123456 and again sk-live-123456; short stays";
    EXPECT_EQ(r.redact(text), 2u);
    EXPECT_EQ(text, "key [redacted by kars] and again [redacted by kars]; short stays");
    EXPECT_FALSE(r.contains_secret(text));
}

TEST(SecretRedactor, ALongerSecretContainingAShorterOneIsReplacedWhole) {
    SecretRedactor r({"abcdefgh", "abcdefgh-ijklmnop"});
    std::string text = "x abcdefgh-ijklmnop y";
    r.redact(text);
    EXPECT_EQ(text, "x [redacted by kars] y");
}

TEST(SecretRedactor, DropsHeadersWhoseValueHoldsASecret) {
    SecretRedactor r({"sk-live-123456"});
    HeaderList headers{{"x-request-id", "req-sk-live-123456"}, {"x-ratelimit", "10"}};
    EXPECT_EQ(r.drop_headers(headers), 1u);
    ASSERT_EQ(headers.size(), 1u);
    EXPECT_EQ(headers[0].first, "x-ratelimit");
}

TEST(SecretRedactor, WalksEveryStringOfAJsonValue) {
    SecretRedactor r({"sk-live-123456"});
    auto v = boost::json::parse(
        R"({"a":"sk-live-123456","b":[1,"x sk-live-123456",{"c":"sk-live-123456"}],"d":null})");
    EXPECT_EQ(r.redact(v), 3u);
    EXPECT_EQ(boost::json::serialize(v).find("sk-live"), std::string::npos);
    EXPECT_EQ(v.at("b").at(1).as_string(), "x [redacted by kars]");
}

}  // namespace
}  // namespace kars::router::providers
