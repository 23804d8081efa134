// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/egress/decision.h"
#include "core/egress/learn_log.h"

namespace kars::egress {
namespace {

using std::chrono::hours;

manifest::Endpoint endpoint(std::string host, std::optional<std::uint16_t> port) {
    manifest::Endpoint e;
    e.host = std::move(host);
    e.port = port;
    return e;
}

// 2026-03-01T12:00:00Z: a fixed instant keeps approval expiry deterministic.
Clock::time_point test_now() {
    return Clock::time_point(std::chrono::seconds(1772366400));
}

EgressPolicy matrix_policy(EgressMode mode = EgressMode::kEnforce) {
    EgressPolicy policy;
    policy.mode = mode;
    auto list = Allowlist::load({
        endpoint("api.openai.com", 443),
        endpoint("*.example.com", 443),
        endpoint("10.1.2.3", 5432),
        endpoint("192.168.0.0/16", 8080),
        endpoint("8.8.8.8", 53),
        endpoint("[2606:4700::1111]", 443),
    });
    EXPECT_TRUE(list.ok()) << (list.ok() ? "" : list.error().message);
    policy.allowlist = std::move(*list);
    EXPECT_TRUE(
        policy.blocklist.add_source("feed", "bad.example.com\n", BlocklistFormat::kDomains).ok());
    EXPECT_TRUE(
        policy.blocklist.add_source("hosts", "0.0.0.0 evil.test\n", BlocklistFormat::kHosts).ok());
    return policy;
}

struct MatrixCase {
    const char* host;
    std::uint32_t port;
    Verdict verdict;
    DecidedBy by;
    const char* rule_contains;
};

constexpr auto A = Verdict::kAllowed;
constexpr auto D = Verdict::kDenied;

const MatrixCase kMatrix[] = {
    // Loopback in every notation.
    {"127.0.0.1", 80, D, DecidedBy::kSpecialAddress, "127.0.0.0/8"},
    {"2130706433", 80, D, DecidedBy::kSpecialAddress, "127.0.0.0/8"},
    {"0177.0.0.1", 80, D, DecidedBy::kSpecialAddress, "127.0.0.0/8"},
    {"0x7f.0.0.1", 80, D, DecidedBy::kSpecialAddress, "127.0.0.0/8"},
    {"0x7f000001", 80, D, DecidedBy::kSpecialAddress, "127.0.0.0/8"},
    {"127.1", 80, D, DecidedBy::kSpecialAddress, "127.0.0.0/8"},
    {"127.0.1", 80, D, DecidedBy::kSpecialAddress, "127.0.0.0/8"},
    {"127.0.0.1.", 80, D, DecidedBy::kSpecialAddress, "127.0.0.0/8"},
    {"[::1]", 80, D, DecidedBy::kSpecialAddress, "::1/128"},
    {"[::ffff:127.0.0.1]", 80, D, DecidedBy::kSpecialAddress, "127.0.0.0/8"},
    {"[::ffff:0:7f00:1]", 80, D, DecidedBy::kSpecialAddress, "127.0.0.0/8"},
    {"[::127.0.0.1]", 80, D, DecidedBy::kSpecialAddress, "127.0.0.0/8"},
    {"[64:ff9b::7f00:1]", 80, D, DecidedBy::kSpecialAddress, "127.0.0.0/8"},
    {"[2002:7f00:1::]", 80, D, DecidedBy::kSpecialAddress, "127.0.0.0/8"},
    {"localhost", 80, D, DecidedBy::kSpecialAddress, "loopback name"},
    {"api.localhost", 443, D, DecidedBy::kSpecialAddress, "loopback name"},
    // Cloud metadata.
    {"169.254.169.254", 80, D, DecidedBy::kSpecialAddress, "169.254.0.0/16"},
    {"0xa9fea9fe", 80, D, DecidedBy::kSpecialAddress, "169.254.0.0/16"},
    {"[64:ff9b::a9fe:a9fe]", 80, D, DecidedBy::kSpecialAddress, "169.254.0.0/16"},
    {"[::ffff:169.254.169.254]", 80, D, DecidedBy::kSpecialAddress, "169.254.0.0/16"},
    {"[fd00:ec2::254]", 80, D, DecidedBy::kSpecialAddress, "fc00::/7"},
    {"100.100.100.200", 80, D, DecidedBy::kSpecialAddress, "100.64.0.0/10"},
    // The rest of the registries.
    {"0.0.0.0", 443, D, DecidedBy::kSpecialAddress, "0.0.0.0/8"},
    {"10.0.0.1", 22, D, DecidedBy::kSpecialAddress, "10.0.0.0/8"},
    {"172.16.0.1", 443, D, DecidedBy::kSpecialAddress, "172.16.0.0/12"},
    {"192.168.1.1", 443, D, DecidedBy::kSpecialAddress, "192.168.0.0/16"},
    {"100.64.0.1", 443, D, DecidedBy::kSpecialAddress, "100.64.0.0/10"},
    {"224.0.0.1", 443, D, DecidedBy::kSpecialAddress, "224.0.0.0/4"},
    {"255.255.255.255", 443, D, DecidedBy::kSpecialAddress, "255.255.255.255/32"},
    {"192.0.2.1", 443, D, DecidedBy::kSpecialAddress, "192.0.2.0/24"},
    {"198.51.100.1", 443, D, DecidedBy::kSpecialAddress, "198.51.100.0/24"},
    {"203.0.113.1", 443, D, DecidedBy::kSpecialAddress, "203.0.113.0/24"},
    {"198.18.0.1", 443, D, DecidedBy::kSpecialAddress, "198.18.0.0/15"},
    {"240.0.0.1", 443, D, DecidedBy::kSpecialAddress, "240.0.0.0/4"},
    {"[::]", 443, D, DecidedBy::kSpecialAddress, "::/128"},
    {"[fc00::1]", 443, D, DecidedBy::kSpecialAddress, "fc00::/7"},
    {"[fe80::1]", 443, D, DecidedBy::kSpecialAddress, "fe80::/10"},
    {"[ff02::1]", 443, D, DecidedBy::kSpecialAddress, "ff00::/8"},
    {"[2001:db8::1]", 443, D, DecidedBy::kSpecialAddress, "2001:db8::/32"},
    {"[2001:0:4136:e378:8000:63bf:3fff:fdd2]", 443, D, DecidedBy::kSpecialAddress, "Teredo"},
    // Explicit address and CIDR entries open exactly what they name, on their port.
    {"10.1.2.3", 5432, A, DecidedBy::kAllowlist, "10.1.2.3:5432"},
    {"0x0a010203", 5432, A, DecidedBy::kAllowlist, "10.1.2.3:5432"},
    {"[::ffff:10.1.2.3]", 5432, A, DecidedBy::kAllowlist, "10.1.2.3:5432"},
    {"10.1.2.3", 5433, D, DecidedBy::kSpecialAddress, "10.0.0.0/8"},
    {"10.1.2.4", 5432, D, DecidedBy::kSpecialAddress, "10.0.0.0/8"},
    {"192.168.4.5", 8080, A, DecidedBy::kAllowlist, "192.168.0.0/16:8080"},
    {"192.168.4.5", 80, D, DecidedBy::kSpecialAddress, "192.168.0.0/16"},
    {"8.8.8.8", 53, A, DecidedBy::kAllowlist, "8.8.8.8:53"},
    {"8.8.8.8", 443, D, DecidedBy::kNotAllowlisted, "default deny"},
    {"1.1.1.1", 443, D, DecidedBy::kNotAllowlisted, "default deny"},
    {"[2606:4700::1111]", 443, A, DecidedBy::kAllowlist, "[2606:4700::1111]:443"},
    // Names, exact and wildcard, port-scoped.
    {"api.openai.com", 443, A, DecidedBy::kAllowlist, "allowedEndpoints[0]"},
    {"API.OpenAI.com.", 443, A, DecidedBy::kAllowlist, "allowedEndpoints[0]"},
    {"api.openai.com", 80, D, DecidedBy::kNotAllowlisted, "default deny"},
    {"openai.com", 443, D, DecidedBy::kNotAllowlisted, "default deny"},
    {"a.example.com", 443, A, DecidedBy::kAllowlist, "*.example.com:443"},
    {"a.b.example.com", 443, A, DecidedBy::kAllowlist, "*.example.com:443"},
    {"a.example.com", 8443, D, DecidedBy::kNotAllowlisted, "default deny"},
    {"example.com", 443, D, DecidedBy::kNotAllowlisted, "default deny"},
    {"evilexample.com", 443, D, DecidedBy::kNotAllowlisted, "default deny"},
    {"example.com.attacker.test", 443, D, DecidedBy::kNotAllowlisted, "default deny"},
    {"exfil.example.test", 443, D, DecidedBy::kNotAllowlisted, "default deny"},
    // The blocklist outranks the wildcard that would admit these.
    {"bad.example.com", 443, D, DecidedBy::kBlocklist, "feed line 1"},
    {"x.bad.example.com", 443, D, DecidedBy::kBlocklist, "feed line 1"},
    {"evil.test", 443, D, DecidedBy::kBlocklist, "hosts line 1"},
    {"evil.test.", 443, D, DecidedBy::kBlocklist, "hosts line 1"},
    {"EVIL.test", 443, D, DecidedBy::kBlocklist, "hosts line 1"},
    // Invalid hosts and ports.
    {"exa mple.com", 443, D, DecidedBy::kInvalidHost, "invalid host"},
    {"1.2.3.256", 443, D, DecidedBy::kInvalidHost, "invalid host"},
    {"www*.com", 443, D, DecidedBy::kInvalidHost, "invalid host"},
    {"", 443, D, DecidedBy::kInvalidHost, "invalid host"},
    {"api.openai.com", 0, D, DecidedBy::kInvalidPort, "invalid port"},
    {"api.openai.com", 65536, D, DecidedBy::kInvalidPort, "invalid port"},
};

TEST(EgressDecision, DecisionMatrixInEnforceMode) {
    const EgressPolicy policy = matrix_policy();
    for (const auto& c : kMatrix) {
        const Decision d = decide(policy, c.host, c.port, test_now());
        SCOPED_TRACE(std::string(c.host) + ":" + std::to_string(c.port) + " -> " + d.reason);
        EXPECT_EQ(d.verdict, c.verdict);
        EXPECT_EQ(d.decided_by, c.by);
        EXPECT_NE(d.rule.find(c.rule_contains), std::string::npos) << d.rule;
        EXPECT_FALSE(d.reason.empty());
    }
}

TEST(EgressDecision, DenialReasonNamesHostPortAndRule) {
    const EgressPolicy policy = matrix_policy();
    const Decision d = decide(policy, "0x7f.1", 9000, test_now());
    EXPECT_EQ(d.host, "127.0.0.1");
    EXPECT_NE(d.reason.find("127.0.0.1:9000"), std::string::npos) << d.reason;
    EXPECT_NE(d.reason.find("loopback"), std::string::npos) << d.reason;
    EXPECT_NE(d.reason.find("not in allowlist"), std::string::npos) << d.reason;
    EXPECT_EQ(d.policy_kind(), "EgressAllowlist");
    EXPECT_EQ(d.code(), "special_address");

    const Decision port = decide(policy, "api.openai.com", 23, test_now());
    EXPECT_NE(port.reason.find("allowlisted ports for this host: 443"), std::string::npos)
        << port.reason;

    const Decision blocked = decide(policy, "bad.example.com", 443, test_now());
    EXPECT_EQ(blocked.policy_kind(), "EgressBlocklist");
    EXPECT_NE(blocked.reason.find("bad.example.com"), std::string::npos) << blocked.reason;

    const Decision v6 = decide(policy, "[::1]", 22, test_now());
    EXPECT_NE(v6.reason.find("[::1]:22"), std::string::npos) << v6.reason;
}

TEST(EgressDecision, InvalidHostReasonDoesNotEchoControlBytes) {
    const Decision d = decide(matrix_policy(), "evil\r\nX-Injected: 1", 443, test_now());
    EXPECT_EQ(d.decided_by, DecidedBy::kInvalidHost);
    EXPECT_EQ(d.reason.find('\r'), std::string::npos);
    EXPECT_EQ(d.reason.find('\n'), std::string::npos);
}

TEST(EgressDecision, EmptyPolicyDeniesEverything) {
    const EgressPolicy policy;
    for (const char* host : {"api.openai.com", "8.8.8.8", "[2606:4700::1111]", "a.test"}) {
        EXPECT_FALSE(decide(policy, host, 443, test_now()).allowed()) << host;
    }
}

TEST(EgressDecision, ApprovalAllowsUntilExpiresAt) {
    EgressPolicy policy = matrix_policy();
    const auto expires = test_now() + hours(1);
    ASSERT_TRUE(policy.approvals
                    .add("incident-42",
                         {endpoint("status.vendor.test", std::nullopt),
                          endpoint("*.cdn.vendor.test", 8443)},
                         expires)
                    .ok());

    const Decision before = decide(policy, "status.vendor.test", 443, test_now());
    EXPECT_TRUE(before.allowed()) << before.reason;
    EXPECT_EQ(before.decided_by, DecidedBy::kApproval);
    EXPECT_EQ(before.policy_kind(), "EgressApproval");
    EXPECT_NE(before.rule.find("incident-42"), std::string::npos);
    ASSERT_TRUE(before.expires_at.has_value());
    EXPECT_EQ(*before.expires_at, expires);
    EXPECT_NE(before.reason.find("2026-03-01T13:00:00Z"), std::string::npos) << before.reason;

    EXPECT_TRUE(decide(policy, "img.cdn.vendor.test", 8443, test_now()).allowed());
    // A port-less approval host is granted on 443 only.
    EXPECT_FALSE(decide(policy, "status.vendor.test", 80, test_now()).allowed());
    EXPECT_FALSE(decide(policy, "img.cdn.vendor.test", 443, test_now()).allowed());

    const Decision last_second =
        decide(policy, "status.vendor.test", 443, expires - std::chrono::seconds(1));
    EXPECT_TRUE(last_second.allowed());
    const Decision at_expiry = decide(policy, "status.vendor.test", 443, expires);
    EXPECT_FALSE(at_expiry.allowed());
    EXPECT_EQ(at_expiry.decided_by, DecidedBy::kNotAllowlisted);
    EXPECT_NE(at_expiry.reason.find("incident-42 expired at 2026-03-01T13:00:00Z"),
              std::string::npos)
        << at_expiry.reason;
    EXPECT_FALSE(decide(policy, "status.vendor.test", 443, expires + hours(24)).allowed());
}

TEST(EgressDecision, ApprovalNeverOpensSpecialAddressesOrBeatsBlocklist) {
    EgressPolicy policy = matrix_policy();
    ASSERT_TRUE(policy.approvals
                    .add("too-broad",
                         {endpoint("169.254.169.254", 80), endpoint("10.0.0.0/8", 22),
                          endpoint("bad.example.com", 443)},
                         test_now() + hours(1))
                    .ok());
    EXPECT_EQ(decide(policy, "169.254.169.254", 80, test_now()).decided_by,
              DecidedBy::kSpecialAddress);
    EXPECT_EQ(decide(policy, "10.9.9.9", 22, test_now()).decided_by, DecidedBy::kSpecialAddress);
    EXPECT_EQ(decide(policy, "bad.example.com", 443, test_now()).decided_by, DecidedBy::kBlocklist);
}

TEST(EgressDecision, RejectsMalformedApproval) {
    ApprovalSet set;
    EXPECT_FALSE(set.add("wild", {endpoint("www*.com", 443)}, test_now()).ok());
    EXPECT_FALSE(set.add("", {endpoint("a.test", 443)}, test_now()).ok());
    EXPECT_FALSE(set.add("empty", {}, test_now()).ok());
    EXPECT_FALSE(set.add("port0", {endpoint("a.test", 0)}, test_now()).ok());
    EXPECT_TRUE(set.grants().empty());
}

TEST(EgressDecision, LearnModeAllowsUnknownHostsButNeverSpecialOrBlocked) {
    const EgressPolicy learn = matrix_policy(EgressMode::kLearn);
    const Decision unknown = decide(learn, "new.vendor.test", 443, test_now());
    EXPECT_TRUE(unknown.allowed());
    EXPECT_EQ(unknown.decided_by, DecidedBy::kLearnMode);
    EXPECT_EQ(unknown.policy_kind(), "EgressLearnMode");

    EXPECT_EQ(decide(learn, "169.254.169.254", 80, test_now()).decided_by,
              DecidedBy::kSpecialAddress);
    EXPECT_EQ(decide(learn, "localhost", 8444, test_now()).decided_by, DecidedBy::kSpecialAddress);
    EXPECT_EQ(decide(learn, "evil.test", 443, test_now()).decided_by, DecidedBy::kBlocklist);
    EXPECT_EQ(decide(learn, "bad host", 443, test_now()).decided_by, DecidedBy::kInvalidHost);
    // An allowlisted host is still decided by its entry, not by learn mode.
    EXPECT_EQ(decide(learn, "api.openai.com", 443, test_now()).decided_by, DecidedBy::kAllowlist);
}

TEST(EgressDecision, DefaultModeIsEnforce) {
    const EgressPolicy policy;
    EXPECT_EQ(policy.mode, EgressMode::kEnforce);
}

// peers.md 8A.4: switching the mode must not change any refusal of a special address,
// blocklisted host or invalid input.
TEST(EgressDecision, ModeDoesNotChangeSpecialBlockedOrInvalidDecisions) {
    const EgressPolicy enforce = matrix_policy(EgressMode::kEnforce);
    const EgressPolicy learn = matrix_policy(EgressMode::kLearn);
    for (const auto& c : kMatrix) {
        if (c.by == DecidedBy::kNotAllowlisted) {
            continue;
        }
        const Decision a = decide(enforce, c.host, c.port, test_now());
        const Decision b = decide(learn, c.host, c.port, test_now());
        EXPECT_EQ(a.verdict, b.verdict) << c.host << ":" << c.port;
        EXPECT_EQ(a.decided_by, b.decided_by) << c.host << ":" << c.port;
    }
}

TEST(EgressDecision, LearnedRecordBecomesAnAllowlist) {
    const EgressPolicy learn = matrix_policy(EgressMode::kLearn);
    LearnLog log;
    const std::vector<std::pair<const char*, std::uint32_t>> visits = {
        {"new.vendor.test", 443}, {"NEW.vendor.test.", 443}, {"pypi.org", 443},
        {"1.1.1.1", 853},         {"[2606:4700::64]", 443},  {"169.254.169.254", 80},
        {"api.openai.com", 443},
    };
    for (const auto& [host, port] : visits) {
        log.record(decide(learn, host, port, test_now()));
    }
    const auto endpoints = log.to_allowed_endpoints();
    ASSERT_EQ(endpoints.size(), 4u);  // duplicates, refusals and allowlisted hosts not recorded

    EgressPolicy enforce;
    auto list = Allowlist::load(endpoints);
    ASSERT_TRUE(list.ok()) << list.error().message;
    enforce.allowlist = std::move(*list);
    for (const char* host : {"new.vendor.test", "pypi.org", "[2606:4700::64]"}) {
        EXPECT_TRUE(decide(enforce, host, 443, test_now()).allowed()) << host;
    }
    EXPECT_TRUE(decide(enforce, "1.1.1.1", 853, test_now()).allowed());
    EXPECT_FALSE(decide(enforce, "other.vendor.test", 443, test_now()).allowed());
}

TEST(EgressDecision, LearnLogIsBounded) {
    const EgressPolicy learn = matrix_policy(EgressMode::kLearn);
    LearnLog log(2);
    for (const char* host : {"a.test", "b.test", "c.test"}) {
        log.record(decide(learn, host, 443, test_now()));
    }
    EXPECT_EQ(log.to_allowed_endpoints().size(), 2u);
    EXPECT_EQ(log.dropped(), 1u);
}

}  // namespace
}  // namespace kars::egress
