// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <gtest/gtest.h>

#include <string>

#include "core/egress/canonical_host.h"
#include "core/egress/ip_literal.h"

namespace kars::egress {
namespace {

struct NotationCase {
    const char* input;
    const char* canonical;
    HostKind kind;
};

// Every notation a resolver, libc or curl turns into an address must come out as that address.
const NotationCase kNotations[] = {
    {"127.0.0.1", "127.0.0.1", HostKind::kIpv4},
    {"2130706433", "127.0.0.1", HostKind::kIpv4},
    {"0177.0.0.1", "127.0.0.1", HostKind::kIpv4},
    {"0x7f.0.0.1", "127.0.0.1", HostKind::kIpv4},
    {"0X7F.0.0.1", "127.0.0.1", HostKind::kIpv4},
    {"0x7f000001", "127.0.0.1", HostKind::kIpv4},
    {"127.1", "127.0.0.1", HostKind::kIpv4},
    {"127.0.1", "127.0.0.1", HostKind::kIpv4},
    {"0", "0.0.0.0", HostKind::kIpv4},
    {"0x", "0.0.0.0", HostKind::kIpv4},
    {"0xa9.0xfe.0xa9.0xfe", "169.254.169.254", HostKind::kIpv4},
    {"0251.0376.0251.0376", "169.254.169.254", HostKind::kIpv4},
    {"169.254.43518", "169.254.169.254", HostKind::kIpv4},
    {"2852039166", "169.254.169.254", HostKind::kIpv4},
    {"127.0.0.1.", "127.0.0.1", HostKind::kIpv4},
    {"00000000000000000127.0.0.1", "87.0.0.1", HostKind::kIpv4},
    {"10.0.0.1", "10.0.0.1", HostKind::kIpv4},
    {"[::1]", "::1", HostKind::kIpv6},
    {"::1", "::1", HostKind::kIpv6},
    {"[::FFFF:127.0.0.1]", "::ffff:127.0.0.1", HostKind::kIpv6},
    {"[::ffff:7f00:1]", "::ffff:127.0.0.1", HostKind::kIpv6},
    {"[::127.0.0.1]", "::127.0.0.1", HostKind::kIpv6},
    {"[64:ff9b::a9fe:a9fe]", "64:ff9b::a9fe:a9fe", HostKind::kIpv6},
    {"[2002:7f00:1::]", "2002:7f00:1::", HostKind::kIpv6},
    {"[0:0:0:0:0:0:0:1]", "::1", HostKind::kIpv6},
    {"Example.COM", "example.com", HostKind::kName},
    {"example.com.", "example.com", HostKind::kName},
    {"_dmarc.example.com", "_dmarc.example.com", HostKind::kName},
    {"b\xc3\xbc"
     "cher.example",
     "xn--bcher-kva.example", HostKind::kName},
    {"B\xc3\x9c"
     "CHER.example",
     "xn--bcher-kva.example", HostKind::kName},
    // Full-width digits and dots (UTS #46 maps them to ASCII) are still an IP literal.
    {"\xef\xbc\x91\xef\xbc\x92\xef\xbc\x97\xef\xbc\x8e\xef\xbc\x91", "127.0.0.1", HostKind::kIpv4},
    {"localhost", "localhost", HostKind::kName},
};

TEST(EgressCanonicalHost, RecognisesEveryAddressNotation) {
    for (const auto& c : kNotations) {
        auto host = canonicalize_host(c.input);
        ASSERT_TRUE(host.ok()) << c.input << ": " << host.error().message;
        EXPECT_EQ(host->text, c.canonical) << c.input;
        EXPECT_EQ(host->kind, c.kind) << c.input;
        EXPECT_EQ(host->is_ip(), c.kind != HostKind::kName) << c.input;
    }
}

TEST(EgressCanonicalHost, CanonicalFormIsAFixedPoint) {
    for (const auto& c : kNotations) {
        auto first = canonicalize_host(c.input);
        ASSERT_TRUE(first.ok()) << c.input;
        auto second = canonicalize_host(first->text);
        ASSERT_TRUE(second.ok()) << first->text;
        EXPECT_EQ(second->text, first->text);
        auto bracketed = canonicalize_host(first->authority_text());
        ASSERT_TRUE(bracketed.ok()) << first->authority_text();
        EXPECT_EQ(bracketed->text, first->text);
    }
}

TEST(EgressCanonicalHost, RefusesInvalidNames) {
    const std::string long_label(64, 'a');
    std::string long_name;
    for (int i = 0; i < 64; ++i) {
        long_name += "abc.";
    }
    long_name += "com";  // 259 characters
    const char* const kInvalid[] = {
        "",
        ".",
        "..",
        "example..com",
        ".example.com",
        "example.com..",
        "exa mple.com",
        "example.com\n",
        "exa\x01mple.com",
        "-example.com",
        "example-.com",
        "ex!ample.com",
        "ex*ample.com",
        "*.example.com",
        "example.com/path",
        "user@example.com",
        "%31%32%37.0.0.1",
        "example.com:443",
        "[::1",
        "[fe80::1%25eth0]",
        "[fe80::1%eth0]",
        "[127.0.0.1]",
        "[v1.fe]",
        "1.2.3.256",
        "256.0.0.1",
        "1.2.3.4.5",
        "0x100000000",
        "4294967296",
        "08.0.0.1",
        "0x7g.0.0.1",
        "example.123",
        "example.0x10",
        "1.2..3",
    };
    for (const char* input : kInvalid) {
        auto host = canonicalize_host(input);
        EXPECT_FALSE(host.ok()) << "accepted '" << input << "' as " << host->text;
        if (!host.ok()) {
            EXPECT_EQ(host.error().code, "invalid_host");
        }
    }
    EXPECT_FALSE(canonicalize_host(long_label + ".com").ok());
    EXPECT_FALSE(canonicalize_host(long_name).ok());
    EXPECT_TRUE(canonicalize_host(std::string(63, 'a') + ".com").ok());
}

TEST(EgressCanonicalHost, RemovesOnlyOneTrailingDot) {
    EXPECT_EQ(canonicalize_host("evil.test.")->text, "evil.test");
    EXPECT_FALSE(canonicalize_host("evil.test..").ok());
}

TEST(EgressCanonicalHost, RefusesDisallowedUnicode) {
    // U+2028 LINE SEPARATOR and a lone continuation byte are not valid in IDNA input.
    EXPECT_FALSE(canonicalize_host("a\xe2\x80\xa8"
                                   "b.example")
                     .ok());
    EXPECT_FALSE(canonicalize_host("\x80.example").ok());
}

TEST(EgressCanonicalHost, NamesLoopbackNames) {
    EXPECT_TRUE(is_loopback_name("localhost"));
    EXPECT_TRUE(is_loopback_name("db.localhost"));
    EXPECT_FALSE(is_loopback_name("notlocalhost"));
    EXPECT_FALSE(is_loopback_name("localhost.example.com"));
}

TEST(EgressIpLiteral, UnwrapsEmbeddedIpv4) {
    struct Case {
        const char* v6;
        Embedding via;
        const char* v4;
    };
    const Case kCases[] = {
        {"::ffff:127.0.0.1", Embedding::kMapped, "127.0.0.1"},
        {"::ffff:0:7f00:1", Embedding::kTranslated, "127.0.0.1"},
        {"::127.0.0.1", Embedding::kCompatible, "127.0.0.1"},
        {"64:ff9b::a9fe:a9fe", Embedding::kNat64, "169.254.169.254"},
        {"2002:7f00:1::", Embedding::kSixToFour, "127.0.0.1"},
        {"2002:a9fe:a9fe:1::5", Embedding::kSixToFour, "169.254.169.254"},
    };
    for (const auto& c : kCases) {
        auto address = parse_ipv6_literal(c.v6);
        ASSERT_TRUE(address) << c.v6;
        const EmbeddedV4 embedded = embedded_ipv4(*address);
        EXPECT_EQ(embedded.via, c.via) << c.v6;
        EXPECT_EQ(format_ip(embedded.v4), c.v4) << c.v6;
    }
    EXPECT_EQ(embedded_ipv4(*parse_ipv6_literal("::1")).via, Embedding::kNone);
    EXPECT_EQ(embedded_ipv4(*parse_ipv6_literal("::")).via, Embedding::kNone);
    EXPECT_EQ(embedded_ipv4(*parse_ipv6_literal("2606:4700::1111")).via, Embedding::kNone);
}

TEST(EgressIpLiteral, ParsesCidrAndRefusesHostBits) {
    auto range = parse_cidr("10.0.0.0/8");
    ASSERT_TRUE(range.ok());
    EXPECT_TRUE(cidr_contains(*range, IpAddress::v4(0x0a010203)));
    EXPECT_FALSE(cidr_contains(*range, IpAddress::v4(0x0b000000)));
    auto v6 = parse_cidr("fc00::/7");
    ASSERT_TRUE(v6.ok());
    EXPECT_TRUE(cidr_contains(*v6, *parse_ipv6_literal("fd00:ec2::254")));
    EXPECT_FALSE(cidr_contains(*v6, IpAddress::v4(0x0a000001)));

    auto host_bits = parse_cidr("10.0.0.1/8");
    ASSERT_FALSE(host_bits.ok());
    EXPECT_NE(host_bits.error().message.find("10.0.0.0/8"), std::string::npos);
    EXPECT_FALSE(parse_cidr("10.0.0.0/33").ok());
    EXPECT_FALSE(parse_cidr("10.0.0.0/").ok());
    EXPECT_FALSE(parse_cidr("0x0a.0.0.0/8").ok());
    EXPECT_FALSE(parse_cidr("10.0.0.0").ok());
    EXPECT_TRUE(parse_cidr("0.0.0.0/0").ok());
}

}  // namespace
}  // namespace kars::egress
