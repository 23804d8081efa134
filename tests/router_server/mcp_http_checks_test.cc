// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/mcp/http_checks.h"

#include <gtest/gtest.h>

namespace kars::router::mcp {
namespace {

TEST(McpHostCheck, LoopbackNamesAndAddressesPass) {
    for (const char* host : {"127.0.0.1", "127.0.0.1:8443", "localhost", "LOCALHOST:1",
                             "[::1]:8443", "127.8.9.10:80", "[::ffff:127.0.0.1]:8443"}) {
        EXPECT_TRUE(host_allowed(host, {})) << host;
    }
}

TEST(McpHostCheck, RebindingNamesAndOtherAddressesFail) {
    for (const char* host :
         {"evil.example.com", "evil.example.com:8443", "localhost.evil.com", "10.0.0.1:8443",
          "[::2]:1", "", "user@127.0.0.1", "127.0.0.1.nip.io", "0.0.0.0:8443"}) {
        EXPECT_FALSE(host_allowed(host, {})) << host;
    }
}

TEST(McpHostCheck, ListedHostsPassCaseInsensitively) {
    EXPECT_TRUE(host_allowed("Router.Internal:8443", {"router.internal"}));
    EXPECT_FALSE(host_allowed("router.internal.evil:8443", {"router.internal"}));
}

TEST(McpOriginCheck, AbsentPassesPresentMustBeListed) {
    EXPECT_TRUE(origin_allowed("", {}));
    EXPECT_FALSE(origin_allowed("https://evil.example.com", {}));
    EXPECT_FALSE(origin_allowed("null", {}));
    EXPECT_FALSE(origin_allowed("http://localhost.evil.com", {}));
    EXPECT_FALSE(origin_allowed("file://localhost", {}));
    EXPECT_FALSE(origin_allowed("http://user@localhost:3000", {}));
    EXPECT_TRUE(origin_allowed("http://localhost:3000", {}));
    EXPECT_TRUE(origin_allowed("http://127.0.0.1", {}));
    EXPECT_TRUE(origin_allowed("https://[::1]:8443", {}));
    EXPECT_TRUE(origin_allowed("http://Tools.Internal:6274", {"http://tools.internal:6274"}));
    EXPECT_FALSE(origin_allowed("http://tools.internal:6275", {"http://tools.internal:6274"}));
}

TEST(McpAcceptCheck, BothJsonAndEventStreamAreNeeded) {
    EXPECT_TRUE(accepts_json_and_sse("application/json, text/event-stream"));
    EXPECT_TRUE(accepts_json_and_sse("text/event-stream;q=0.5 , Application/JSON"));
    EXPECT_TRUE(accepts_json_and_sse("*/*"));
    EXPECT_TRUE(accepts_json_and_sse("application/*, text/*"));
    EXPECT_FALSE(accepts_json_and_sse("application/json"));
    EXPECT_FALSE(accepts_json_and_sse("text/event-stream"));
    EXPECT_FALSE(accepts_json_and_sse(""));
    EXPECT_FALSE(accepts_json_and_sse("application/jsonx, text/event-streamy"));
}

TEST(McpContentType, MediaTypeDropsParametersAndCase) {
    EXPECT_EQ(media_type("Text/Event-Stream; charset=utf-8"), "text/event-stream");
    EXPECT_EQ(media_type(" application/json "), "application/json");
    EXPECT_EQ(media_type("application/jsonx"), "application/jsonx");
    EXPECT_EQ(media_type(""), "");
}

TEST(McpContentType, OnlyJson) {
    EXPECT_TRUE(is_json_content_type("application/json"));
    EXPECT_TRUE(is_json_content_type("application/json; charset=utf-8"));
    EXPECT_FALSE(is_json_content_type("text/plain"));
    EXPECT_FALSE(is_json_content_type("application/json, text/plain"));
    EXPECT_FALSE(is_json_content_type(""));
}

}  // namespace
}  // namespace kars::router::mcp
