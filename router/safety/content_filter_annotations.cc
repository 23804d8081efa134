// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/safety/content_filter_annotations.h"

#include <algorithm>
#include <cctype>

#include "core/json/parse.h"

namespace kars::router::safety {
namespace {

constexpr std::array<Category, kCategoryCount> kAllCategories = {
    Category::kHate,     Category::kSelfHarm,  Category::kSexual,
    Category::kViolence, Category::kJailbreak, Category::kIndirectAttack};

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

void merge_category(CategoryObservation& into, const CategoryObservation& from) {
    into.present = into.present || from.present;
    into.filtered = into.filtered || from.filtered;
    into.detected = into.detected || from.detected;
    if (from.severity && (!into.severity || *from.severity > *into.severity)) {
        into.severity = from.severity;
    }
}

// Reads one category map ({"hate": {"filtered": .., "severity": ..}, "jailbreak": {...}}).
// An entry counts as present only when it carries a field of the right type, so a
// malformed `{"jailbreak": {"detected": "yes"}}` cannot satisfy requirePromptShields.
// Returns whether any Prompt Shields entry was present.
bool read_category_map(const boost::json::value& map, SideObservations& side) {
    bool shields = false;
    for (const Category category : kAllCategories) {
        const auto* entry = json::find_field(map, category_name(category));
        if (entry == nullptr || !entry->is_object()) continue;

        CategoryObservation seen;
        if (const auto filtered = json::bool_field(*entry, "filtered")) {
            seen.present = true;
            seen.filtered = *filtered;
        }
        if (const auto detected = json::bool_field(*entry, "detected")) {
            seen.present = true;
            seen.detected = *detected;
        }
        if (const auto text = json::string_field(*entry, "severity")) {
            seen.severity = parse_severity(*text);
            seen.present = seen.present || seen.severity.has_value();
        }
        if (!seen.present) continue;

        const std::size_t index = static_cast<std::size_t>(category);
        merge_category(side[index], seen);
        if (category == Category::kJailbreak || category == Category::kIndirectAttack) {
            shields = true;
        }
    }
    return shields;
}

void read_prompt_map(const boost::json::value& map, Observations& out) {
    if (!map.is_object()) return;
    out.prompt_annotations_present = true;
    if (read_category_map(map, out.prompt)) out.prompt_shields_present = true;
}

// `prompt_filter_results` (API versions since 2023-10) or its earlier name
// `prompt_annotations`: [{"prompt_index": 0, "content_filter_results": {...}}].
void read_prompt_results(const boost::json::value& body, std::string_view key, Observations& out) {
    const auto* results = json::find_field(body, key);
    if (results == nullptr || !results->is_array()) return;
    for (const auto& entry : results->get_array()) {
        if (const auto* map = json::find_field(entry, "content_filter_results")) {
            read_prompt_map(*map, out);
        }
    }
}

void read_choices(const boost::json::value& body, Observations& out) {
    const auto* choices = json::find_field(body, "choices");
    if (choices == nullptr || !choices->is_array()) return;
    for (const auto& choice : choices->get_array()) {
        if (const auto* map = json::find_field(choice, "content_filter_results")) {
            read_category_map(*map, out.completion);
        }
        if (json::string_field(choice, "finish_reason") == "content_filter") {
            out.finish_reason_content_filter = true;
        }
    }
}

// {"error":{"code":"content_filter","param":"prompt","innererror":{"code":
// "ResponsibleAIPolicyViolation","content_filter_result":{...}}}}. Azure only rejects
// prompts this way, so the map is read as prompt annotations.
void read_error(const boost::json::value& body, Observations& out) {
    const auto* error = json::find_field(body, "error");
    if (error == nullptr || !error->is_object()) return;
    if (json::string_field(*error, "code") == "content_filter") out.content_filter_error = true;

    const auto* inner = json::find_field(*error, "innererror");
    if (inner == nullptr || !inner->is_object()) return;
    if (json::string_field(*inner, "code") == "ResponsibleAIPolicyViolation") {
        out.content_filter_error = true;
    }
    for (const std::string_view key : {"content_filter_result", "content_filter_results"}) {
        if (const auto* map = json::find_field(*inner, key)) read_prompt_map(*map, out);
    }
}

}  // namespace

std::string_view category_name(Category category) {
    switch (category) {
        case Category::kHate:
            return "hate";
        case Category::kSelfHarm:
            return "self_harm";
        case Category::kSexual:
            return "sexual";
        case Category::kViolence:
            return "violence";
        case Category::kJailbreak:
            return "jailbreak";
        case Category::kIndirectAttack:
            return "indirect_attack";
    }
    return "unknown";
}

std::string_view severity_name(Severity severity) {
    switch (severity) {
        case Severity::kSafe:
            return "Safe";
        case Severity::kLow:
            return "Low";
        case Severity::kMedium:
            return "Medium";
        case Severity::kHigh:
            return "High";
    }
    return "Unknown";
}

std::optional<Severity> parse_severity(std::string_view text) {
    for (const Severity s : {Severity::kSafe, Severity::kLow, Severity::kMedium, Severity::kHigh}) {
        if (equals_ignoring_case(text, severity_name(s))) return s;
    }
    return std::nullopt;
}

CategoryObservation& Observations::at(Side side, Category category) {
    auto& map = side == Side::kPrompt ? prompt : completion;
    return map[static_cast<std::size_t>(category)];
}

const CategoryObservation& Observations::at(Side side, Category category) const {
    const auto& map = side == Side::kPrompt ? prompt : completion;
    return map[static_cast<std::size_t>(category)];
}

bool Observations::any_upstream_filtering() const {
    const auto filtered = [](const CategoryObservation& c) { return c.filtered; };
    return finish_reason_content_filter || content_filter_error ||
           std::any_of(prompt.begin(), prompt.end(), filtered) ||
           std::any_of(completion.begin(), completion.end(), filtered);
}

Observations observe_annotations(const boost::json::value& body) {
    Observations out;
    read_prompt_results(body, "prompt_filter_results", out);
    read_prompt_results(body, "prompt_annotations", out);
    read_choices(body, out);
    read_error(body, out);
    return out;
}

void merge_observations(Observations& into, const Observations& from) {
    for (std::size_t i = 0; i < kCategoryCount; ++i) {
        merge_category(into.prompt[i], from.prompt[i]);
        merge_category(into.completion[i], from.completion[i]);
    }
    into.prompt_annotations_present =
        into.prompt_annotations_present || from.prompt_annotations_present;
    into.prompt_shields_present = into.prompt_shields_present || from.prompt_shields_present;
    into.finish_reason_content_filter =
        into.finish_reason_content_filter || from.finish_reason_content_filter;
    into.content_filter_error = into.content_filter_error || from.content_filter_error;
}

}  // namespace kars::router::safety
