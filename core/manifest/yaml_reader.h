// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Typed, path-aware reading of a YAML document that has already passed check_document().
// Manifests are written by people, so every complaint names the resource and the field
// path ("KarsSandbox/demo: spec.resources.limits.memory: expected string, got mapping").
// FieldReader keeps the first error and turns later reads into no-ops, so a parser reads
// its fields top to bottom and checks ok() once at the end.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>
#include <boost/json/value.hpp>

#include "core/result.h"

namespace kars::manifest {

// Bounds applied to every document before any field is read. Aliases are counted each time
// they are reached, so an alias bomb ("billion laughs") hits kMaxNodes instead of memory.
inline constexpr std::size_t kMaxDepth = 64;
inline constexpr std::size_t kMaxNodes = 200'000;

// Rejects documents deeper than kMaxDepth, larger than kMaxNodes (after alias expansion),
// with non-scalar mapping keys or with duplicate keys (parsers disagree on which one wins,
// which is how a reviewer can be shown one value and the runtime another).
Status check_document(const YAML::Node& doc);

// A node and its dotted path from the document root ("spec.networkPolicy.allowedEndpoints[0]").
struct Field {
    YAML::Node node;
    std::string path;

    // Child of a mapping; an undefined node when this is not a mapping or the key is absent.
    Field at(std::string_view key) const;
    // Element of a sequence; an undefined node when out of range or not a sequence.
    Field at(std::size_t index) const;
    // Defined and not YAML null: CRD fields marked nullable treat null as absent.
    bool present() const;
};

// YAML 1.2 core-schema type of a node, as Kubernetes sees it after YAML-to-JSON conversion.
enum class ValueType { kNull, kBool, kInt, kFloat, kString, kSequence, kMapping };
ValueType value_type(const YAML::Node& node);
std::string_view type_name(ValueType type);

// Converts a checked node to JSON (scalars typed by the core schema, integers that do not
// fit 64 bits and .inf/.nan kept as strings).
boost::json::value to_json(const YAML::Node& node);

class FieldReader {
public:
    // resource labels every message, e.g. "KarsSandbox/demo".
    explicit FieldReader(std::string resource);

    bool ok() const { return !error_.has_value(); }
    const Error& error() const { return *error_; }
    // Records "<resource>: <path>: <reason>" unless an earlier error is already recorded.
    void fail(const std::string& path, const std::string& reason);

    // Optional scalars: absent or null gives nullopt; a present value of the wrong type is
    // an error. Quoted scalars are always strings; plain ones are typed by the core schema.
    std::optional<std::string> string(const Field& f);
    std::optional<bool> boolean(const Field& f);
    std::optional<std::uint64_t> uint(const Field& f, std::uint64_t max = UINT64_MAX);
    // A Kubernetes quantity ("500m", "4Gi", or a bare number such as 2): kept as its text.
    std::optional<std::string> quantity(const Field& f);

    // Required variants: absence is an error naming the field.
    std::string required_string(const Field& f);
    bool require(const Field& f);

    // True when f is a mapping (resp. sequence); a present value of another type is an error.
    bool mapping(const Field& f);
    bool sequence(const Field& f);

    std::vector<std::string> string_list(const Field& f);
    std::map<std::string, std::string> string_map(const Field& f);
    // Scalars of any type kept as text (extraEnv-style maps); nested values are an error.
    std::map<std::string, std::string> scalar_map(const Field& f);
    // A string that must be one of `allowed` (CRD enums are case-sensitive).
    std::optional<std::string> enumerated(const Field& f, const std::vector<std::string>& allowed);

private:
    bool expect(const Field& f, ValueType type, std::string_view expected);

    std::string resource_;
    std::optional<Error> error_;
};

}  // namespace kars::manifest
