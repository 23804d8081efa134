// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/tools/offered_tools.h"

#include <optional>

#include <boost/json/array.hpp>

#include "core/json/parse.h"

namespace kars::router::tools {

namespace {

struct Named {
    std::string action;
    std::string name;  // as the model would call it, for tool_choice matching
};

std::optional<std::string> nested_name(const boost::json::value& tool, std::string_view key) {
    const auto* inner = json::find_field(tool, key);
    if (!inner) return std::nullopt;
    auto name = json::string_field(*inner, "name");
    if (!name) return std::nullopt;
    return std::string(*name);
}

// What a tools[] entry is called. An entry we cannot name is refused rather than
// forwarded: an unnamed tool cannot be matched against policy.
Result<Named> name_of(const boost::json::value& tool, Dialect dialect) {
    if (!tool.is_object())
        return make_error("invalid_request_error", "each tool must be an object");
    auto type = json::string_field(tool, "type");
    switch (dialect) {
        case Dialect::kChat: {
            std::string t = type ? std::string(*type) : "function";
            if (t == "function" || t == "custom") {
                auto name = nested_name(tool, t);
                if (!name) {
                    return make_error("invalid_request_error",
                                      "a '" + t + "' tool needs '" + t + ".name'");
                }
                return Named{function_tool_action(*name), *name};
            }
            return Named{hosted_tool_action(t), t};
        }
        case Dialect::kResponses: {
            std::string t = type ? std::string(*type) : "function";
            if (t == "function" || t == "custom") {
                auto name = json::string_field(tool, "name");
                if (!name) {
                    return make_error("invalid_request_error", "a '" + t + "' tool needs 'name'");
                }
                return Named{function_tool_action(*name), std::string(*name)};
            }
            return Named{hosted_tool_action(t), t};
        }
        case Dialect::kMessages: {
            // Anthropic's own tool types (bash_..., web_search_...) also carry the name
            // the model will use in tool_use blocks, so the name is what policy sees.
            auto name = json::string_field(tool, "name");
            if (!name) return make_error("invalid_request_error", "each tool needs a 'name'");
            return Named{function_tool_action(*name), std::string(*name)};
        }
    }
    return make_error("invalid_request_error", "unknown tool dialect");
}

// The tool a tool_choice forces, if it names one.
std::optional<std::string> forced_tool(const boost::json::value& choice, Dialect dialect) {
    if (!choice.is_object()) return std::nullopt;
    auto type = json::string_field(choice, "type");
    if (!type) return std::nullopt;
    switch (dialect) {
        case Dialect::kChat:
            if (*type == "function" || *type == "custom") return nested_name(choice, *type);
            return std::nullopt;
        case Dialect::kResponses:
            if (*type == "function" || *type == "custom") {
                auto name = json::string_field(choice, "name");
                if (name) return std::string(*name);
                return std::nullopt;
            }
            return std::string(*type);  // a hosted tool type
        case Dialect::kMessages:
            if (*type == "tool") {
                auto name = json::string_field(choice, "name");
                if (name) return std::string(*name);
            }
            return std::nullopt;
    }
    return std::nullopt;
}

}  // namespace

Result<OfferedReport> filter_offered_tools(boost::json::object& body, Dialect dialect,
                                           const ToolCheck& check) {
    OfferedReport report;
    auto* tools_value = body.if_contains("tools");
    if (!tools_value || tools_value->is_null()) return report;
    if (!tools_value->is_array()) {
        return make_error("invalid_request_error", "'tools' must be an array");
    }
    auto& tools = tools_value->as_array();
    // Decide everything first and edit last, so a refused request leaves the body as it was.
    std::vector<bool> keep(tools.size(), true);
    std::vector<std::string> removed_names;
    for (std::size_t i = 0; i < tools.size(); ++i) {
        auto named = name_of(tools[i], dialect);
        if (!named.ok()) return named.error();
        if (check(named->action, ToolPhase::kOffered).allowed) continue;
        keep[i] = false;
        report.removed.push_back(named->action);
        removed_names.push_back(named->name);
    }
    if (report.removed.empty()) return report;

    if (const auto* choice = body.if_contains("tool_choice")) {
        if (auto forced = forced_tool(*choice, dialect)) {
            for (const auto& name : removed_names) {
                if (name == *forced) {
                    return make_error("policy_violation",
                                      "tool_choice forces the tool '" + name +
                                          "', which policy does not allow this sandbox to use");
                }
            }
        }
    }
    boost::json::array kept;
    for (std::size_t i = 0; i < tools.size(); ++i) {
        if (keep[i]) kept.push_back(std::move(tools[i]));
    }
    if (kept.empty()) {
        body.erase("tools");
        body.erase("tool_choice");
        body.erase("parallel_tool_calls");
    } else {
        *tools_value = std::move(kept);
    }
    return report;
}

}  // namespace kars::router::tools
