// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Checks on the HTTP envelope of an MCP request, before any JSON is read.
//
// Host: a web page can make a browser send requests to the router's loopback port (DNS
// rebinding: an attacker's name resolves to 127.0.0.1). The browser then sends the
// attacker's name as Host, so only loopback names and addresses, and names the operator
// lists, are served. Origin: any request a browser sends cross-site carries one; none is
// accepted unless listed.

#include <string>
#include <string_view>
#include <vector>

namespace kars::router::mcp {

// `host_header` is the Host value ("name", "name:port", "[v6]:port").
bool host_allowed(std::string_view host_header, const std::vector<std::string>& extra_hosts);

// An absent Origin (non-browser clients) is allowed; a present one must be an http(s)
// origin of a loopback host, or be listed exactly (compared case-insensitively).
bool origin_allowed(std::string_view origin, const std::vector<std::string>& allowed_origins);

// MCP clients must accept both JSON and an event stream for a POST.
bool accepts_json_and_sse(std::string_view accept);

// Whether a Content-Type names JSON (parameters such as charset ignored).
bool is_json_content_type(std::string_view content_type);

// The media type of a Content-Type value, lower-cased, parameters dropped
// ("Text/Event-Stream; charset=utf-8" -> "text/event-stream").
std::string media_type(std::string_view content_type);

}  // namespace kars::router::mcp
