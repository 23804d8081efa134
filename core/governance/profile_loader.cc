// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/governance/profile_loader.h"
#include "core/yaml/parser_traps.h"

#include <algorithm>
#include <exception>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/manifest/yaml_reader.h"

namespace kars::governance {
namespace {

using manifest::Field;
using manifest::FieldReader;
using manifest::ValueType;

constexpr std::string_view kProfileKeys[] = {"version", "agent", "policies", "description", "name"};
constexpr std::string_view kRuleKeys[] = {
    "name",      "type",   "allowed_actions", "denied_actions", "actions", "min_approvals",
    "max_calls", "window", "conditions",      "priority",       "scope",   "description"};

Error profile_error(std::string message) {
    return make_error("invalid_profile", std::move(message));
}

template <std::size_t N>
void reject_unknown_keys(FieldReader& reader, const Field& f, const std::string_view (&known)[N]) {
    if (!reader.ok() || !f.node.IsMap()) return;
    for (const auto& entry : f.node) {
        std::string key = entry.first.Scalar();
        if (std::find(std::begin(known), std::end(known), key) == std::end(known)) {
            reader.fail(f.path.empty() ? key : f.path + "." + key, "unknown field");
            return;
        }
    }
}

std::vector<ActionPattern> read_patterns(FieldReader& reader, const Field& f) {
    std::vector<ActionPattern> out;
    std::vector<std::string> texts = reader.string_list(f);
    for (std::size_t i = 0; i < texts.size() && reader.ok(); ++i) {
        auto pattern = ActionPattern::compile(texts[i]);
        if (!pattern) {
            reader.fail(f.path + "[" + std::to_string(i) + "]", pattern.error().message);
            break;
        }
        out.push_back(std::move(*pattern));
    }
    return out;
}

std::vector<Condition> read_conditions(FieldReader& reader, const Field& f) {
    std::vector<Condition> out;
    if (!reader.mapping(f)) return out;
    for (const auto& entry : f.node) {
        Condition c;
        c.key = entry.first.Scalar();
        Field value{entry.second, f.path + "." + c.key};
        if (value.node.IsSequence()) {
            c.values = reader.string_list(value);
        } else if (value.node.IsScalar() && manifest::value_type(value.node) != ValueType::kNull) {
            c.values.push_back(value.node.Scalar());
        } else {
            reader.fail(value.path, "expected a scalar or a list of scalars");
        }
        if (reader.ok() && c.values.empty()) reader.fail(value.path, "list is empty");
        out.push_back(std::move(c));
    }
    return out;
}

void read_capability(FieldReader& reader, const Field& f, Rule& rule) {
    rule.allowed = read_patterns(reader, f.at("allowed_actions"));
    rule.denied = read_patterns(reader, f.at("denied_actions"));
    if (!reader.ok()) return;
    if (f.at("actions").present()) {
        reader.fail(f.path + ".actions", "capability rules use allowed_actions/denied_actions");
    } else if (rule.allowed.empty() && rule.denied.empty()) {
        reader.fail(f.path, "capability rule has neither allowed_actions nor denied_actions");
    }
}

void read_approval_or_limit(FieldReader& reader, const Field& f, Rule& rule) {
    for (std::string_view key : {"allowed_actions", "denied_actions"}) {
        if (reader.ok() && f.at(key).present()) {
            reader.fail(f.path + "." + std::string(key), "only capability rules take this field");
        }
    }
    reader.require(f.at("actions"));
    rule.actions = read_patterns(reader, f.at("actions"));
    if (reader.ok() && rule.actions.empty()) reader.fail(f.path + ".actions", "list is empty");
    if (rule.type == RuleType::kApproval) {
        rule.min_approvals =
            static_cast<std::uint32_t>(reader.uint(f.at("min_approvals"), 100).value_or(1));
        if (reader.ok() && rule.min_approvals == 0) {
            reader.fail(f.path + ".min_approvals", "must be at least 1");
        }
        return;
    }
    reader.require(f.at("max_calls"));
    rule.max_calls =
        static_cast<std::uint32_t>(reader.uint(f.at("max_calls"), 1'000'000'000).value_or(0));
    if (reader.ok() && rule.max_calls == 0) {
        reader.fail(f.path + ".max_calls",
                    "must be at least 1 (a rule that never limits is "
                    "almost certainly a mistake)");
    }
    reader.require(f.at("window"));
    if (!reader.ok()) return;
    Field window = f.at("window");
    if (!window.node.IsScalar()) {
        reader.fail(window.path, "expected \"<digits>[s|m|h]\"");
        return;
    }
    auto parsed = parse_window(window.node.Scalar());
    if (!parsed) {
        reader.fail(window.path, parsed.error().message);
        return;
    }
    rule.window = *parsed;
}

Rule read_rule(FieldReader& reader, const Field& f, std::size_t index, std::string_view source,
               PolicyKind kind) {
    Rule rule;
    rule.kind = kind;
    rule.source = std::string(source);
    rule.index = index;
    if (!reader.mapping(f)) {
        if (reader.ok()) reader.fail(f.path, "expected mapping");
        return rule;
    }
    reject_unknown_keys(reader, f, kRuleKeys);
    rule.name = reader.required_string(f.at("name"));
    if (reader.ok() && rule.name.empty()) reader.fail(f.path + ".name", "is empty");
    auto type = reader.enumerated(f.at("type"), {"capability", "approval", "rate_limit"});
    if (reader.ok() && !type) reader.fail(f.path + ".type", "required field is missing");
    if (!reader.ok()) return rule;
    rule.type = *type == "capability" ? RuleType::kCapability
                : *type == "approval" ? RuleType::kApproval
                                      : RuleType::kRateLimit;
    rule.priority =
        static_cast<std::uint32_t>(reader.uint(f.at("priority"), kMaxPriority).value_or(0));
    (void)reader.string(f.at("scope"));
    (void)reader.string(f.at("description"));
    if (f.at("conditions").present()) rule.conditions = read_conditions(reader, f.at("conditions"));
    if (!reader.ok()) return rule;
    if (rule.type == RuleType::kCapability) {
        read_capability(reader, f, rule);
    } else {
        read_approval_or_limit(reader, f, rule);
    }
    return rule;
}

Result<Profile> load_checked(std::string_view source, const YAML::Node& doc, PolicyKind kind) {
    FieldReader reader{std::string(source)};
    Field root{doc, ""};
    if (!reader.mapping(root)) {
        return profile_error(std::string(source) + ": expected a mapping at the top level");
    }
    reject_unknown_keys(reader, root, kProfileKeys);
    Field version = root.at("version");
    if (reader.ok() && version.present() &&
        (!version.node.IsScalar() || version.node.Scalar() != "1.0")) {
        reader.fail("version", "only \"1.0\" is understood");
    }
    Profile profile;
    profile.source = std::string(source);
    profile.agent = reader.string(root.at("agent")).value_or("");
    (void)reader.string(root.at("description"));
    (void)reader.string(root.at("name"));
    Field policies = root.at("policies");
    reader.require(policies);
    if (reader.sequence(policies) && policies.node.size() > kMaxRulesPerProfile) {
        reader.fail("policies", "more than " + std::to_string(kMaxRulesPerProfile) + " rules");
    }
    std::set<std::string, std::less<>> names;
    for (std::size_t i = 0; reader.ok() && i < policies.node.size(); ++i) {
        Field item = policies.at(i);
        Rule rule = read_rule(reader, item, i, source, kind);
        if (reader.ok() && !names.insert(rule.name).second) {
            reader.fail(item.path + ".name", "duplicate rule name '" + rule.name + "'");
        }
        profile.rules.push_back(std::move(rule));
    }
    if (!reader.ok()) return profile_error(reader.error().message);
    return profile;
}

}  // namespace

Result<std::chrono::nanoseconds> parse_window(std::string_view text) {
    constexpr std::uint64_t kMaxSeconds = 31ULL * 24 * 3600;
    if (text.empty()) return profile_error("window is empty");
    std::uint64_t unit = 1;
    std::string_view digits = text;
    switch (text.back()) {
        case 's':
            unit = 1;
            digits.remove_suffix(1);
            break;
        case 'm':
            unit = 60;
            digits.remove_suffix(1);
            break;
        case 'h':
            unit = 3600;
            digits.remove_suffix(1);
            break;
        default:
            break;
    }
    if (digits.empty() || digits.size() > 9) {
        return profile_error("window '" + std::string(text) + "' is not <digits>[s|m|h]");
    }
    std::uint64_t value = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') {
            return profile_error("window '" + std::string(text) + "' is not <digits>[s|m|h]");
        }
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (value == 0 || value * unit > kMaxSeconds) {
        return profile_error("window '" + std::string(text) + "' must be between 1s and 31 days");
    }
    return std::chrono::nanoseconds(std::chrono::seconds(value * unit));
}

Result<Profile> load_profile(std::string_view source, std::string_view yaml_text, PolicyKind kind) {
    if (yaml_text.size() > kMaxProfileBytes) {
        return profile_error(std::string(source) + ": profile is larger than " +
                             std::to_string(kMaxProfileBytes) + " bytes");
    }
    if (auto trap = yaml::reject_parser_traps(yaml_text); !trap.ok()) {
        return profile_error(std::string(source) + ": " + trap.error().message);
    }
    // yaml-cpp reports errors by throwing; this is the boundary where they become Results.
    try {
        std::vector<YAML::Node> docs = YAML::LoadAll(std::string(yaml_text));
        docs.erase(std::remove_if(docs.begin(), docs.end(),
                                  [](const YAML::Node& d) { return d.IsNull(); }),
                   docs.end());
        if (docs.empty()) return profile_error(std::string(source) + ": profile is empty");
        if (docs.size() > 1) {
            return profile_error(std::string(source) + ": holds " + std::to_string(docs.size()) +
                                 " YAML documents; a profile is exactly one");
        }
        if (Status checked = manifest::check_document(docs[0]); !checked) {
            return profile_error(std::string(source) + ": " + checked.error().message);
        }
        return load_checked(source, docs[0], kind);
    } catch (const YAML::Exception& e) {
        return profile_error(std::string(source) + ": line " + std::to_string(e.mark.line + 1) +
                             ", column " + std::to_string(e.mark.column + 1) + ": " + e.msg);
    } catch (const std::exception& e) {
        return profile_error(std::string(source) + ": " + e.what());
    }
}

}  // namespace kars::governance
