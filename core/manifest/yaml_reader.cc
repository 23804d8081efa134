// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/manifest/yaml_reader.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <unordered_set>
#include <utility>

namespace kars::manifest {
namespace {

bool is_digits(std::string_view s, int base) {
    if (s.empty()) return false;
    return std::all_of(s.begin(), s.end(), [base](char c) {
        if (base == 8) return c >= '0' && c <= '7';
        if (base == 16) return std::isxdigit(static_cast<unsigned char>(c)) != 0;
        return c >= '0' && c <= '9';
    });
}

std::string_view strip_sign(std::string_view s) {
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
    return s;
}

// Integer forms of the YAML 1.2 core schema (spec section 10.3.2): decimal with an optional
// sign, 0o octal and 0x hexadecimal.
bool is_core_int(std::string_view s) {
    if (s.starts_with("0o")) return is_digits(s.substr(2), 8);
    if (s.starts_with("0x")) return is_digits(s.substr(2), 16);
    return is_digits(strip_sign(s), 10);
}

bool is_core_float(std::string_view s) {
    if (s == ".nan" || s == ".NaN" || s == ".NAN") return true;
    std::string_view body = strip_sign(s);
    if (body == ".inf" || body == ".Inf" || body == ".INF") return true;

    std::size_t exp = body.find_first_of("eE");
    std::string_view mantissa = body.substr(0, exp);
    if (exp != std::string_view::npos) {
        if (!is_digits(strip_sign(body.substr(exp + 1)), 10)) return false;
    }
    std::size_t dot = mantissa.find('.');
    if (dot == std::string_view::npos) return is_digits(mantissa, 10);
    std::string_view whole = mantissa.substr(0, dot);
    std::string_view frac = mantissa.substr(dot + 1);
    if (whole.empty() && frac.empty()) return false;
    return (whole.empty() || is_digits(whole, 10)) && (frac.empty() || is_digits(frac, 10));
}

ValueType classify_plain(std::string_view s) {
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return ValueType::kNull;
    if (s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" || s == "FALSE") {
        return ValueType::kBool;
    }
    if (is_core_int(s)) return ValueType::kInt;
    if (is_core_float(s)) return ValueType::kFloat;
    return ValueType::kString;
}

struct ParsedInt {
    bool negative = false;
    std::uint64_t magnitude = 0;
    bool overflow = false;
};

ParsedInt parse_core_int(std::string_view s) {
    ParsedInt out;
    int base = 10;
    if (s.starts_with("0o")) {
        base = 8;
        s.remove_prefix(2);
    } else if (s.starts_with("0x")) {
        base = 16;
        s.remove_prefix(2);
    } else {
        out.negative = s.starts_with("-");
        s = strip_sign(s);
    }
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out.magnitude, base);
    out.overflow = ec != std::errc() || ptr != s.data() + s.size();
    return out;
}

std::string child_path(const std::string& parent, std::string_view key) {
    bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
    });
    std::string segment = plain ? std::string(key) : "[\"" + std::string(key) + "\"]";
    if (parent.empty()) return segment;
    return plain ? parent + "." + segment : parent + segment;
}

// The path to the node being checked, as a chain of frames on the stack; it is rendered
// only when there is something to report, so checking a large document allocates nothing
// per node.
struct PathLink {
    const PathLink* parent = nullptr;
    const std::string* key = nullptr;  // set for mapping entries
    std::size_t index = 0;             // used for sequence items
};

std::string render(const PathLink* link) {
    if (link == nullptr) return "";
    std::string parent = render(link->parent);
    if (link->key != nullptr) return child_path(parent, *link->key);
    return parent + "[" + std::to_string(link->index) + "]";
}

struct Walk {
    std::size_t nodes = 0;
};

Status check_node(const YAML::Node& node, std::size_t depth, Walk& walk, const PathLink* path) {
    auto where = [path]() { return path == nullptr ? std::string("document") : render(path); };
    if (++walk.nodes > kMaxNodes) {
        return make_error(
            "invalid_manifest",
            "document has more than " + std::to_string(kMaxNodes) + " nodes after alias expansion");
    }
    if (depth > kMaxDepth) {
        return make_error("invalid_manifest", where() + ": nested deeper than " +
                                                  std::to_string(kMaxDepth) + " levels");
    }
    if (node.IsSequence()) {
        for (std::size_t i = 0; i < node.size(); ++i) {
            PathLink link{path, nullptr, i};
            Status s = check_node(node[i], depth + 1, walk, &link);
            if (!s.ok()) return s;
        }
    } else if (node.IsMap()) {
        std::unordered_set<std::string_view> seen;  // keys live in the node
        for (const auto& entry : node) {
            if (!entry.first.IsScalar()) {
                return make_error("invalid_manifest", where() + ": mapping keys must be scalars");
            }
            const std::string& key = entry.first.Scalar();
            PathLink link{path, &key, 0};
            if (!seen.insert(key).second) {
                return make_error("invalid_manifest",
                                  render(&link) + ": duplicate key \"" + key + "\"");
            }
            Status s = check_node(entry.second, depth + 1, walk, &link);
            if (!s.ok()) return s;
        }
    }
    return ok_status();
}

}  // namespace

Status check_document(const YAML::Node& doc) {
    Walk walk;
    return check_node(doc, 0, walk, nullptr);
}

Field Field::at(std::string_view key) const {
    const YAML::Node& self = node;  // const access never inserts the key
    if (!self.IsMap()) return Field{YAML::Node(YAML::NodeType::Undefined), child_path(path, key)};
    return Field{self[std::string(key)], child_path(path, key)};
}

Field Field::at(std::size_t index) const {
    const YAML::Node& self = node;
    std::string p = path + "[" + std::to_string(index) + "]";
    if (!self.IsSequence() || index >= self.size()) {
        return Field{YAML::Node(YAML::NodeType::Undefined), std::move(p)};
    }
    return Field{self[index], std::move(p)};
}

bool Field::present() const {
    return node.IsDefined() && !node.IsNull();
}

ValueType value_type(const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull()) return ValueType::kNull;
    if (node.IsSequence()) return ValueType::kSequence;
    if (node.IsMap()) return ValueType::kMapping;
    const std::string& tag = node.Tag();
    if (tag == "?") return classify_plain(node.Scalar());
    if (tag == "tag:yaml.org,2002:int") return ValueType::kInt;
    if (tag == "tag:yaml.org,2002:float") return ValueType::kFloat;
    if (tag == "tag:yaml.org,2002:bool") return ValueType::kBool;
    if (tag == "tag:yaml.org,2002:null") return ValueType::kNull;
    // "!" (a quoted scalar), !!str and application tags are all text.
    return ValueType::kString;
}

std::string_view type_name(ValueType type) {
    switch (type) {
        case ValueType::kNull:
            return "null";
        case ValueType::kBool:
            return "boolean";
        case ValueType::kInt:
            return "integer";
        case ValueType::kFloat:
            return "number";
        case ValueType::kString:
            return "string";
        case ValueType::kSequence:
            return "sequence";
        case ValueType::kMapping:
            return "mapping";
    }
    return "unknown";
}

boost::json::value to_json(const YAML::Node& node) {
    switch (value_type(node)) {
        case ValueType::kNull:
            return nullptr;
        case ValueType::kBool: {
            char c = node.Scalar().empty() ? 'f' : node.Scalar()[0];
            return c == 't' || c == 'T';
        }
        case ValueType::kInt: {
            ParsedInt v = parse_core_int(node.Scalar());
            if (v.overflow) return boost::json::string(node.Scalar());
            if (!v.negative) return v.magnitude;
            if (v.magnitude <= static_cast<std::uint64_t>(INT64_MAX) + 1) {
                return static_cast<std::int64_t>(0 - v.magnitude);
            }
            return boost::json::string(node.Scalar());
        }
        case ValueType::kFloat: {
            const std::string& s = node.Scalar();
            std::string_view body = s.starts_with("+") ? std::string_view(s).substr(1) : s;
            double d = 0;
            auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), d);
            if (ec != std::errc() || ptr != body.data() + body.size() || !std::isfinite(d)) {
                return boost::json::string(s);
            }
            return d;
        }
        case ValueType::kString:
            return boost::json::string(node.Scalar());
        case ValueType::kSequence: {
            boost::json::array arr;
            for (const auto& item : node) arr.push_back(to_json(item));
            return arr;
        }
        case ValueType::kMapping: {
            boost::json::object obj;
            for (const auto& entry : node) obj[entry.first.Scalar()] = to_json(entry.second);
            return obj;
        }
    }
    return nullptr;
}

FieldReader::FieldReader(std::string resource) : resource_(std::move(resource)) {}

void FieldReader::fail(const std::string& path, const std::string& reason) {
    if (error_) return;
    error_ = make_error("invalid_manifest", resource_ + ": " + path + ": " + reason);
}

bool FieldReader::expect(const Field& f, ValueType type, std::string_view expected) {
    ValueType actual = value_type(f.node);
    if (actual == type) return true;
    fail(f.path, "expected " + std::string(expected) + ", got " + std::string(type_name(actual)));
    return false;
}

std::optional<std::string> FieldReader::string(const Field& f) {
    if (!ok() || !f.present() || !expect(f, ValueType::kString, "string")) return std::nullopt;
    return f.node.Scalar();
}

std::optional<bool> FieldReader::boolean(const Field& f) {
    if (!ok() || !f.present() || !expect(f, ValueType::kBool, "boolean")) return std::nullopt;
    char c = f.node.Scalar().empty() ? 'f' : f.node.Scalar()[0];
    return c == 't' || c == 'T';
}

std::optional<std::uint64_t> FieldReader::uint(const Field& f, std::uint64_t max) {
    if (!ok() || !f.present() || !expect(f, ValueType::kInt, "integer")) return std::nullopt;
    ParsedInt v = parse_core_int(f.node.Scalar());
    if (v.overflow) {
        fail(f.path, "integer out of range");
        return std::nullopt;
    }
    if (v.negative && v.magnitude != 0) {
        fail(f.path, "must not be negative, got " + f.node.Scalar());
        return std::nullopt;
    }
    if (v.magnitude > max) {
        fail(f.path, "must be at most " + std::to_string(max) + ", got " + f.node.Scalar());
        return std::nullopt;
    }
    return v.magnitude;
}

std::optional<std::string> FieldReader::quantity(const Field& f) {
    if (!ok() || !f.present()) return std::nullopt;
    ValueType t = value_type(f.node);
    if (t == ValueType::kString || t == ValueType::kInt || t == ValueType::kFloat) {
        return f.node.Scalar();
    }
    fail(f.path, "expected string, got " + std::string(type_name(t)));
    return std::nullopt;
}

std::string FieldReader::required_string(const Field& f) {
    if (!require(f)) return {};
    return string(f).value_or("");
}

bool FieldReader::require(const Field& f) {
    if (!ok()) return false;
    if (f.present()) return true;
    fail(f.path, "required field is missing");
    return false;
}

bool FieldReader::mapping(const Field& f) {
    return ok() && f.present() && expect(f, ValueType::kMapping, "mapping");
}

bool FieldReader::sequence(const Field& f) {
    return ok() && f.present() && expect(f, ValueType::kSequence, "sequence");
}

std::vector<std::string> FieldReader::string_list(const Field& f) {
    std::vector<std::string> out;
    if (!sequence(f)) return out;
    for (std::size_t i = 0; i < f.node.size() && ok(); ++i) {
        if (auto s = string(f.at(i))) out.push_back(std::move(*s));
    }
    return out;
}

std::map<std::string, std::string> FieldReader::string_map(const Field& f) {
    std::map<std::string, std::string> out;
    if (!mapping(f)) return out;
    for (const auto& entry : f.node) {
        const std::string& key = entry.first.Scalar();
        Field value{entry.second, child_path(f.path, key)};
        if (!expect(value, ValueType::kString, "string")) break;
        out[key] = value.node.Scalar();
    }
    return out;
}

std::map<std::string, std::string> FieldReader::scalar_map(const Field& f) {
    std::map<std::string, std::string> out;
    if (!mapping(f)) return out;
    for (const auto& entry : f.node) {
        const std::string& key = entry.first.Scalar();
        if (!entry.second.IsDefined() || entry.second.IsNull()) {
            out[key] = "";
            continue;
        }
        if (!entry.second.IsScalar()) {
            fail(child_path(f.path, key),
                 "expected scalar, got " + std::string(type_name(value_type(entry.second))));
            break;
        }
        out[key] = entry.second.Scalar();
    }
    return out;
}

std::optional<std::string> FieldReader::enumerated(const Field& f,
                                                   const std::vector<std::string>& allowed) {
    auto s = string(f);
    if (!s) return std::nullopt;
    if (std::find(allowed.begin(), allowed.end(), *s) != allowed.end()) return s;
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    fail(f.path, "must be one of " + list + "; got \"" + *s + "\"");
    return std::nullopt;
}

}  // namespace kars::manifest
