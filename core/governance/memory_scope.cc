// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/governance/memory_scope.h"

#include <string>

namespace kars::governance {
namespace {

constexpr std::string_view kReserved[] = {"system", "global", "shared",     "kars",
                                          "admin",  "tenant", "controller", "root"};

Error denied(std::string_view scope, const std::string& why) {
    return make_error("memory_scope_denied",
                      "memory scope '" + std::string(scope) + "' refused: " + why);
}

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

// The CRD charset without '%' and '/', which get their own, clearer refusals.
bool is_scope_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == '+' || c == '@';
}

Status check_characters(std::string_view scope) {
    for (char c : scope) {
        auto u = static_cast<unsigned char>(c);
        if (u >= 0x80) return denied(scope, "non-ASCII characters are not allowed in a scope");
        if (c == '*' || c == '?') return denied(scope, "wildcard scopes are not addressable");
        if (c == ':') {
            return denied(scope,
                          "qualified scopes (tenant:..., ':') belong to another tenant "
                          "or store");
        }
        if (c == '%') return denied(scope, "percent-encoded scope is not canonical");
        if (c == '\\') return denied(scope, "backslash is a path trick, not a scope character");
        if (c != '/' && !is_scope_char(c)) {
            return denied(scope, "character outside the scope charset [A-Za-z0-9_./+@-]");
        }
    }
    return ok_status();
}

Status check_segments(std::string_view scope) {
    if (scope.front() == '/') return denied(scope, "absolute scope paths are not allowed");
    std::size_t start = 0;
    while (start <= scope.size()) {
        std::size_t end = scope.find('/', start);
        std::string_view seg = scope.substr(start, end - start);
        if (seg.empty()) return denied(scope, "empty scope path segment");
        if (seg == "." || seg == "..") return denied(scope, "path traversal in scope");
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return ok_status();
}

}  // namespace

std::string own_memory_scope(std::string_view sandbox, std::string_view bound_scope) {
    if (!bound_scope.empty()) return std::string(bound_scope);
    if (sandbox.empty()) return {};
    return "agent_" + std::string(sandbox);
}

Status check_memory_scope(std::string_view requested, std::string_view own_scope) {
    if (own_scope.empty()) {
        return denied(requested, "the caller has no sandbox identity, so it owns no scope");
    }
    if (requested.empty()) return denied(requested, "empty scope");
    if (requested.size() > 256) return denied(requested.substr(0, 32), "scope longer than 256");
    if (Status s = check_characters(requested); !s) return s;
    if (Status s = check_segments(requested); !s) return s;

    // The own scope may itself contain '/' (a KarsMemory spec.scope such as "team/a1").
    bool below = requested.size() > own_scope.size() && requested[own_scope.size()] == '/';
    std::string_view head = below ? requested.substr(0, own_scope.size()) : requested;
    if (head == own_scope && (below || requested.size() == own_scope.size())) {
        return ok_status();
    }
    if (iequals(head, own_scope)) {
        return denied(requested, "case variant of the own scope '" + std::string(own_scope) +
                                     "' is not canonical");
    }
    std::string_view first = requested.substr(0, requested.find('/'));
    for (std::string_view reserved : kReserved) {
        if (iequals(first, reserved)) return denied(requested, "reserved scope");
    }
    return denied(requested, "scope belongs to another sandbox (own scope is '" +
                                 std::string(own_scope) + "')");
}

}  // namespace kars::governance
