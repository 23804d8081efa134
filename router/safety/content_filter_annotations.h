// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Reads the content-filter annotations Azure OpenAI attaches to chat completions: on the
// prompt (`prompt_filter_results`), on each choice (`choices[i].content_filter_results`), in
// stream chunks, and in the `innererror` of a content_filter 400. Only reading happens here;
// content_safety.h decides what the annotations mean for a sandbox.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include <boost/json/value.hpp>

#include "core/policy/inference_policy.h"

namespace kars::router::safety {

using policy::Severity;

// Annotation categories, in the fixed order enforcement checks them. The first four carry a
// severity; the last two are Prompt Shields, which carry `detected` instead.
enum class Category { kHate, kSelfHarm, kSexual, kViolence, kJailbreak, kIndirectAttack };

inline constexpr std::size_t kCategoryCount = 6;
inline constexpr std::array<Category, 4> kHarmCategories = {Category::kHate, Category::kSelfHarm,
                                                            Category::kSexual, Category::kViolence};
inline constexpr std::array<Category, 2> kPromptShieldCategories = {Category::kJailbreak,
                                                                    Category::kIndirectAttack};

// The wire name of `category`: "hate", "self_harm", "sexual", "violence", "jailbreak",
// "indirect_attack".
std::string_view category_name(Category category);

// "Safe", "Low", "Medium" or "High", as the InferencePolicy resource spells them.
std::string_view severity_name(Severity severity);

// Parses Azure's "safe" | "low" | "medium" | "high" (any case); anything else is nullopt.
std::optional<Severity> parse_severity(std::string_view text);

// Which text an annotation is about: what the sandbox sent, or what the model produced.
enum class Side { kPrompt, kCompletion };

// Everything seen for one category on one side, merged over all entries and chunks.
struct CategoryObservation {
    bool present = false;              // a well-formed annotation for it was seen
    bool filtered = false;             // the upstream reported `filtered: true`
    bool detected = false;             // Prompt Shields reported `detected: true`
    std::optional<Severity> severity;  // highest recognised severity seen
};

using SideObservations = std::array<CategoryObservation, kCategoryCount>;

struct Observations {
    SideObservations prompt;
    SideObservations completion;
    // The upstream delivered prompt annotations: a `prompt_filter_results` entry with a
    // category map, or the category map of a content_filter error.
    bool prompt_annotations_present = false;
    // A jailbreak or indirect_attack annotation was among the prompt annotations.
    bool prompt_shields_present = false;
    bool finish_reason_content_filter = false;  // some choice ended with "content_filter"
    bool content_filter_error = false;          // the body is a content_filter error

    CategoryObservation& at(Side side, Category category);
    const CategoryObservation& at(Side side, Category category) const;
    // True when the upstream filtered anything: a `filtered: true`, a content_filter finish
    // reason or a content_filter error.
    bool any_upstream_filtering() const;
};

// Reads the annotations in one JSON body: a full chat completion, one stream chunk's
// `data:` JSON, or an error body. Fields of the wrong type count as absent; unknown
// severities are ignored; never throws.
Observations observe_annotations(const boost::json::value& body);

// Folds `from` into `into`: flags are OR-ed and severities keep the maximum, so the result
// describes everything seen across the chunks of a stream.
void merge_observations(Observations& into, const Observations& from);

}  // namespace kars::router::safety
