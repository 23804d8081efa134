// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/manifest/object_meta.h"

namespace kars::manifest {

ObjectMeta read_object_meta(FieldReader& reader, const Field& document) {
    ObjectMeta meta;
    Field metadata = document.at("metadata");
    if (!reader.require(metadata) || !reader.mapping(metadata)) return meta;
    meta.name = reader.required_string(metadata.at("name"));
    if (reader.ok() && meta.name.empty()) reader.fail("metadata.name", "must not be empty");
    meta.namespace_name = reader.string(metadata.at("namespace")).value_or("");
    meta.labels = reader.string_map(metadata.at("labels"));
    return meta;
}

std::string resource_label(const YAML::Node& document, std::string_view kind) {
    Field name = Field{document, ""}.at("metadata").at("name");
    if (value_type(name.node) == ValueType::kString && !name.node.Scalar().empty()) {
        return std::string(kind) + "/" + name.node.Scalar();
    }
    return std::string(kind);
}

}  // namespace kars::manifest
