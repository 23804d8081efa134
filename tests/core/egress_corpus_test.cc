// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "core/egress/decision.h"

namespace kars::egress {
namespace {

constexpr const char* kCorpusPath =
    KARS_SOURCE_DIR "/../shared/reference/eval-corpus/egress-known-bad.json";
constexpr std::uint16_t kHttpsPort = 443;

boost::json::value load_corpus() {
    std::ifstream in(kCorpusPath);
    EXPECT_TRUE(in.good()) << "cannot open " << kCorpusPath;
    std::stringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    auto value = boost::json::parse(text.str(), ec);
    EXPECT_FALSE(ec) << ec.message();
    return value;
}

std::string text_of(const boost::json::object& object, const char* key) {
    const auto* field = object.if_contains(key);
    return field != nullptr && field->is_string() ? std::string(field->as_string()) : "";
}

void check(const Decision& d, const boost::json::object& expect, const std::string& label) {
    const std::string decision = text_of(expect, "decision");
    ASSERT_TRUE(decision == "Blocked" || decision == "Allowed") << label << ": " << decision;
    EXPECT_EQ(d.allowed(), decision == "Allowed") << label << ": " << d.reason;
    const std::string kind = text_of(expect, "byPolicyKind");
    if (!kind.empty()) {
        EXPECT_EQ(d.policy_kind(), kind) << label << ": " << d.reason;
    }
    const std::string contains = text_of(expect, "reasonContains");
    if (!contains.empty()) {
        EXPECT_NE(d.reason.find(contains), std::string::npos) << label << ": " << d.reason;
    }
}

// Every case runs against an enforce-mode sandbox with an empty allowlist. The corpus gives
// no allowlist, so each case on a port other than 443 also runs against a sandbox that
// allowlists the same host on 443 ("the host is fine, the port is not", which is what the
// port case is about); the expected decision must hold in both.
TEST(EgressCorpus, EveryKnownBadCaseGetsItsExpectedDecision) {
    const auto corpus = load_corpus();
    ASSERT_TRUE(corpus.is_object());
    const auto* cases = corpus.as_object().if_contains("cases");
    ASSERT_TRUE(cases != nullptr && cases->is_array());
    ASSERT_FALSE(cases->as_array().empty());

    const auto now = Clock::time_point(std::chrono::seconds(1772366400));
    std::size_t checked = 0;
    for (const auto& item : cases->as_array()) {
        const auto& c = item.as_object();
        const std::string id = text_of(c, "id");
        const auto& scenario = c.at("scenario").as_object();
        const auto& expect = c.at("expect").as_object();
        ASSERT_EQ(text_of(scenario, "kind"), "EgressConnect") << id << ": unknown scenario kind";
        const std::string host = text_of(scenario, "host");
        const auto port = static_cast<std::uint32_t>(scenario.at("port").to_number<std::int64_t>());

        const EgressPolicy empty;
        check(decide(empty, host, port, now), expect, id + " (empty allowlist)");
        ++checked;

        if (port != kHttpsPort) {
            manifest::Endpoint same_host;
            same_host.host = host;
            same_host.port = kHttpsPort;
            auto list = Allowlist::load({same_host});
            ASSERT_TRUE(list.ok()) << id << ": " << list.error().message;
            EgressPolicy on_443;
            on_443.allowlist = std::move(*list);
            check(decide(on_443, host, port, now), expect, id + " (host allowlisted on 443)");
            ++checked;
        }
    }
    EXPECT_GE(checked, cases->as_array().size());
}

}  // namespace
}  // namespace kars::egress
