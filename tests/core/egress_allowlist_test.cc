// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "core/egress/allowlist.h"

namespace kars::egress {
namespace {

manifest::Endpoint endpoint(std::string host, std::optional<std::uint16_t> port) {
    manifest::Endpoint e;
    e.host = std::move(host);
    e.port = port;
    return e;
}

bool admits(const AllowEntry& entry, const char* host, std::uint16_t port) {
    auto canonical = canonicalize_host(host);
    return canonical.ok() && entry_matches(entry, *canonical, port);
}

AllowEntry must_parse(const char* host, std::uint32_t port) {
    auto entry = parse_allow_entry(host, port, "test");
    EXPECT_TRUE(entry.ok()) << host << ": " << (entry.ok() ? "" : entry.error().message);
    return entry.ok() ? *entry : AllowEntry{};
}

TEST(EgressAllowlist, WildcardMatchesOneOrMoreLabelsButNeverTheApex) {
    const AllowEntry entry = must_parse("*.example.com", 443);
    EXPECT_EQ(entry.kind, EntryKind::kWildcard);
    EXPECT_TRUE(admits(entry, "a.example.com", 443));
    EXPECT_TRUE(admits(entry, "a.b.example.com", 443));
    EXPECT_TRUE(admits(entry, "A.EXAMPLE.COM.", 443));
    EXPECT_FALSE(admits(entry, "example.com", 443));
    EXPECT_FALSE(admits(entry, "evilexample.com", 443));
    EXPECT_FALSE(admits(entry, "a.evilexample.com", 443));
    EXPECT_FALSE(admits(entry, "example.com.evil.test", 443));
    EXPECT_FALSE(admits(entry, "a.example.com.evil.test", 443));
    EXPECT_FALSE(admits(entry, "a.example.co", 443));
    EXPECT_FALSE(admits(entry, "a.example.com", 80));
}

TEST(EgressAllowlist, ExactEntryMatchesOnlyItsHost) {
    const AllowEntry entry = must_parse("API.OpenAI.com.", 443);
    EXPECT_EQ(entry.name, "api.openai.com");
    EXPECT_TRUE(admits(entry, "api.openai.com", 443));
    EXPECT_FALSE(admits(entry, "x.api.openai.com", 443));
    EXPECT_FALSE(admits(entry, "openai.com", 443));
    EXPECT_FALSE(admits(entry, "api.openai.com", 8443));
}

TEST(EgressAllowlist, WildcardEntryWithUnicodeSuffixIsCanonicalised) {
    const AllowEntry entry = must_parse(
        "*.b\xc3\xbc"
        "cher.example",
        443);
    EXPECT_EQ(entry.name, "xn--bcher-kva.example");
    EXPECT_TRUE(admits(entry, "www.xn--bcher-kva.example", 443));
    EXPECT_TRUE(admits(entry,
                       "www.b\xc3\xbc"
                       "cher.example",
                       443));
}

TEST(EgressAllowlist, NameEntriesNeverMatchAddresses) {
    EXPECT_FALSE(admits(must_parse("*.0.0.127.in-addr.arpa", 443), "127.0.0.1", 443));
    EXPECT_FALSE(admits(must_parse("*.example.com", 443), "93.184.216.34", 443));
}

TEST(EgressAllowlist, AddressAndRangeEntriesMatchEveryNotation) {
    const AllowEntry single = must_parse("0x7f.1", 8080);
    EXPECT_EQ(single.kind, EntryKind::kAddress);
    EXPECT_EQ(single.display(), "127.0.0.1:8080");
    EXPECT_TRUE(admits(single, "127.0.0.1", 8080));
    EXPECT_TRUE(admits(single, "[::ffff:127.0.0.1]", 8080));
    EXPECT_FALSE(admits(single, "127.0.0.2", 8080));

    const AllowEntry range = must_parse("fd00::/8", 443);
    EXPECT_EQ(range.kind, EntryKind::kRange);
    EXPECT_TRUE(admits(range, "[fd00:ec2::254]", 443));
    EXPECT_FALSE(admits(range, "[fc00::1]", 443));

    const AllowEntry v6 = must_parse("[2606:4700::1111]", 443);
    EXPECT_EQ(v6.display(), "[2606:4700::1111]:443");
    EXPECT_TRUE(admits(v6, "2606:4700:0:0:0:0:0:1111", 443));
}

TEST(EgressAllowlist, RejectsWildcardInMiddleOfHost) {
    auto entry = parse_allow_entry("a.*.example.com", 443, "allowedEndpoints[0]");
    ASSERT_FALSE(entry.ok());
    EXPECT_EQ(entry.error().code, "invalid_allowlist_entry");
    EXPECT_NE(entry.error().message.find("allowedEndpoints[0]"), std::string::npos);
    EXPECT_NE(entry.error().message.find("'*.example.com'"), std::string::npos);
}

TEST(EgressAllowlist, RejectsEveryOtherPolicyShape) {
    struct Case {
        const char* host;
        std::optional<std::uint32_t> port;
        const char* message_contains;
    };
    const Case kRejected[] = {
        {"www*.com", 443, "only allowed as a whole leading label"},
        {"*example.com", 443, "only allowed as a whole leading label"},
        {"example.*", 443, "only allowed as a whole leading label"},
        {"*", 443, "only allowed as a whole leading label"},
        {"**.example.com", 443, "only allowed as a whole leading label"},
        {"*.*.example.com", 443, "only allowed as a whole leading label"},
        {"*.", 443, "invalid"},
        {"*.com", 443, "single label"},
        {"*.10.0.0.1", 443, "DNS name"},
        {"https://example.com", 443, "not a URL"},
        {"example.com/path", 443, "base must be"},
        {"example.com:443", 443, "give the port separately"},
        {"10.0.0.1/8", 443, "host bits"},
        {"10.0.0.0/40", 443, "prefix"},
        {"0.0.0.0/0", 443, "admits every address"},
        {"::/0", 443, "admits every address"},
        {"", 443, "empty"},
        {"exa mple.com", 443, "invalid"},
        {"example.com", std::nullopt, "port is required"},
        {"example.com", 0, "outside 1-65535"},
        {"example.com", 65536, "outside 1-65535"},
    };
    for (const auto& c : kRejected) {
        auto entry = parse_allow_entry(c.host, c.port, "allowedEndpoints[3]");
        ASSERT_FALSE(entry.ok()) << "accepted '" << c.host << "'";
        EXPECT_NE(entry.error().message.find(c.message_contains), std::string::npos)
            << c.host << ": " << entry.error().message;
    }
}

TEST(EgressAllowlist, LoadIsAllOrNothingAndNamesTheBadIndex) {
    auto list = Allowlist::load(
        {endpoint("a.test", 443), endpoint("b.test", 443), endpoint("www*.com", 443)});
    ASSERT_FALSE(list.ok());
    EXPECT_NE(list.error().message.find("allowedEndpoints[2]"), std::string::npos);

    auto missing_port = Allowlist::load({endpoint("a.test", std::nullopt)});
    ASSERT_FALSE(missing_port.ok());
    EXPECT_NE(missing_port.error().message.find("port is required"), std::string::npos);

    auto good = Allowlist::load({endpoint("a.test", 443), endpoint("a.test", 8443)});
    ASSERT_TRUE(good.ok());
    EXPECT_EQ(good->entries().size(), 2u);
    auto host = canonicalize_host("a.test");
    EXPECT_EQ(good->ports_for(*host), (std::vector<std::uint16_t>{443, 8443}));
}

}  // namespace
}  // namespace kars::egress
