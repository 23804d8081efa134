// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Helpers shared by the provider request-building tests.

#include <optional>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <boost/json/value.hpp>

#include "core/json/parse.h"
#include "router/providers/upstream_request.h"

namespace kars::router::providers::testing {

// The value of header `name` (lower-case) on an upstream request, if set. A header set twice
// fails the calling test: an upstream may honour either copy.
inline std::optional<std::string> header(const UpstreamRequest& r, std::string_view name) {
    std::optional<std::string> found;
    int count = 0;
    for (const auto& [n, v] : r.headers) {
        if (n == name) {
            found = v;
            ++count;
        }
    }
    EXPECT_LE(count, 1) << "header " << name << " set more than once";
    return found;
}

// A JSON body from test text; the text is a fixture, so a parse failure is a test bug.
inline boost::json::value body(std::string_view text) {
    return json::parse(text).value();
}

}  // namespace kars::router::providers::testing
