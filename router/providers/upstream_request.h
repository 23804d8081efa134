// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The provider-independent description of one call to an upstream model API. Providers
// build it from the client's request; the server's upstream client sends it as-is.

#include <string>
#include <utility>
#include <vector>

namespace kars::router {

struct UpstreamEndpoint {
    std::string scheme;  // "http" or "https"
    std::string host;
    std::string port;       // always set ("443", "80", or explicit)
    std::string base_path;  // path prefix from the configured base URL, no trailing '/'
    // Value for the Host header: host in URL form (IPv6 in brackets) plus ":port" only when
    // the port is not the scheme's default. `host` stays bracket-free for the resolver.
    std::string authority;
};

struct UpstreamRequest {
    std::string method = "POST";
    UpstreamEndpoint endpoint;
    std::string target;  // origin-form path and query sent on the request line
    std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
    std::string body;
    bool streaming = false;
    // True when the router added stream_options.include_usage itself (for token accounting)
    // and the client did not ask for usage: the server should not relay the usage-only final
    // chunk (the one with an empty `choices` array) to the client.
    bool drop_usage_chunk = false;
};

}  // namespace kars::router
