// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "core/egress/blocklist.h"
#include "core/egress/decision.h"

namespace kars::egress {
namespace {

std::optional<BlockMatch> blocked(const Blocklist& list, const char* host) {
    auto canonical = canonicalize_host(host);
    EXPECT_TRUE(canonical.ok()) << host;
    return canonical.ok() ? list.match(*canonical) : std::nullopt;
}

Clock::time_point test_now() {
    return Clock::time_point(std::chrono::seconds(1772366400));
}

TEST(EgressBlocklist, ParsesHostsFiles) {
    Blocklist list;
    const char* text =
        "# StevenBlack-style header\n"
        "127.0.0.1 localhost\n"
        "::1 localhost ip6-localhost\n"
        "\n"
        "0.0.0.0 ads.tracker.test   metrics.tracker.test # two names, inline comment\n"
        "127.0.0.1\tevil.test\r\n"
        "0.0.0.0 bad_name!.test\n"
        "just-a-name.test extra words\n";
    auto stats = list.add_source("stevenblack", text, BlocklistFormat::kHosts);
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->entries, 5u);  // localhost, ip6-localhost, ads, metrics, evil
    EXPECT_EQ(stats->skipped, 2u);
    EXPECT_EQ(stats->first_skipped_line, 7u);

    auto ads = blocked(list, "ads.tracker.test");
    ASSERT_TRUE(ads.has_value());
    EXPECT_EQ(ads->source, "stevenblack");
    EXPECT_EQ(ads->line, 5u);
    auto metrics = blocked(list, "metrics.tracker.test");
    ASSERT_TRUE(metrics.has_value());
    EXPECT_EQ(metrics->line, 5u);
    EXPECT_EQ(blocked(list, "evil.test")->line, 6u);
    EXPECT_FALSE(blocked(list, "tracker.test").has_value());
    EXPECT_FALSE(blocked(list, "0.0.0.0").has_value());
}

TEST(EgressBlocklist, ParsesPlainDomainLists) {
    Blocklist list;
    auto stats = list.add_source("oisd",
                                 "# comment\n! also comment\n*.wild.test\n.dot.test\n"
                                 "plain.test\nB\xc3\xbc"
                                 "cher.test\nnot valid.test\n",
                                 BlocklistFormat::kDomains);
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->entries, 4u);
    EXPECT_EQ(stats->skipped, 1u);
    EXPECT_TRUE(blocked(list, "wild.test").has_value());
    EXPECT_TRUE(blocked(list, "x.wild.test").has_value());
    EXPECT_TRUE(blocked(list, "dot.test").has_value());
    EXPECT_TRUE(blocked(list, "plain.test").has_value());
    EXPECT_TRUE(blocked(list, "www.xn--bcher-kva.test").has_value());
    EXPECT_FALSE(blocked(list, "notplain.test").has_value());
}

TEST(EgressBlocklist, ParsesAdblockDomainRules) {
    Blocklist list;
    const char* text =
        "[Adblock Plus 2.0]\n"
        "! Title: test\n"
        "||ads.test^\n"
        "||third.test^$third-party\n"
        "@@||allowed.ads.test^\n"
        "||path.test/banner.js\n"
        "example.test##.ad\n"
        "||pipe.test^|\n";
    auto stats = list.add_source("adguard", text, BlocklistFormat::kAdblock);
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->entries, 3u);
    EXPECT_EQ(stats->skipped, 3u);
    EXPECT_EQ(blocked(list, "ads.test")->line, 3u);
    EXPECT_TRUE(blocked(list, "x.third.test").has_value());
    // Exception rules never unblock.
    EXPECT_TRUE(blocked(list, "allowed.ads.test").has_value());
    EXPECT_FALSE(blocked(list, "path.test").has_value());
    EXPECT_FALSE(blocked(list, "example.test").has_value());
    EXPECT_TRUE(blocked(list, "pipe.test").has_value());
}

TEST(EgressBlocklist, AutoFormatDetectsEachLine) {
    Blocklist list;
    auto stats =
        list.add_source("mixed", "||a.test^\n0.0.0.0 b.test\nc.test\n", BlocklistFormat::kAuto);
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->entries, 3u);
    for (const char* host : {"a.test", "b.test", "c.test"}) {
        EXPECT_TRUE(blocked(list, host).has_value()) << host;
    }
}

TEST(EgressBlocklist, BlockedDomainBlocksSubdomainsNotParents) {
    Blocklist list;
    ASSERT_TRUE(list.add_source("feed", "mid.example.test\n", BlocklistFormat::kDomains).ok());
    EXPECT_TRUE(blocked(list, "mid.example.test").has_value());
    EXPECT_TRUE(blocked(list, "deep.er.mid.example.test").has_value());
    EXPECT_TRUE(blocked(list, "MID.example.test.").has_value());
    EXPECT_FALSE(blocked(list, "example.test").has_value());
    EXPECT_FALSE(blocked(list, "xmid.example.test").has_value());
}

TEST(EgressBlocklist, ListedAddressBlocksEveryNotationOfIt) {
    Blocklist list;
    ASSERT_TRUE(list.add_source("ips", "203.0.113.9\n", BlocklistFormat::kDomains).ok());
    EXPECT_TRUE(blocked(list, "203.0.113.9").has_value());
    EXPECT_TRUE(blocked(list, "0xcb.0.113.9").has_value());
    EXPECT_TRUE(blocked(list, "[::ffff:203.0.113.9]").has_value());
    EXPECT_FALSE(blocked(list, "0.113.9").has_value());
}

// sandbox-runtime#353: a deny-everything pattern must not silently override the allowlist, and
// must not be ambiguous: it is skipped and reported, and the allowlist keeps working.
TEST(EgressBlocklist, StarLineIsSkippedAndReported) {
    EgressPolicy policy;
    manifest::Endpoint api;
    api.host = "api.anthropic.com";
    api.port = 443;
    policy.allowlist = *Allowlist::load({api});
    auto stats = policy.blocklist.add_source("deny-all", "*\n", BlocklistFormat::kDomains);
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->entries, 0u);
    EXPECT_EQ(stats->skipped, 1u);
    EXPECT_EQ(stats->first_skipped_line, 1u);
    EXPECT_TRUE(decide(policy, "api.anthropic.com", 443, test_now()).allowed());
    EXPECT_FALSE(decide(policy, "other.test", 443, test_now()).allowed());
}

TEST(EgressBlocklist, BlocklistOutranksAllowlistAndApproval) {
    EgressPolicy policy;
    manifest::Endpoint exact;
    exact.host = "files.partner.test";
    exact.port = 443;
    policy.allowlist = *Allowlist::load({exact});
    manifest::Endpoint approved;
    approved.host = "cdn.partner.test";
    approved.port = 443;
    ASSERT_TRUE(policy.approvals.add("ok", {approved}, test_now() + std::chrono::hours(1)).ok());
    ASSERT_TRUE(
        policy.blocklist.add_source("feed", "partner.test\n", BlocklistFormat::kDomains).ok());
    for (const char* host : {"files.partner.test", "cdn.partner.test"}) {
        const Decision d = decide(policy, host, 443, test_now());
        EXPECT_FALSE(d.allowed()) << host;
        EXPECT_EQ(d.decided_by, DecidedBy::kBlocklist) << host;
        EXPECT_NE(d.rule.find("feed line 1"), std::string::npos) << d.rule;
    }
}

TEST(EgressBlocklist, FirstListingWinsAndDuplicateSourceFails) {
    Blocklist list;
    ASSERT_TRUE(list.add_source("first", "a.test\n", BlocklistFormat::kDomains).ok());
    ASSERT_TRUE(list.add_source("second", "x\na.test\n", BlocklistFormat::kDomains).ok());
    EXPECT_EQ(blocked(list, "a.test")->source, "first");
    auto again = list.add_source("first", "b.test\n", BlocklistFormat::kDomains);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, "duplicate_blocklist_source");
}

}  // namespace
}  // namespace kars::egress
