// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "core/egress/authority.h"
#include "core/egress/decision.h"

namespace kars::egress {
namespace {

TEST(EgressAuthority, ParsesConnectTargets) {
    auto name = parse_connect_target("example.com:443");
    ASSERT_TRUE(name.ok()) << name.error().message;
    EXPECT_EQ(name->host, "example.com");
    EXPECT_EQ(name->port, 443);
    EXPECT_TRUE(name->scheme.empty());

    auto v6 = parse_connect_target("[::1]:8444");
    ASSERT_TRUE(v6.ok());
    EXPECT_EQ(v6->host, "[::1]");
    EXPECT_EQ(v6->port, 8444);

    auto v4 = parse_connect_target("127.0.0.1:65535");
    ASSERT_TRUE(v4.ok());
    EXPECT_EQ(v4->port, 65535);

    // Legacy notations are not RFC 3986 IPv4 but are valid reg-names; decide() classifies them.
    auto legacy = parse_connect_target("0x7f.1:22");
    ASSERT_TRUE(legacy.ok());
    EXPECT_EQ(legacy->host, "0x7f.1");
}

TEST(EgressAuthority, RefusesBadConnectTargets) {
    const char* const kBad[] = {
        "user@example.com:443",
        "user:pw@example.com:443",
        "example.com",
        "example.com:",
        ":443",
        "example.com:0",
        "example.com:65536",
        "example.com:99999999999999999999",
        "example.com:44x",
        "%31%32%37.0.0.1:80",
        "[fe80::1%25eth0]:80",
        "[v1.fe]:80",
        "example.com:443/path",
        "http://example.com:443",
        "[::1]",
        "",
    };
    for (const char* target : kBad) {
        auto parsed = parse_connect_target(target);
        EXPECT_FALSE(parsed.ok()) << "accepted '" << target << "'";
        if (!parsed.ok()) {
            EXPECT_EQ(parsed.error().code, "invalid_request_target");
        }
    }
}

TEST(EgressAuthority, ParsesAbsoluteFormTargets) {
    auto plain = parse_absolute_target("http://attacker.test/log?token=SECRET");
    ASSERT_TRUE(plain.ok()) << plain.error().message;
    EXPECT_EQ(plain->host, "attacker.test");
    EXPECT_EQ(plain->port, 80);
    EXPECT_EQ(plain->scheme, "http");
    EXPECT_EQ(plain->origin_form, "/log?token=SECRET");

    auto tls = parse_absolute_target("HTTPS://a.test");
    ASSERT_TRUE(tls.ok());
    EXPECT_EQ(tls->port, 443);
    EXPECT_EQ(tls->origin_form, "/");

    auto port = parse_absolute_target("http://[::ffff:127.0.0.1]:8080/x");
    ASSERT_TRUE(port.ok());
    EXPECT_EQ(port->host, "[::ffff:127.0.0.1]");
    EXPECT_EQ(port->port, 8080);
    EXPECT_EQ(port->origin_form, "/x");
}

TEST(EgressAuthority, RefusesBadAbsoluteFormTargets) {
    const char* const kBad[] = {
        "http://user:pw@a.test/",
        "http://user@a.test/",
        "ftp://a.test/",
        "file:///etc/passwd",
        "http://a.test:0/",
        "http://a.test:65536/",
        "http:///path",
        "/relative/path",
        "a.test:80",
        "http://%31%32%37.0.0.1/",
        "http://a.test/#fragment",
        // An IPv4 literal with a trailing dot before the port: read naively, the port is
        // dropped (judged as :80) and ".:18002/secret" becomes the path.
        "http://127.0.0.1.:18002/secret",
        "http://127.0.0.1.:abc/p",
        "http://1.2.3.4.:18001/",
    };
    for (const char* target : kBad) {
        EXPECT_FALSE(parse_absolute_target(target).ok()) << "accepted '" << target << "'";
    }
}

// peers.md 8A.1/8A.2: CONNECT and absolute-form HTTP to the same authority get the same answer.
TEST(EgressAuthority, ConnectAndAbsoluteFormDecideAlike) {
    EgressPolicy policy;
    manifest::Endpoint api;
    api.host = "api.openai.com";
    api.port = 443;
    policy.allowlist = *Allowlist::load({api});
    const auto now = Clock::time_point(std::chrono::seconds(1772366400));
    const std::pair<const char*, const char*> kPairs[] = {
        {"api.openai.com:443", "https://api.openai.com/v1/models"},
        {"attacker.test:80", "http://attacker.test/log?token=SECRET"},
        {"127.0.0.1:8444", "http://127.0.0.1:8444/"},
        {"[::ffff:a9fe:a9fe]:80", "http://[::ffff:a9fe:a9fe]/latest/meta-data/"},
    };
    for (const auto& [connect, absolute] : kPairs) {
        auto a = parse_connect_target(connect);
        auto b = parse_absolute_target(absolute);
        ASSERT_TRUE(a.ok() && b.ok()) << connect;
        const Decision da = decide(policy, a->host, a->port, now);
        const Decision db = decide(policy, b->host, b->port, now);
        EXPECT_EQ(da.verdict, db.verdict) << connect;
        EXPECT_EQ(da.decided_by, db.decided_by) << connect;
        EXPECT_EQ(da.host, db.host) << connect;
    }
    EXPECT_TRUE(decide(policy, "api.openai.com", 443, now).allowed());
}

}  // namespace
}  // namespace kars::egress
