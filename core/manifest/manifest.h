// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Loading of multi-document YAML manifests into typed kars resources. This is the entry
// point; see docs/manifest.md for which fields are read and which CRD rules are checked.
//
// Errors (code "invalid_yaml", "invalid_manifest" or "unsupported_api_version") carry the
// location in the message: "<file>: document <n>: <Kind>/<name>: <field.path>: <reason>",
// with n counted from 1 among the file's YAML documents. Nothing here throws.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/manifest/egress_approval.h"
#include "core/manifest/inference_policy_loader.h"
#include "core/manifest/object_meta.h"
#include "core/manifest/sandbox.h"
#include "core/result.h"

namespace kars::manifest {

inline constexpr std::string_view kToolPolicyKind = "ToolPolicy";
inline constexpr std::string_view kMcpServerKind = "McpServer";

// Larger inputs are refused before YAML parsing: manifests are small, the parser is not.
inline constexpr std::size_t kMaxManifestBytes = 4 * 1024 * 1024;

// A kars kind whose spec is not interpreted yet: metadata is checked, spec kept as JSON.
struct OpaqueResource {
    SourceRef source;
    ObjectMeta metadata;
    boost::json::value spec;  // null when the document has no spec
};

// Any document that is not a kars kind (Namespace, Deployment, or a kars.azure.com kind
// kars does not read). Not validated beyond apiVersion and kind being strings.
struct ForeignResource {
    SourceRef source;
    std::string api_version;
    std::string kind;
    std::string name;             // metadata.name when it is a string, else empty
    boost::json::value document;  // the whole document
};

struct Manifest {
    std::vector<KarsSandbox> sandboxes;
    std::vector<InferencePolicyResource> inference_policies;
    std::vector<OpaqueResource> tool_policies;
    std::vector<EgressApproval> egress_approvals;
    std::vector<OpaqueResource> mcp_servers;
    std::vector<ForeignResource> other;  // in document order
};

// Parses every document of `text`; `source_name` stands in for a file name in messages.
// Empty documents are skipped. Two kars resources with the same kind, namespace and name
// are an error, since applying both would silently keep only the last one.
Result<Manifest> load_manifest_string(std::string_view text,
                                      std::string_view source_name = "<string>");

// Reads `path` (at most kMaxManifestBytes) and parses it like load_manifest_string.
Result<Manifest> load_manifest_file(const std::filesystem::path& path);

}  // namespace kars::manifest
