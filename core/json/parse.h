// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Parsing of untrusted JSON. Every byte that comes from an agent, an upstream or a file a
// user wrote goes through here, so the limits live in one place.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/result.h"

namespace kars::json {

struct ParseLimits {
    std::size_t max_depth = 64;
};

// Parses one JSON document; trailing garbage, invalid UTF-8 in strings, and nesting deeper
// than the limit are errors with code "invalid_json".
Result<boost::json::value> parse(std::string_view text, ParseLimits limits = {});

// Typed, non-throwing field access. A field that is present with the wrong type yields
// nullopt just like a missing one; callers that must tell them apart use find_field.
const boost::json::value* find_field(const boost::json::value& v, std::string_view key);
std::optional<std::string_view> string_field(const boost::json::value& v, std::string_view key);
std::optional<std::int64_t> int_field(const boost::json::value& v, std::string_view key);
std::optional<bool> bool_field(const boost::json::value& v, std::string_view key);

// The same on an object. Without these, an object would convert to a temporary value and a
// string_view taken from it would dangle at the end of the statement.
const boost::json::value* find_field(const boost::json::object& o, std::string_view key);
std::optional<std::string_view> string_field(const boost::json::object& o, std::string_view key);
std::optional<std::int64_t> int_field(const boost::json::object& o, std::string_view key);
std::optional<bool> bool_field(const boost::json::object& o, std::string_view key);

// Compact serialisation (boost::json::serialize), named here so callers need one header.
std::string to_string(const boost::json::value& v);

}  // namespace kars::json
