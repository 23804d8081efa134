// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// InferencePolicy (kars.azure.com/v1alpha1): compiled into kars::policy::InferencePolicy,
// plus the appliesTo selector that decides which sandboxes it governs.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/manifest/object_meta.h"
#include "core/manifest/sandbox.h"
#include "core/manifest/yaml_reader.h"
#include "core/policy/inference_policy.h"
#include "core/result.h"

namespace kars::manifest {

inline constexpr std::string_view kInferencePolicyKind = "InferencePolicy";

// spec.appliesTo: an AND of its fields; an absent field matches everything.
struct AppliesTo {
    std::optional<std::string> sandbox_name;  // empty string in YAML is stored as nullopt
    Labels sandbox_match_labels;
    std::optional<std::string> action;  // chat|responses|image|embeddings|*; nullopt = any
};

struct InferencePolicyResource {
    SourceRef source;
    ObjectMeta metadata;
    AppliesTo applies_to;
    std::optional<std::string> display_name;
    // Set when the content comes from a signed bundle; policy then holds no content fields
    // and the caller must fetch and verify the bundle before enforcing anything.
    std::optional<OciArtifactRef> bundle_ref;
    policy::InferencePolicy policy;  // policy.name == metadata.name
};

// Reads one InferencePolicy document; severities are matched case-insensitively.
InferencePolicyResource read_inference_policy(FieldReader& reader, const Field& document);

// Parses "Safe" | "Low" | "Medium" | "High" in any letter case.
std::optional<policy::Severity> parse_severity(std::string_view text);

// The sandbox a policy is being chosen for.
struct SandboxIdentity {
    std::string name;
    std::string namespace_name;
    Labels labels;
};

// Picks the InferencePolicy that governs `sandbox` for inference `action` ("chat", ...;
// empty = no specific call site). A policy is a candidate when it is in the sandbox's
// namespace and every appliesTo field matches. The most specific candidate wins, compared
// in this order: a sandboxName match beats any label selector; then more matchLabels beat
// fewer; then a specific action beats none or "*". Two candidates equally specific at the
// top are an error (code "ambiguous_inference_policy") naming both. No candidate: nullptr.
Result<const InferencePolicyResource*> select_inference_policy(
    const std::vector<InferencePolicyResource>& policies, const SandboxIdentity& sandbox,
    std::string_view action = "");

}  // namespace kars::manifest
