// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/egress/blocklist.h"

#include <algorithm>

namespace kars::egress {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_space(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

// Whitespace-separated tokens up to an inline '#' comment.
std::vector<std::string_view> tokens(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && is_space(line[i])) {
            ++i;
        }
        if (i >= line.size() || line[i] == '#') {
            break;
        }
        const std::size_t start = i;
        while (i < line.size() && !is_space(line[i])) {
            ++i;
        }
        out.push_back(line.substr(start, i - start));
    }
    return out;
}

// A line's outcome: the hosts it lists, or why it was skipped.
struct LineResult {
    std::vector<std::string_view> hosts;
    std::string skip_reason;  // empty with empty hosts: a comment or blank line
};

LineResult parse_hosts_line(std::string_view line) {
    const auto parts = tokens(line);
    if (parts.empty()) {
        return {};
    }
    auto address = canonicalize_host(parts[0]);
    if (parts.size() < 2 || !address || !address->is_ip()) {
        return {{}, "not '<address> <name>...' hosts-file syntax"};
    }
    return {{parts.begin() + 1, parts.end()}, {}};
}

LineResult parse_domain_line(std::string_view line) {
    const auto parts = tokens(line);
    if (parts.empty()) {
        return {};
    }
    if (parts.size() != 1) {
        return {{}, "more than one field on a domain-list line"};
    }
    std::string_view domain = parts[0];
    if (domain.starts_with("*.")) {
        domain.remove_prefix(2);
    } else if (domain.starts_with(".")) {
        domain.remove_prefix(1);
    }
    return {{domain}, {}};
}

// Adblock network rules: only whole-domain blocks ("||domain^", optionally "$options") are
// usable at the CONNECT level. Options are not evaluated, so a rule scoped by options blocks
// the whole domain: over-blocking is the safe direction. Exception rules ("@@") never
// unblock anything here.
LineResult parse_adblock_line(std::string_view line) {
    line = trim(line);
    if (line.starts_with("@@")) {
        return {{}, "adblock exception rules are ignored (they never unblock egress)"};
    }
    if (!line.starts_with("||")) {
        return {{}, "not a '||domain^' adblock rule"};
    }
    line.remove_prefix(2);
    const std::size_t caret = line.find('^');
    if (caret == std::string_view::npos) {
        return {{}, "adblock rule without '^' separator"};
    }
    const std::string_view rest = line.substr(caret + 1);
    if (!rest.empty() && rest != "|" && rest.front() != '$') {
        return {{}, "adblock rule narrower than a whole domain"};
    }
    return {{line.substr(0, caret)}, {}};
}

LineResult parse_line(std::string_view line, BlocklistFormat format) {
    const std::string_view trimmed = trim(line);
    if (trimmed.empty() || trimmed.front() == '#' || trimmed.front() == '!' ||
        trimmed.front() == '[') {
        return {};
    }
    switch (format) {
        case BlocklistFormat::kHosts:
            return parse_hosts_line(trimmed);
        case BlocklistFormat::kDomains:
            return parse_domain_line(trimmed);
        case BlocklistFormat::kAdblock:
            return parse_adblock_line(trimmed);
        case BlocklistFormat::kAuto:
            break;
    }
    if (trimmed.starts_with("||") || trimmed.starts_with("@@")) {
        return parse_adblock_line(trimmed);
    }
    const auto parts = tokens(trimmed);
    if (parts.size() >= 2) {
        return parse_hosts_line(trimmed);
    }
    return parse_domain_line(trimmed);
}

}  // namespace

Result<BlocklistLoadStats> Blocklist::add_source(std::string source, std::string_view text,
                                                 BlocklistFormat format) {
    if (std::find(sources_.begin(), sources_.end(), source) != sources_.end()) {
        return make_error("duplicate_blocklist_source",
                          "blocklist source '" + source + "' is already loaded");
    }
    const auto source_index = static_cast<std::uint32_t>(sources_.size());
    sources_.push_back(std::move(source));

    BlocklistLoadStats stats;
    std::size_t line_number = 0;
    std::size_t start = 0;
    auto skip = [&](std::string reason) {
        ++stats.skipped;
        if (stats.first_skipped_line == 0) {
            stats.first_skipped_line = line_number;
            stats.first_skipped_reason = std::move(reason);
        }
    };
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        ++line_number;
        const LineResult parsed = parse_line(text.substr(start, end - start), format);
        start = end + 1;
        if (!parsed.skip_reason.empty()) {
            skip(parsed.skip_reason);
            continue;
        }
        for (std::string_view host : parsed.hosts) {
            auto canonical = canonicalize_host(host);
            if (!canonical) {
                skip(canonical.error().message);
                continue;
            }
            if (domains_.size() >= kMaxEntries) {
                return make_error("blocklist_too_large", "blocklists hold more than " +
                                                             std::to_string(kMaxEntries) +
                                                             " domains; refusing to grow further");
            }
            const Origin origin{source_index, static_cast<std::uint32_t>(line_number)};
            if (domains_.emplace(canonical->text, origin).second) {
                ++stats.entries;
            }
        }
    }
    return stats;
}

std::optional<BlockMatch> Blocklist::lookup(const std::string& key) const {
    const auto it = domains_.find(key);
    if (it == domains_.end()) {
        return std::nullopt;
    }
    return BlockMatch{sources_[it->second.source], it->second.line, key};
}

std::optional<BlockMatch> Blocklist::match(const CanonicalHost& host) const {
    if (host.is_ip()) {
        return match_address(*host.address);
    }
    // a.b.example.com, then b.example.com, example.com, com: a listed parent blocks the host.
    std::size_t from = 0;
    while (true) {
        if (auto hit = lookup(host.text.substr(from))) {
            return hit;
        }
        const std::size_t dot = host.text.find('.', from);
        if (dot == std::string::npos) {
            return std::nullopt;
        }
        from = dot + 1;
    }
}

std::optional<BlockMatch> Blocklist::match_address(const IpAddress& address) const {
    if (auto hit = lookup(format_ip(address))) {
        return hit;
    }
    const IpAddress effective = effective_address(address);
    if (effective != address) {
        return lookup(format_ip(effective));
    }
    return std::nullopt;
}

}  // namespace kars::egress
