// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The router's upstream credentials must not reach the agent, even when an upstream echoes
// them back: in an error message ("Incorrect API key provided: ..."), a request-id header,
// a debugging field. Header names are filtered elsewhere; this looks at the values and
// bodies the agent would receive.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "router/providers/header_policy.h"

namespace kars::router::providers {

class SecretRedactor {
public:
    // Secrets shorter than kMinSecretBytes are not searched for: they would match ordinary
    // text, and no provider issues keys that short.
    static constexpr std::size_t kMinSecretBytes = 8;
    static constexpr std::string_view kReplacement = "[redacted by kars]";

    SecretRedactor() = default;
    explicit SecretRedactor(std::vector<std::string> secrets);

    bool empty() const { return secrets_.empty(); }
    bool contains_secret(std::string_view text) const;
    // Replaces every occurrence of every secret; returns how many were replaced.
    std::size_t redact(std::string& text) const;
    // Drops header fields whose value holds a secret; returns how many were dropped.
    std::size_t drop_headers(HeaderList& headers) const;
    // Redacts every string value inside `value` (member names are left as they are);
    // returns how many secrets were replaced.
    std::size_t redact(boost::json::value& value) const;

private:
    std::vector<std::string> secrets_;  // longest first, so a secret inside another is not cut
};

}  // namespace kars::router::providers
