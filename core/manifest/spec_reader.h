// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Path-aware reading of the JSON spec that the manifest loader keeps for kinds it does not
// interpret itself (ToolPolicy, McpServer). Every accessor takes the field path it reports
// in messages; the first failure is kept and later ones are ignored, so a compiler can read
// a whole spec and check ok() once. Messages read "<source>: <path>: <reason>".

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/manifest/object_meta.h"
#include "core/result.h"

namespace kars::manifest {

class SpecReader {
public:
    // `code` is the Error code of every failure ("invalid_tool_policy", ...); `source` names
    // the resource ("ToolPolicy/<namespace>/<name>").
    SpecReader(std::string code, std::string source)
        : code_(std::move(code)), source_(std::move(source)) {}

    bool ok() const { return !error_; }
    Error error() const { return *error_; }
    void fail(const std::string& path, const std::string& reason);

    // Null or absent is "not set", as for every nullable CRD field.
    const boost::json::value* get(const boost::json::object& obj, std::string_view key) const;

    // Typed accessors: nullopt/nullptr when the field is not set or is of the wrong type
    // (which also records the failure), or when an earlier failure was recorded.
    const boost::json::object* object(const boost::json::object& obj, std::string_view key,
                                      const std::string& path);
    const boost::json::array* array(const boost::json::object& obj, std::string_view key,
                                    const std::string& path);
    std::optional<std::string> string(const boost::json::object& obj, std::string_view key,
                                      const std::string& path);
    std::optional<bool> boolean(const boost::json::object& obj, std::string_view key,
                                const std::string& path);
    std::optional<std::uint32_t> uint32(const boost::json::object& obj, std::string_view key,
                                        const std::string& path);
    // An array whose every element is a string: "<path>[i]: expected string" otherwise.
    std::optional<std::vector<std::string>> strings(const boost::json::object& obj,
                                                    std::string_view key, const std::string& path);
    // A map of string values (matchLabels): "<path>.<key>: expected string" otherwise.
    std::optional<Labels> labels(const boost::json::object& obj, std::string_view key,
                                 const std::string& path);

    // Every member of `obj` must be one of `keys`: "<path>.<member>: unknown field".
    void known_keys(const boost::json::object& obj, const std::string& path,
                    std::initializer_list<std::string_view> keys);

    // "McpServer/<namespace>/<name>", with "default" for a manifest that sets no namespace.
    static std::string source_of(std::string_view kind, const ObjectMeta& metadata);

private:
    std::string code_;
    std::string source_;
    std::optional<Error> error_;
};

}  // namespace kars::manifest
