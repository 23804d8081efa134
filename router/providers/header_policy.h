// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Which headers cross the router, in each direction. Both directions are allowlists: the agent
// never chooses credentials or routing headers upstream, and the provider's cookies, account
// identifiers and framing headers never reach the agent.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kars::router::providers {

// Header name/value pairs; names compared case-insensitively, emitted in lower case.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct ClientHeaderOptions {
    // anthropic-beta is forwarded only to Anthropic, and only values on this list survive.
    bool forward_anthropic_beta = false;
    const std::vector<std::string>* anthropic_beta_allowlist = nullptr;
};

// Client headers that may go upstream: accept, user-agent, openai-beta, x-kars-trace-id and
// (per options) filtered anthropic-beta. Everything else is dropped, including every
// credential header, cookies, content-type/length (the router re-serialises the body) and
// accept-encoding (the router must read the response). Values with CR/LF/NUL are dropped.
HeaderList filter_client_headers(const HeaderList& inbound, const ClientHeaderOptions& options);

// The comma-separated `value` of an anthropic-beta header reduced to allowlisted entries;
// empty when none remain.
std::string filter_anthropic_beta(std::string_view value,
                                  const std::vector<std::string>& allowlist);

// Upstream response headers that may go back to the agent: content-type, request ids and
// rate-limit information. Hop-by-hop headers (including any named in Connection),
// content-length, set-cookie and anything else are dropped.
HeaderList filter_response_headers(const HeaderList& upstream);

// ASCII lower-casing of a header name.
std::string lowercase_header_name(std::string_view name);

}  // namespace kars::router::providers
