// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/governance/action.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace kars::governance {
namespace {

Error invalid(std::string message) {
    return make_error("invalid_action", std::move(message));
}

bool is_kind_char(char c, bool first) {
    if (c >= 'a' && c <= 'z') return true;
    if (first) return false;
    return (c >= '0' && c <= '9') || c == '_' || c == '.';
}

bool is_control(unsigned char c) {
    return c < 0x20 || c == 0x7f;
}

// Segments after the kind that a known kind allows; kOther allows 1..kMaxSegments-1.
struct Arity {
    std::size_t min;
    std::size_t max;
};

Arity arity_of(ActionKind kind) {
    switch (kind) {
        case ActionKind::kInference:
            return {2, 2};
        case ActionKind::kImageGeneration:
            return {1, 1};
        case ActionKind::kTool:
            return {1, 2};
        case ActionKind::kMcp:
            return {2, 2};
        default:
            return {1, kMaxSegments - 1};
    }
}

ActionKind kind_of(std::string_view kind) {
    if (kind == "inference") return ActionKind::kInference;
    if (kind == "image_generation") return ActionKind::kImageGeneration;
    if (kind == "tool") return ActionKind::kTool;
    if (kind == "mcp") return ActionKind::kMcp;
    if (kind == "shell") return ActionKind::kShell;
    if (kind == "egress") return ActionKind::kEgress;
    if (kind == "memory") return ActionKind::kMemory;
    if (kind == "output") return ActionKind::kOutput;
    return ActionKind::kOther;
}

Status check_name(std::string_view name, std::string_view what) {
    if (name.empty()) return invalid(std::string(what) + " is empty");
    for (char c : name) {
        if (!is_name_char(c)) {
            return invalid(std::string(what) + " '" + std::string(name) +
                           "' contains a character outside [A-Za-z0-9_-./@+=~,]");
        }
    }
    return ok_status();
}

// A shell action is one simple command. Control operators, redirections and command
// substitution would let "ls; rm -rf /" pass as an allowed "ls", so they are refused
// unless single-quoted (where the shell gives them no meaning).
Status check_simple_command(std::string_view args) {
    enum class Quote { kNone, kSingle, kDouble } quote = Quote::kNone;
    for (std::size_t i = 0; i < args.size(); ++i) {
        char c = args[i];
        if (quote == Quote::kSingle) {
            if (c == '\'') quote = Quote::kNone;
            continue;
        }
        if (c == '\\') {
            ++i;  // the escaped character has no special meaning
            continue;
        }
        bool substitution = c == '`' || (c == '$' && i + 1 < args.size() && args[i + 1] == '(');
        if (substitution) {
            return invalid(
                "shell arguments contain command substitution; evaluate each "
                "command separately");
        }
        if (quote == Quote::kDouble) {
            if (c == '"') quote = Quote::kNone;
            continue;
        }
        if (c == '\'') quote = Quote::kSingle;
        if (c == '"') quote = Quote::kDouble;
        if (c == ';' || c == '&' || c == '|' || c == '<' || c == '>') {
            return invalid(std::string("shell arguments contain the operator '") + c +
                           "'; evaluate each command separately");
        }
    }
    if (quote != Quote::kNone) return invalid("shell arguments have an unterminated quote");
    return ok_status();
}

Status check_host(std::string& host) {
    if (host.empty()) return invalid("egress host is empty");
    if (host.front() == '[') return invalid("egress IPv6 literal hosts are not supported");
    for (char& c : host) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        bool ok =
            (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
        if (!ok)
            return invalid("egress host '" + host +
                           "' contains a character outside "
                           "[a-z0-9._-]");
    }
    if (host.front() == '.' || host.back() == '.' || host.find("..") != std::string::npos) {
        return invalid("egress host '" + host + "' has an empty label");
    }
    return ok_status();
}

Status check_port(std::string_view port) {
    if (port.empty() || port.size() > 5 || port.front() == '0') {
        return invalid("egress port '" + std::string(port) + "' is not 1-65535");
    }
    unsigned value = 0;
    for (char c : port) {
        if (c < '0' || c > '9')
            return invalid("egress port '" + std::string(port) + "' is not a number");
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 65535) return invalid("egress port '" + std::string(port) + "' is not 1-65535");
    return ok_status();
}

}  // namespace

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == '/' || c == '@' || c == '+' || c == '=' || c == '~' ||
           c == ',';
}

std::string_view canonical_kind(std::string_view kind) {
    return kind == "tool.invoke" ? std::string_view("tool") : kind;
}

std::string_view Action::segment(std::size_t i) const {
    if (i >= count_) return {};
    return std::string_view(text_).substr(spans_[i].offset, spans_[i].length);
}

std::string_view Action::shell_arguments() const {
    if (kind_ != ActionKind::kShell || match_len_ >= text_.size()) return {};
    return std::string_view(text_).substr(match_len_ + 1);
}

Result<Action> parse_action(std::string_view input) {
    if (input.empty()) return invalid("action is empty");
    if (input.size() > kMaxActionBytes) {
        return invalid("action is " + std::to_string(input.size()) + " bytes, more than " +
                       std::to_string(kMaxActionBytes));
    }
    for (std::size_t i = 0; i < input.size(); ++i) {
        if (is_control(static_cast<unsigned char>(input[i]))) {
            return invalid("action has a control character at byte " + std::to_string(i));
        }
    }

    std::size_t colon = input.find(':');
    if (colon == std::string_view::npos) return invalid("action has no ':' after its kind");
    std::string_view raw_kind = input.substr(0, colon);
    if (raw_kind.empty()) return invalid("action kind is empty");
    for (std::size_t i = 0; i < raw_kind.size(); ++i) {
        if (!is_kind_char(raw_kind[i], i == 0)) {
            return invalid("action kind '" + std::string(raw_kind) + "' is not [a-z][a-z0-9_.]*");
        }
    }
    std::string_view detail = input.substr(colon + 1);
    if (detail.empty()) return invalid("action '" + std::string(raw_kind) + ":' has no detail");

    Action action;
    std::string_view kind = canonical_kind(raw_kind);
    action.kind_ = kind_of(kind);
    action.text_.reserve(kind.size() + 1 + detail.size());
    action.text_.append(kind).push_back(':');
    auto add_span = [&action](std::size_t offset, std::size_t length) {
        action.spans_[action.count_++] = {static_cast<std::uint16_t>(offset),
                                          static_cast<std::uint16_t>(length)};
    };
    add_span(0, kind.size());
    const std::size_t base = action.text_.size();

    switch (action.kind_) {
        case ActionKind::kOutput:
            // Free text: one segment that patterns match as a whole.
            action.text_.append(detail);
            add_span(base, detail.size());
            break;
        case ActionKind::kShell: {
            std::size_t space = detail.find(' ');
            std::string_view command = detail.substr(0, space);
            if (Status s = check_name(command, "shell command"); !s) return s.error();
            if (space != std::string_view::npos) {
                if (Status s = check_simple_command(detail.substr(space + 1)); !s) {
                    return s.error();
                }
            }
            action.text_.append(detail);
            add_span(base, command.size());
            break;
        }
        case ActionKind::kMemory: {
            std::size_t sep = detail.find(':');
            if (sep == std::string_view::npos) return invalid("memory action needs op:scope");
            std::string_view op = detail.substr(0, sep);
            std::string_view scope = detail.substr(sep + 1);
            if (op != "read" && op != "write" && op != "search" && op != "delete") {
                return invalid("memory operation '" + std::string(op) +
                               "' is not read, write, search or delete");
            }
            if (scope.empty()) return invalid("memory scope is empty");
            action.text_.append(detail);
            add_span(base, op.size());
            add_span(base + sep + 1, scope.size());
            break;
        }
        case ActionKind::kEgress: {
            std::size_t sep = detail.rfind(':');
            if (sep == std::string_view::npos) return invalid("egress action needs host:port");
            std::string host(detail.substr(0, sep));
            std::string_view port = detail.substr(sep + 1);
            if (Status s = check_host(host); !s) return s.error();
            if (Status s = check_port(port); !s) return s.error();
            action.text_.append(host).push_back(':');
            action.text_.append(port);
            add_span(base, host.size());
            add_span(base + host.size() + 1, port.size());
            break;
        }
        default: {
            Arity arity = arity_of(action.kind_);
            std::size_t start = 0;
            std::size_t found = 0;
            while (true) {
                std::size_t end = detail.find(':', start);
                std::string_view part = detail.substr(start, end - start);
                if (++found > arity.max) {
                    return invalid("action '" + std::string(kind) + "' takes at most " +
                                   std::to_string(arity.max) + " segment(s) after the kind");
                }
                if (Status s = check_name(part, "action segment " + std::to_string(found)); !s) {
                    return s.error();
                }
                add_span(base + start, part.size());
                if (end == std::string_view::npos) break;
                start = end + 1;
            }
            if (found < arity.min) {
                return invalid("action '" + std::string(kind) + "' needs " +
                               std::to_string(arity.min) + " segment(s) after the kind");
            }
            action.text_.append(detail);
            break;
        }
    }
    action.match_len_ = action.kind_ == ActionKind::kShell
                            ? action.spans_[1].offset + action.spans_[1].length
                            : action.text_.size();
    return action;
}

}  // namespace kars::governance
