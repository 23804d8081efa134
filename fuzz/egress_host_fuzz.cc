// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// Bytes -> host canonicalisation, address classification, request-target parsing and a full
// decision. Must never crash, and canonicalisation must be idempotent: a canonical host
// canonicalises to itself, in plain and in authority (bracketed) form, with the same kind
// and address.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/egress/authority.h"
#include "core/egress/canonical_host.h"
#include "core/egress/decision.h"
#include "core/egress/special_ranges.h"

namespace {

using kars::egress::CanonicalHost;

void require(bool condition) {
    if (!condition) {
        std::abort();
    }
}

void check_fixed_point(const CanonicalHost& first) {
    for (const std::string& again_text : {first.text, first.authority_text()}) {
        auto again = kars::egress::canonicalize_host(again_text);
        require(again.ok());
        require(again->text == first.text);
        require(again->kind == first.kind);
        require(again->address == first.address);
    }
    require(first.text.size() <= kars::egress::kMaxHostLength || first.is_ip());
}

const kars::egress::EgressPolicy& policy() {
    static const kars::egress::EgressPolicy instance = [] {
        kars::egress::EgressPolicy p;
        kars::manifest::Endpoint wildcard;
        wildcard.host = "*.example.com";
        wildcard.port = 443;
        kars::manifest::Endpoint range;
        range.host = "10.0.0.0/8";
        range.port = 5432;
        auto list = kars::egress::Allowlist::load({wildcard, range});
        require(list.ok());
        p.allowlist = std::move(*list);
        require(
            p.blocklist
                .add_source("seed", "bad.example.com\n", kars::egress::BlocklistFormat::kDomains)
                .ok());
        return p;
    }();
    return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);

    auto host = kars::egress::canonicalize_host(input);
    if (host.ok()) {
        check_fixed_point(*host);
        if (host->is_ip()) {
            require(host->address.has_value());
            if (auto special = kars::egress::classify_special(*host->address)) {
                require(!kars::egress::describe_special(*special).empty());
            }
        }
    }

    const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1772366400));
    const auto decision = kars::egress::decide(policy(), input, 443, now);
    require(!decision.reason.empty());
    // A host that fails canonicalisation is never allowed.
    require(host.ok() || !decision.allowed());

    if (auto target = kars::egress::parse_connect_target(input); target.ok()) {
        require(target->port != 0);
        (void)kars::egress::decide(policy(), target->host, target->port, now);
    }
    if (auto target = kars::egress::parse_absolute_target(input); target.ok()) {
        require(target->port != 0);
        require(!target->origin_form.empty());
    }
    return 0;
}
