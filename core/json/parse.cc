// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/json/parse.h"

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/serialize.hpp>

namespace kars::json {

Result<boost::json::value> parse(std::string_view text, ParseLimits limits) {
    boost::json::parse_options options;
    options.max_depth = limits.max_depth;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(text, ec, {}, options);
    if (ec) {
        return make_error("invalid_json", "request body is not valid JSON: " + ec.message());
    }
    return v;
}

namespace {

std::optional<std::string_view> as_string(const boost::json::value* f) {
    if (f == nullptr || !f->is_string()) return std::nullopt;
    return std::string_view(f->get_string());
}

std::optional<std::int64_t> as_int(const boost::json::value* f) {
    if (f == nullptr) return std::nullopt;
    if (f->is_int64()) return f->get_int64();
    if (f->is_uint64() && f->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return static_cast<std::int64_t>(f->get_uint64());
    }
    return std::nullopt;
}

std::optional<bool> as_bool(const boost::json::value* f) {
    if (f == nullptr || !f->is_bool()) return std::nullopt;
    return f->get_bool();
}

}  // namespace

const boost::json::value* find_field(const boost::json::value& v, std::string_view key) {
    const auto* obj = v.if_object();
    return obj == nullptr ? nullptr : obj->if_contains(key);
}

const boost::json::value* find_field(const boost::json::object& o, std::string_view key) {
    return o.if_contains(key);
}

std::optional<std::string_view> string_field(const boost::json::value& v, std::string_view key) {
    return as_string(find_field(v, key));
}

std::optional<std::string_view> string_field(const boost::json::object& o, std::string_view key) {
    return as_string(o.if_contains(key));
}

std::optional<std::int64_t> int_field(const boost::json::value& v, std::string_view key) {
    return as_int(find_field(v, key));
}

std::optional<std::int64_t> int_field(const boost::json::object& o, std::string_view key) {
    return as_int(o.if_contains(key));
}

std::optional<bool> bool_field(const boost::json::value& v, std::string_view key) {
    return as_bool(find_field(v, key));
}

std::optional<bool> bool_field(const boost::json::object& o, std::string_view key) {
    return as_bool(o.if_contains(key));
}

std::string to_string(const boost::json::value& v) {
    return boost::json::serialize(v);
}

}  // namespace kars::json
