// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "sandbox/seccomp_profile.h"

#include <sys/utsname.h>

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <sstream>

namespace kars::sandbox {
namespace {

namespace json = boost::json;

Error profile_error(const std::string& message) {
    return make_error("seccomp_profile_invalid", message);
}

std::optional<SeccompAction> action_from_name(std::string_view name) {
    static const std::map<std::string_view, SeccompAction> kActions = {
        {"SCMP_ACT_ALLOW", SeccompAction::kAllow},
        {"SCMP_ACT_ERRNO", SeccompAction::kErrno},
        {"SCMP_ACT_KILL", SeccompAction::kKillThread},
        {"SCMP_ACT_KILL_THREAD", SeccompAction::kKillThread},
        {"SCMP_ACT_KILL_PROCESS", SeccompAction::kKillProcess},
        {"SCMP_ACT_TRAP", SeccompAction::kTrap},
        {"SCMP_ACT_TRACE", SeccompAction::kTrace},
        {"SCMP_ACT_LOG", SeccompAction::kLog},
    };
    auto it = kActions.find(name);
    if (it == kActions.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::optional<SeccompOp> op_from_name(std::string_view name) {
    static const std::map<std::string_view, SeccompOp> kOps = {
        {"SCMP_CMP_NE", SeccompOp::kNotEqual},           {"SCMP_CMP_LT", SeccompOp::kLessThan},
        {"SCMP_CMP_LE", SeccompOp::kLessEqual},          {"SCMP_CMP_EQ", SeccompOp::kEqual},
        {"SCMP_CMP_GE", SeccompOp::kGreaterEqual},       {"SCMP_CMP_GT", SeccompOp::kGreaterThan},
        {"SCMP_CMP_MASKED_EQ", SeccompOp::kMaskedEqual},
    };
    auto it = kOps.find(name);
    if (it == kOps.end()) {
        return std::nullopt;
    }
    return it->second;
}

Result<std::string> get_string(const json::value& v, const std::string& where) {
    if (!v.is_string()) {
        return profile_error(where + " must be a string");
    }
    return std::string(v.as_string());
}

Result<std::vector<std::string>> get_strings(const json::value& v, const std::string& where) {
    std::vector<std::string> out;
    if (v.is_null()) {
        return out;
    }
    if (!v.is_array()) {
        return profile_error(where + " must be an array of strings");
    }
    for (const auto& item : v.as_array()) {
        auto s = get_string(item, where + "[]");
        if (!s) {
            return s.error();
        }
        out.push_back(*s);
    }
    return out;
}

// Numbers in profiles are unsigned 64-bit (masks like 0xffffffff00000000 appear as
// 18446744069414584320); Boost.JSON stores those as uint64, small ones as int64.
Result<std::uint64_t> get_u64(const json::value& v, const std::string& where) {
    if (v.is_uint64()) {
        return v.as_uint64();
    }
    if (v.is_int64() && v.as_int64() >= 0) {
        return static_cast<std::uint64_t>(v.as_int64());
    }
    return profile_error(where + " must be a non-negative integer");
}

Result<int> get_errno(const json::value& v, const std::string& where) {
    auto n = get_u64(v, where);
    if (!n) {
        return n.error();
    }
    if (*n > 4095) {
        return profile_error(where + " must be an errno value (0..4095)");
    }
    return static_cast<int>(*n);
}

Result<std::pair<int, int>> parse_kernel_version(const std::string& text,
                                                 const std::string& where) {
    int major = 0;
    int minor = 0;
    char dot = 0;
    std::istringstream in(text);
    if (!(in >> major >> dot >> minor) || dot != '.' || major < 0 || minor < 0) {
        return profile_error(where + " must look like \"5.8\", got \"" + text + "\"");
    }
    return std::make_pair(major, minor);
}

Result<SeccompConditions> parse_conditions(const json::value& v, const std::string& where) {
    SeccompConditions c;
    if (v.is_null()) {
        return c;
    }
    if (!v.is_object()) {
        return profile_error(where + " must be an object");
    }
    for (const auto& [key, value] : v.as_object()) {
        std::string field = where + "." + std::string(key);
        if (key == "caps") {
            auto caps = get_strings(value, field);
            if (!caps) {
                return caps.error();
            }
            c.caps = *caps;
        } else if (key == "arches") {
            auto arches = get_strings(value, field);
            if (!arches) {
                return arches.error();
            }
            c.arches = *arches;
        } else if (key == "minKernel") {
            auto text = get_string(value, field);
            if (!text) {
                return text.error();
            }
            auto version = parse_kernel_version(*text, field);
            if (!version) {
                return version.error();
            }
            c.min_kernel = *version;
        } else {
            return profile_error("unknown field " + field);
        }
    }
    return c;
}

Result<SeccompArg> parse_arg(const json::value& v, const std::string& where) {
    if (!v.is_object()) {
        return profile_error(where + " must be an object");
    }
    const auto& obj = v.as_object();
    SeccompArg arg;
    bool has_op = false;
    for (const auto& [key, value] : obj) {
        std::string field = where + "." + std::string(key);
        if (key == "index") {
            auto n = get_u64(value, field);
            if (!n) {
                return n.error();
            }
            if (*n > 5) {
                return profile_error(field + " must be 0..5 (syscalls take six arguments)");
            }
            arg.index = static_cast<unsigned>(*n);
        } else if (key == "value" || key == "valueTwo") {
            auto n = get_u64(value, field);
            if (!n) {
                return n.error();
            }
            (key == "value" ? arg.value : arg.value_two) = *n;
        } else if (key == "op") {
            auto name = get_string(value, field);
            if (!name) {
                return name.error();
            }
            auto op = op_from_name(*name);
            if (!op) {
                return profile_error(field + ": unknown comparison " + *name);
            }
            arg.op = *op;
            has_op = true;
        } else {
            return profile_error("unknown field " + field);
        }
    }
    if (!has_op || !obj.contains("index")) {
        return profile_error(where + " needs index and op");
    }
    return arg;
}

Result<SeccompRule> parse_rule(const json::value& v, const std::string& where) {
    if (!v.is_object()) {
        return profile_error(where + " must be an object");
    }
    SeccompRule rule;
    bool has_action = false;
    for (const auto& [key, value] : v.as_object()) {
        std::string field = where + "." + std::string(key);
        if (key == "names") {
            auto names = get_strings(value, field);
            if (!names) {
                return names.error();
            }
            rule.names.insert(rule.names.end(), names->begin(), names->end());
        } else if (key == "name") {  // pre-1.0 Docker profiles: one name per rule
            auto name = get_string(value, field);
            if (!name) {
                return name.error();
            }
            rule.names.push_back(*name);
        } else if (key == "action") {
            auto name = get_string(value, field);
            if (!name) {
                return name.error();
            }
            auto action = action_from_name(*name);
            if (!action) {
                return profile_error(field + ": unsupported action " + *name);
            }
            rule.action = *action;
            has_action = true;
        } else if (key == "errnoRet") {
            auto e = get_errno(value, field);
            if (!e) {
                return e.error();
            }
            rule.errno_ret = *e;
        } else if (key == "args") {
            if (value.is_null()) {
                continue;
            }
            if (!value.is_array()) {
                return profile_error(field + " must be an array");
            }
            size_t i = 0;
            for (const auto& a : value.as_array()) {
                auto arg = parse_arg(a, field + "[" + std::to_string(i++) + "]");
                if (!arg) {
                    return arg.error();
                }
                rule.args.push_back(*arg);
            }
        } else if (key == "includes" || key == "excludes") {
            auto c = parse_conditions(value, field);
            if (!c) {
                return c.error();
            }
            (key == "includes" ? rule.includes : rule.excludes) = *c;
        } else if (key == "comment") {
            auto text = get_string(value, field);
            if (!text) {
                return text.error();
            }
            rule.comment = *text;
        } else {
            return profile_error("unknown field " + field);
        }
    }
    if (!has_action || rule.names.empty()) {
        return profile_error(where + " needs names and action");
    }
    return rule;
}

// archMap (Docker's format before "architectures"): each entry names an architecture and
// its sub-architectures; all of them become filter architectures.
Status parse_arch_map(const json::value& v, SeccompProfile* profile) {
    if (!v.is_array()) {
        return profile_error("archMap must be an array");
    }
    for (const auto& entry : v.as_array()) {
        if (!entry.is_object()) {
            return profile_error("archMap[] must be objects");
        }
        for (const auto& [key, value] : entry.as_object()) {
            if (key == "architecture") {
                auto arch = get_string(value, "archMap[].architecture");
                if (!arch) {
                    return arch.error();
                }
                profile->architectures.push_back(*arch);
            } else if (key == "subArchitectures") {
                auto subs = get_strings(value, "archMap[].subArchitectures");
                if (!subs) {
                    return subs.error();
                }
                profile->architectures.insert(profile->architectures.end(), subs->begin(),
                                              subs->end());
            } else {
                return profile_error("unknown field archMap[]." + std::string(key));
            }
        }
    }
    return ok_status();
}

Status parse_top_level(const json::object& obj, SeccompProfile* profile) {
    bool has_default = false;
    for (const auto& [key, value] : obj) {
        std::string field(key);
        if (key == "defaultAction") {
            auto name = get_string(value, field);
            if (!name) {
                return name.error();
            }
            auto action = action_from_name(*name);
            if (!action) {
                return profile_error("defaultAction: unsupported action " + *name);
            }
            profile->default_action = *action;
            has_default = true;
        } else if (key == "defaultErrnoRet") {
            auto e = get_errno(value, field);
            if (!e) {
                return e.error();
            }
            profile->default_errno_ret = *e;
        } else if (key == "architectures") {
            auto arches = get_strings(value, field);
            if (!arches) {
                return arches.error();
            }
            profile->architectures.insert(profile->architectures.end(), arches->begin(),
                                          arches->end());
        } else if (key == "archMap") {
            if (auto s = parse_arch_map(value, profile); !s) {
                return s;
            }
        } else if (key == "flags") {
            auto flags = get_strings(value, field);
            if (!flags) {
                return flags.error();
            }
            profile->flags = *flags;
        } else if (key == "syscalls") {
            if (value.is_null()) {
                continue;
            }
            if (!value.is_array()) {
                return profile_error("syscalls must be an array");
            }
            size_t i = 0;
            for (const auto& r : value.as_array()) {
                auto rule = parse_rule(r, "syscalls[" + std::to_string(i++) + "]");
                if (!rule) {
                    return rule.error();
                }
                profile->syscalls.push_back(std::move(*rule));
            }
        } else if (key == "listenerPath" || key == "listenerMetadata") {
            // SCMP_ACT_NOTIFY needs an agent on the other end; kars has none, so a profile
            // that asks for one would silently lose its notifications.
            return profile_error(field + " (seccomp user notification) is not supported");
        } else if (key == "comment") {
            continue;
        } else {
            return profile_error("unknown field " + field);
        }
    }
    if (!has_default) {
        return profile_error("defaultAction is required");
    }
    return ok_status();
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

// Docker profiles name arches the Go way (amd64, arm64); people also write the kernel names.
bool arch_listed(const std::vector<std::string>& list, const std::string& arch) {
    auto alias = [](const std::string& a) -> std::string {
        if (a == "x86_64") return "amd64";
        if (a == "aarch64") return "arm64";
        return a;
    };
    return std::any_of(list.begin(), list.end(),
                       [&](const std::string& a) { return alias(a) == alias(arch); });
}

bool kernel_at_least(std::pair<int, int> have, std::pair<int, int> want) {
    return have.first > want.first || (have.first == want.first && have.second >= want.second);
}

}  // namespace

Result<SeccompProfile> parse_seccomp_profile(std::string_view text) {
    boost::system::error_code ec;
    json::value root = json::parse(text, ec);
    if (ec) {
        return profile_error("not JSON: " + ec.message());
    }
    if (!root.is_object()) {
        return profile_error("the profile must be a JSON object");
    }
    SeccompProfile profile;
    if (auto s = parse_top_level(root.as_object(), &profile); !s) {
        return s.error();
    }
    return profile;
}

Result<SeccompProfile> load_seccomp_profile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return make_error("seccomp_profile_unreadable", "cannot open seccomp profile " + path);
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    auto profile = parse_seccomp_profile(buffer.str());
    if (!profile) {
        return make_error(profile.error().code, path + ": " + profile.error().message);
    }
    return profile;
}

bool seccomp_rule_applies(const SeccompRule& rule, const SeccompContext& context) {
    const auto& in = rule.includes;
    if (!in.arches.empty() && !arch_listed(in.arches, context.arch)) {
        return false;
    }
    if (!in.caps.empty()) {
        // Docker: the rule is for containers holding any of these capabilities.
        bool any = std::any_of(in.caps.begin(), in.caps.end(),
                               [&](const std::string& c) { return contains(context.caps, c); });
        if (!any) {
            return false;
        }
    }
    if (in.min_kernel && !kernel_at_least(context.kernel, *in.min_kernel)) {
        return false;
    }
    const auto& ex = rule.excludes;
    if (arch_listed(ex.arches, context.arch)) {
        return false;
    }
    if (std::any_of(ex.caps.begin(), ex.caps.end(),
                    [&](const std::string& c) { return contains(context.caps, c); })) {
        return false;
    }
    if (ex.min_kernel && kernel_at_least(context.kernel, *ex.min_kernel)) {
        return false;
    }
    return true;
}

SeccompContext native_seccomp_context() {
    SeccompContext context;
#if defined(__x86_64__)
    context.arch = "amd64";
#elif defined(__aarch64__)
    context.arch = "arm64";
#else
#error "kars sandbox: add the OCI architecture name for this target"
#endif
    utsname u{};
    if (uname(&u) == 0) {
        auto version = parse_kernel_version(u.release, "uname");
        if (version) {
            context.kernel = *version;
        }
    }
    return context;
}

const char* seccomp_action_name(SeccompAction action) {
    switch (action) {
        case SeccompAction::kAllow:
            return "SCMP_ACT_ALLOW";
        case SeccompAction::kErrno:
            return "SCMP_ACT_ERRNO";
        case SeccompAction::kKillThread:
            return "SCMP_ACT_KILL_THREAD";
        case SeccompAction::kKillProcess:
            return "SCMP_ACT_KILL_PROCESS";
        case SeccompAction::kTrap:
            return "SCMP_ACT_TRAP";
        case SeccompAction::kTrace:
            return "SCMP_ACT_TRACE";
        case SeccompAction::kLog:
            return "SCMP_ACT_LOG";
    }
    return "?";
}

}  // namespace kars::sandbox
