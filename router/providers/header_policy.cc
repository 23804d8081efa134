// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/providers/header_policy.h"

#include <algorithm>
#include <array>

namespace kars::router::providers {
namespace {

// Deliberately short. user-agent and accept let the provider see which SDK is calling and
// how it wants the answer framed; openai-beta selects API behaviour, not an account.
// Not forwarded, on purpose:
//  - authorization, api-key, x-api-key, cookie, proxy-authorization: the agent holds no
//    credentials, and anything it sends must not reach the provider under the router's name;
//  - openai-organization, openai-project: they pick which account of the router's key is
//    billed, which is the operator's choice, not the agent's;
//  - anthropic-version: the operator pins it in config;
//  - x-stainless-*: SDK telemetry (OS, architecture, runtime version of the sandbox) that the
//    provider does not need and that describes the sandbox to a third party;
//  - x-kars-sandbox and other router-internal headers.
constexpr std::array<std::string_view, 4> kForwardedClientHeaders = {
    "accept", "user-agent", "openai-beta", "x-kars-trace-id"};

constexpr std::array<std::string_view, 7> kKeptResponseHeaders = {
    "content-type",    "x-request-id", "request-id",    "apim-request-id",
    "x-ms-request-id", "retry-after",  "retry-after-ms"};

constexpr std::array<std::string_view, 2> kKeptResponsePrefixes = {"x-ratelimit-",
                                                                   "anthropic-ratelimit-"};

bool is_safe_value(std::string_view value) {
    return std::none_of(value.begin(), value.end(),
                        [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Names listed in Connection are hop-by-hop for this message (RFC 9110 section 7.6.1), so
// they are removed even when they would otherwise be kept.
std::vector<std::string> connection_tokens(const HeaderList& headers) {
    std::vector<std::string> out;
    for (const auto& [name, value] : headers) {
        if (lowercase_header_name(name) != "connection") continue;
        std::string_view rest = value;
        while (!rest.empty()) {
            auto comma = rest.find(',');
            std::string_view token = trim(rest.substr(0, comma));
            if (!token.empty()) out.push_back(lowercase_header_name(token));
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        }
    }
    return out;
}

bool is_kept_response_header(std::string_view name) {
    if (std::find(kKeptResponseHeaders.begin(), kKeptResponseHeaders.end(), name) !=
        kKeptResponseHeaders.end()) {
        return true;
    }
    return std::any_of(kKeptResponsePrefixes.begin(), kKeptResponsePrefixes.end(),
                       [name](std::string_view p) { return name.substr(0, p.size()) == p; });
}

}  // namespace

std::string lowercase_header_name(std::string_view name) {
    std::string out(name);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string filter_anthropic_beta(std::string_view value,
                                  const std::vector<std::string>& allowlist) {
    std::vector<std::string_view> kept;
    std::string_view rest = value;
    while (!rest.empty()) {
        auto comma = rest.find(',');
        std::string_view token = trim(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        if (token.empty()) continue;
        if (std::find(allowlist.begin(), allowlist.end(), token) == allowlist.end()) continue;
        if (std::find(kept.begin(), kept.end(), token) != kept.end()) continue;
        kept.push_back(token);
    }
    std::string out;
    for (std::string_view token : kept) {
        if (!out.empty()) out += ',';
        out += token;
    }
    return out;
}

HeaderList filter_client_headers(const HeaderList& inbound, const ClientHeaderOptions& options) {
    HeaderList out;
    std::string beta;
    for (const auto& [raw_name, value] : inbound) {
        if (!is_safe_value(value)) continue;
        std::string name = lowercase_header_name(raw_name);
        if (name == "anthropic-beta") {
            if (!options.forward_anthropic_beta || options.anthropic_beta_allowlist == nullptr) {
                continue;
            }
            // Several anthropic-beta lines are one comma-joined list (RFC 9110 section 5.3).
            std::string kept = filter_anthropic_beta(value, *options.anthropic_beta_allowlist);
            if (kept.empty()) continue;
            beta = beta.empty() ? kept
                                : filter_anthropic_beta(beta + "," + kept,
                                                        *options.anthropic_beta_allowlist);
            continue;
        }
        if (std::find(kForwardedClientHeaders.begin(), kForwardedClientHeaders.end(), name) !=
            kForwardedClientHeaders.end()) {
            out.emplace_back(std::move(name), value);
        }
    }
    if (!beta.empty()) out.emplace_back("anthropic-beta", std::move(beta));
    return out;
}

HeaderList filter_response_headers(const HeaderList& upstream) {
    const std::vector<std::string> hop = connection_tokens(upstream);
    HeaderList out;
    for (const auto& [raw_name, value] : upstream) {
        std::string name = lowercase_header_name(raw_name);
        if (!is_kept_response_header(name)) continue;
        if (std::find(hop.begin(), hop.end(), name) != hop.end()) continue;
        if (!is_safe_value(value)) continue;
        out.emplace_back(std::move(name), value);
    }
    return out;
}

}  // namespace kars::router::providers
