// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/egress/decision.h"

namespace kars::egress {
namespace {

manifest::Endpoint endpoint(std::string host, std::optional<std::uint16_t> port) {
    manifest::Endpoint e;
    e.host = std::move(host);
    e.port = port;
    return e;
}

Clock::time_point test_now() {
    return Clock::time_point(std::chrono::seconds(1772366400));
}

IpAddress ip(const char* text) {
    auto host = canonicalize_host(text);
    EXPECT_TRUE(host.ok() && host->is_ip()) << text;
    return host.ok() && host->address ? *host->address : IpAddress{};
}

EgressPolicy rebinding_policy() {
    EgressPolicy policy;
    auto list = Allowlist::load({endpoint("a.test", 22), endpoint("a.test", 443),
                                 endpoint("db.corp.test", 5432), endpoint("10.0.0.5", 5432)});
    EXPECT_TRUE(list.ok());
    policy.allowlist = std::move(*list);
    EXPECT_TRUE(
        policy.blocklist.add_source("ips", "203.0.113.66\n", BlocklistFormat::kDomains).ok());
    return policy;
}

ResolvedDecision resolve(const EgressPolicy& policy, const char* host, std::uint32_t port,
                         const std::vector<IpAddress>& addresses,
                         Clock::time_point now = test_now()) {
    const Decision name = decide(policy, host, port, now);
    return decide_resolved(policy, name, addresses, now);
}

TEST(EgressResolution, ReturnsFirstAddressWhenAllArePublic) {
    const auto out =
        resolve(rebinding_policy(), "a.test", 443, {ip("93.184.216.34"), ip("2606:2800::1")});
    EXPECT_TRUE(out.decision.allowed()) << out.decision.reason;
    ASSERT_TRUE(out.connect_to.has_value());
    EXPECT_EQ(*out.connect_to, ip("93.184.216.34"));
    EXPECT_FALSE(out.refused_address.has_value());
}

// shpwrck/tactics#315: an allowlisted name pointing at loopback must not expose sshd.
TEST(EgressResolution, DeniesAllowedNameResolvingToLoopback) {
    const auto out = resolve(rebinding_policy(), "a.test", 22, {ip("127.0.0.1")});
    EXPECT_FALSE(out.decision.allowed());
    EXPECT_EQ(out.decision.decided_by, DecidedBy::kSpecialAddress);
    ASSERT_TRUE(out.refused_address.has_value());
    EXPECT_EQ(*out.refused_address, ip("127.0.0.1"));
    EXPECT_FALSE(out.connect_to.has_value());
    EXPECT_NE(out.decision.reason.find("resolved to 127.0.0.1"), std::string::npos)
        << out.decision.reason;
}

TEST(EgressResolution, OnePrivateAddressAmongPublicOnesDeniesTheName) {
    const auto out = resolve(rebinding_policy(), "a.test", 443,
                             {ip("93.184.216.34"), ip("10.0.0.7"), ip("1.1.1.1")});
    EXPECT_FALSE(out.decision.allowed());
    ASSERT_TRUE(out.refused_address.has_value());
    EXPECT_EQ(*out.refused_address, ip("10.0.0.7"));
    EXPECT_NE(out.decision.reason.find("10.0.0.0/8"), std::string::npos);
}

TEST(EgressResolution, ChecksEmbeddedIpv4InResolvedIpv6) {
    for (const char* bad : {"::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "2002:7f00:1::1",
                            "fd00:ec2::254", "fe80::1"}) {
        const auto out = resolve(rebinding_policy(), "a.test", 443, {ip(bad)});
        EXPECT_FALSE(out.decision.allowed()) << bad;
        EXPECT_EQ(out.decision.decided_by, DecidedBy::kSpecialAddress) << bad;
    }
}

TEST(EgressResolution, PrivateAddressAllowedOnlyWhenAllowlistedByAddressAndPort) {
    const EgressPolicy policy = rebinding_policy();
    const auto ok = resolve(policy, "db.corp.test", 5432, {ip("10.0.0.5")});
    EXPECT_TRUE(ok.decision.allowed()) << ok.decision.reason;
    EXPECT_EQ(*ok.connect_to, ip("10.0.0.5"));
    const auto other = resolve(policy, "db.corp.test", 5432, {ip("10.0.0.6")});
    EXPECT_FALSE(other.decision.allowed());
}

TEST(EgressResolution, DeniesBlocklistedResolvedAddress) {
    const auto out = resolve(rebinding_policy(), "a.test", 443, {ip("203.0.113.66")});
    EXPECT_FALSE(out.decision.allowed());
    EXPECT_EQ(out.decision.decided_by, DecidedBy::kBlocklist);
}

TEST(EgressResolution, DeniesEmptyAnswer) {
    const auto out = resolve(rebinding_policy(), "a.test", 443, {});
    EXPECT_FALSE(out.decision.allowed());
    EXPECT_EQ(out.decision.decided_by, DecidedBy::kResolution);
}

TEST(EgressResolution, PassesThroughNameDenial) {
    const auto out = resolve(rebinding_policy(), "b.test", 443, {ip("93.184.216.34")});
    EXPECT_FALSE(out.decision.allowed());
    EXPECT_EQ(out.decision.decided_by, DecidedBy::kNotAllowlisted);
    EXPECT_FALSE(out.connect_to.has_value());
}

TEST(EgressResolution, RedecidesAHandBuiltAllowedDecision) {
    Decision forged;
    forged.verdict = Verdict::kAllowed;
    forged.decided_by = DecidedBy::kAllowlist;
    forged.host = "b.test";
    forged.port = 443;
    forged.canonical = *canonicalize_host("b.test");
    const auto out =
        decide_resolved(rebinding_policy(), forged, std::vector{ip("93.184.216.34")}, test_now());
    EXPECT_FALSE(out.decision.allowed());
}

TEST(EgressResolution, ApprovalExpiringBeforeResolutionDenies) {
    EgressPolicy policy = rebinding_policy();
    const auto expires = test_now() + std::chrono::seconds(5);
    ASSERT_TRUE(policy.approvals.add("short", {endpoint("c.test", 443)}, expires).ok());
    const Decision name = decide(policy, "c.test", 443, test_now());
    ASSERT_TRUE(name.allowed());
    const std::vector<IpAddress> addresses{ip("93.184.216.34")};
    EXPECT_TRUE(decide_resolved(policy, name, addresses, test_now()).decision.allowed());
    EXPECT_FALSE(decide_resolved(policy, name, addresses, expires).decision.allowed());
}

TEST(EgressResolution, IpLiteralIsDialledAsGiven) {
    EgressPolicy policy;
    auto list = Allowlist::load({endpoint("93.184.216.34", 443)});
    ASSERT_TRUE(list.ok());
    policy.allowlist = std::move(*list);
    const auto out = resolve(policy, "93.184.216.34", 443, {});
    EXPECT_TRUE(out.decision.allowed());
    EXPECT_EQ(*out.connect_to, ip("93.184.216.34"));
    const auto mismatch = resolve(policy, "93.184.216.34", 443, {ip("127.0.0.1")});
    EXPECT_FALSE(mismatch.decision.allowed());
    EXPECT_EQ(mismatch.decision.decided_by, DecidedBy::kResolution);
}

}  // namespace
}  // namespace kars::egress
