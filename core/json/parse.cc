// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/json/parse.h"

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/serialize.hpp>

#include <cmath>

namespace kars::json {

namespace {

// Boost.JSON reads a number too large for a double (1e400) as infinity, and would write it
// back as something no JSON parser accepts; a value that cannot be written back is refused
// where it comes in.
bool all_finite(const boost::json::value& v) {
    switch (v.kind()) {
        case boost::json::kind::double_:
            return std::isfinite(v.get_double());
        case boost::json::kind::array:
            for (const auto& e : v.get_array()) {
                if (!all_finite(e)) return false;
            }
            return true;
        case boost::json::kind::object:
            for (const auto& kv : v.get_object()) {
                if (!all_finite(kv.value())) return false;
            }
            return true;
        default:
            return true;
    }
}

}  // namespace

Result<boost::json::value> parse(std::string_view text, ParseLimits limits) {
    boost::json::parse_options options;
    options.max_depth = limits.max_depth;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(text, ec, {}, options);
    if (ec) return make_error("invalid_json", "not valid JSON: " + ec.message());
    if (!all_finite(v)) {
        return make_error("invalid_json",
                          "not valid JSON: a number is out of range (larger than a double holds)");
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
