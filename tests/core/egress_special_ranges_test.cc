// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <gtest/gtest.h>

#include "core/egress/canonical_host.h"
#include "core/egress/special_ranges.h"

namespace kars::egress {
namespace {

std::optional<SpecialMatch> classify_text(const char* text) {
    auto host = canonicalize_host(text);
    if (!host.ok() || !host->is_ip()) {
        ADD_FAILURE() << text << " is not an IP literal";
        return std::nullopt;
    }
    return classify_special(*host->address);
}

TEST(EgressSpecialRanges, EveryRegistryRowParses) {
    for (const auto& row : special_range_table()) {
        EXPECT_TRUE(parse_cidr(row.cidr).ok()) << row.cidr;
        EXPECT_FALSE(row.name.empty());
        EXPECT_FALSE(row.source.empty());
    }
}

TEST(EgressSpecialRanges, ClassifiesEverySpecialRange) {
    struct Case {
        const char* address;
        const char* cidr;
    };
    const Case kCases[] = {
        {"0.0.0.0", "0.0.0.0/8"},
        {"0.1.2.3", "0.0.0.0/8"},
        {"10.0.0.1", "10.0.0.0/8"},
        {"10.255.255.255", "10.0.0.0/8"},
        {"100.64.0.1", "100.64.0.0/10"},
        {"100.100.100.200", "100.64.0.0/10"},
        {"100.127.255.255", "100.64.0.0/10"},
        {"127.0.0.1", "127.0.0.0/8"},
        {"127.255.255.254", "127.0.0.0/8"},
        {"169.254.169.254", "169.254.0.0/16"},
        {"172.16.0.1", "172.16.0.0/12"},
        {"172.31.255.255", "172.16.0.0/12"},
        {"192.0.0.1", "192.0.0.0/29"},
        {"192.0.0.192", "192.0.0.0/24"},
        {"192.0.2.1", "192.0.2.0/24"},
        {"192.31.196.1", "192.31.196.0/24"},
        {"192.52.193.1", "192.52.193.0/24"},
        {"192.88.99.1", "192.88.99.0/24"},
        {"192.168.1.1", "192.168.0.0/16"},
        {"192.175.48.1", "192.175.48.0/24"},
        {"198.18.0.1", "198.18.0.0/15"},
        {"198.19.255.255", "198.18.0.0/15"},
        {"198.51.100.1", "198.51.100.0/24"},
        {"203.0.113.1", "203.0.113.0/24"},
        {"224.0.0.1", "224.0.0.0/4"},
        {"239.255.255.250", "224.0.0.0/4"},
        {"240.0.0.1", "240.0.0.0/4"},
        {"255.255.255.255", "255.255.255.255/32"},
        {"::1", "::1/128"},
        {"::", "::/128"},
        {"64:ff9b:1::1", "64:ff9b:1::/48"},
        {"100::1", "100::/64"},
        {"100:0:0:1::1", "100:0:0:1::/64"},
        {"2001::1", "2001::/32"},
        {"2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001::/32"},
        {"2001:1::1", "2001::/23"},
        {"2001:db8::1", "2001:db8::/32"},
        {"2620:4f:8000::1", "2620:4f:8000::/48"},
        {"3fff::1", "3fff::/20"},
        {"5f00::1", "5f00::/16"},
        {"fc00::1", "fc00::/7"},
        {"fd00:ec2::254", "fc00::/7"},
        {"fe80::1", "fe80::/10"},
        {"fec0::1", "fec0::/10"},
        {"ff02::1", "ff00::/8"},
        // Embedded IPv4 is classified by the IPv4 address it carries.
        {"[::ffff:127.0.0.1]", "127.0.0.0/8"},
        {"[::ffff:0:7f00:1]", "127.0.0.0/8"},
        {"[::127.0.0.1]", "127.0.0.0/8"},
        {"[64:ff9b::a9fe:a9fe]", "169.254.0.0/16"},
        {"[64:ff9b::10.0.0.1]", "10.0.0.0/8"},
        {"[2002:7f00:1::]", "127.0.0.0/8"},
        {"[2002:c0a8:101::1]", "192.168.0.0/16"},
        {"[::ffff:169.254.169.254]", "169.254.0.0/16"},
    };
    for (const auto& c : kCases) {
        auto match = classify_text(c.address);
        ASSERT_TRUE(match.has_value()) << c.address << " was not classified as special";
        EXPECT_EQ(match->range.cidr, c.cidr) << c.address;
    }
}

TEST(EgressSpecialRanges, LeavesGlobalUnicastAlone) {
    const char* const kGlobal[] = {
        "8.8.8.8",
        "1.1.1.1",
        "100.63.255.255",
        "100.128.0.0",
        "172.15.255.255",
        "172.32.0.0",
        "192.0.3.0",
        "198.17.255.255",
        "198.20.0.0",
        "223.255.255.255",
        "2606:4700::1111",
        "[::ffff:8.8.8.8]",
        "[64:ff9b::808:808]",
        "[2002:808:808::1]",
        "2001:200::1",
        "169.253.255.255",
    };
    for (const char* address : kGlobal) {
        EXPECT_FALSE(classify_text(address).has_value()) << address;
    }
}

TEST(EgressSpecialRanges, DescriptionNamesMetadataAndEmbedding) {
    auto match = classify_text("[64:ff9b::a9fe:a9fe]");
    ASSERT_TRUE(match.has_value());
    const std::string text = describe_special(*match);
    EXPECT_NE(text.find("169.254.0.0/16"), std::string::npos) << text;
    EXPECT_NE(text.find("NAT64"), std::string::npos) << text;
    EXPECT_NE(text.find("metadata"), std::string::npos) << text;
    auto aws = classify_text("fd00:ec2::254");
    ASSERT_TRUE(aws.has_value());
    EXPECT_NE(describe_special(*aws).find("metadata"), std::string::npos);
}

}  // namespace
}  // namespace kars::egress
