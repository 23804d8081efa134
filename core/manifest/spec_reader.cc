// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/manifest/spec_reader.h"

#include <algorithm>
#include <limits>

namespace kars::manifest {

namespace json = boost::json;

void SpecReader::fail(const std::string& path, const std::string& reason) {
    if (!error_) error_ = make_error(code_, source_ + ": " + path + ": " + reason);
}

const json::value* SpecReader::get(const json::object& obj, std::string_view key) const {
    const json::value* v = obj.if_contains(key);
    return v && !v->is_null() ? v : nullptr;
}

const json::object* SpecReader::object(const json::object& obj, std::string_view key,
                                       const std::string& path) {
    const json::value* v = get(obj, key);
    if (!v || !ok()) return nullptr;
    if (!v->is_object()) fail(path, "expected object");
    return v->if_object();
}

const json::array* SpecReader::array(const json::object& obj, std::string_view key,
                                     const std::string& path) {
    const json::value* v = get(obj, key);
    if (!v || !ok()) return nullptr;
    if (!v->is_array()) fail(path, "expected array");
    return v->if_array();
}

std::optional<std::string> SpecReader::string(const json::object& obj, std::string_view key,
                                              const std::string& path) {
    const json::value* v = get(obj, key);
    if (!v || !ok()) return std::nullopt;
    if (!v->is_string()) {
        fail(path, "expected string");
        return std::nullopt;
    }
    return std::string(v->get_string());
}

std::optional<bool> SpecReader::boolean(const json::object& obj, std::string_view key,
                                        const std::string& path) {
    const json::value* v = get(obj, key);
    if (!v || !ok()) return std::nullopt;
    if (!v->is_bool()) {
        fail(path, "expected true or false");
        return std::nullopt;
    }
    return v->get_bool();
}

std::optional<std::uint32_t> SpecReader::uint32(const json::object& obj, std::string_view key,
                                                const std::string& path) {
    const json::value* v = get(obj, key);
    if (!v || !ok()) return std::nullopt;
    std::uint64_t max = std::numeric_limits<std::uint32_t>::max();
    if (v->is_int64() && v->get_int64() >= 0 && static_cast<std::uint64_t>(v->get_int64()) <= max) {
        return static_cast<std::uint32_t>(v->get_int64());
    }
    if (v->is_uint64() && v->get_uint64() <= max) {
        return static_cast<std::uint32_t>(v->get_uint64());
    }
    fail(path, "expected an integer between 0 and 4294967295");
    return std::nullopt;
}

std::optional<std::vector<std::string>> SpecReader::strings(const json::object& obj,
                                                            std::string_view key,
                                                            const std::string& path) {
    const json::array* list = array(obj, key, path);
    if (!list) return std::nullopt;
    std::vector<std::string> out;
    out.reserve(list->size());
    for (std::size_t i = 0; i < list->size(); ++i) {
        const json::value& item = (*list)[i];
        if (!item.is_string()) {
            fail(path + "[" + std::to_string(i) + "]", "expected string");
            return std::nullopt;
        }
        out.emplace_back(item.get_string());
    }
    return out;
}

std::optional<Labels> SpecReader::labels(const json::object& obj, std::string_view key,
                                         const std::string& path) {
    const json::object* map = object(obj, key, path);
    if (!map) return std::nullopt;
    Labels out;
    for (const auto& entry : *map) {
        if (!entry.value().is_string()) {
            fail(path + "." + std::string(entry.key()), "expected string");
            return std::nullopt;
        }
        out[std::string(entry.key())] = std::string(entry.value().get_string());
    }
    return out;
}

void SpecReader::known_keys(const json::object& obj, const std::string& path,
                            std::initializer_list<std::string_view> keys) {
    for (const auto& entry : obj) {
        if (!ok()) return;
        if (std::find(keys.begin(), keys.end(), entry.key()) == keys.end()) {
            fail(path + "." + std::string(entry.key()), "unknown field");
        }
    }
}

std::string SpecReader::source_of(std::string_view kind, const ObjectMeta& metadata) {
    return std::string(kind) + "/" +
           (metadata.namespace_name.empty() ? std::string("default") : metadata.namespace_name) +
           "/" + metadata.name;
}

}  // namespace kars::manifest
