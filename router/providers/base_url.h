// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The configured base URL of a provider, parsed once with Boost.URL, and the construction of
// request targets below it. Nothing here concatenates untrusted text into a URL unencoded.

#include <string>
#include <string_view>

#include "core/result.h"
#include "router/providers/upstream_request.h"

namespace kars::router::providers {

// Parses an absolute http(s) base URL into scheme, host, port (defaulted from the scheme) and
// path prefix (no trailing '/'). Userinfo, query and fragment are refused: credentials belong
// in the credential field, and a query would be silently lost when targets are built.
Result<UpstreamEndpoint> parse_base_url(std::string_view base_url);

// Percent-encodes `segment` for use as one path segment (only RFC 3986 unreserved characters
// stay literal). "." and ".." and empty segments are refused: they would be removed by dot-
// segment normalisation upstream and let a client-chosen name escape its path position.
Result<std::string> encode_path_segment(std::string_view segment);

// Appends `key=value` (both percent-encoded as needed) to the query of an origin-form target.
std::string append_query_param(std::string_view target, std::string_view key,
                               std::string_view value);

// `base_path` with `suffix` removed when it ends with it on a segment boundary; lets a user
// paste ".../openai/v1" or ".../v1" as a base URL where the provider adds that part itself.
std::string strip_path_suffix(std::string_view base_path, std::string_view suffix);

}  // namespace kars::router::providers
