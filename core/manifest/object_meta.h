// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The parts of a Kubernetes object header kars reads: where it came from, its name and
// namespace, and its labels (which InferencePolicy selectors match against).

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "core/manifest/yaml_reader.h"

namespace kars::manifest {

inline constexpr std::string_view kGroup = "kars.azure.com";
inline constexpr std::string_view kApiVersion = "kars.azure.com/v1alpha1";

using Labels = std::map<std::string, std::string>;

// Position of a resource in its input, for messages that point a person at the right spot.
struct SourceRef {
    std::string file;          // path given to load_manifest_file, or the caller's label
    std::size_t document = 0;  // 1-based index among the YAML documents of the file
};

struct ObjectMeta {
    std::string name;
    std::string namespace_name;  // empty when the manifest does not set one
    Labels labels;
};

// Reads metadata.name (required), metadata.namespace and metadata.labels (string values).
ObjectMeta read_object_meta(FieldReader& reader, const Field& document);

// "<Kind>/<name>" when metadata.name is a readable string, else "<Kind>"; never fails.
std::string resource_label(const YAML::Node& document, std::string_view kind);

}  // namespace kars::manifest
