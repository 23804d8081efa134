// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/providers/base_url.h"

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>

namespace kars::router::providers {

Result<UpstreamEndpoint> parse_base_url(std::string_view base_url) {
    auto parsed = boost::urls::parse_absolute_uri(base_url);
    if (!parsed) {
        return make_error("invalid_config",
                          "base URL is not an absolute URI: " + parsed.error().message());
    }
    const boost::urls::url_view& u = *parsed;

    UpstreamEndpoint ep;
    std::string_view default_port;
    if (u.scheme_id() == boost::urls::scheme::https) {
        ep.scheme = "https";
        default_port = "443";
    } else if (u.scheme_id() == boost::urls::scheme::http) {
        ep.scheme = "http";
        default_port = "80";
    } else {
        return make_error("invalid_config", "base URL scheme must be http or https");
    }
    if (u.has_userinfo()) {
        return make_error("invalid_config",
                          "base URL must not carry userinfo; "
                          "configure the credential separately");
    }
    if (u.has_query() || u.has_fragment()) {
        return make_error("invalid_config", "base URL must not have a query or fragment");
    }

    std::string bracketed;
    switch (u.host_type()) {
        case boost::urls::host_type::name:
        case boost::urls::host_type::ipv4:
            // A percent-encoded registered name is legal URI syntax but no resolver accepts
            // it; refusing it keeps host and Host header identical.
            if (u.encoded_host().find('%') != std::string_view::npos) {
                return make_error("invalid_config", "base URL host must not be percent-encoded");
            }
            ep.host = std::string(u.encoded_host());
            bracketed = ep.host;
            break;
        case boost::urls::host_type::ipv6:
            ep.host = std::string(u.encoded_host_address());
            bracketed = "[" + ep.host + "]";
            break;
        default:
            return make_error("invalid_config", "base URL host is missing or unsupported");
    }
    if (ep.host.empty()) return make_error("invalid_config", "base URL host is empty");

    if (u.has_port()) {
        if (u.port().empty() || u.port_number() == 0) {
            return make_error("invalid_config", "base URL port is not a number in 1..65535");
        }
        ep.port = std::to_string(u.port_number());
    } else {
        ep.port = std::string(default_port);
    }
    ep.authority = ep.port == default_port ? bracketed : bracketed + ":" + ep.port;

    std::string path(u.encoded_path());
    while (!path.empty() && path.back() == '/') path.pop_back();
    ep.base_path = std::move(path);
    return ep;
}

Result<std::string> encode_path_segment(std::string_view segment) {
    if (segment.empty() || segment == "." || segment == "..") {
        return make_error("invalid_request_error",
                          "name '" + std::string(segment) + "' cannot be used in a URL path");
    }
    return boost::urls::encode(segment, boost::urls::unreserved_chars);
}

std::string append_query_param(std::string_view target, std::string_view key,
                               std::string_view value) {
    boost::urls::url u;
    u.set_encoded_path(target.substr(0, target.find('?')));
    if (auto q = target.find('?'); q != std::string_view::npos) {
        u.set_encoded_query(target.substr(q + 1));
    }
    u.params().append({key, value});
    return std::string(u.encoded_target());
}

std::string strip_path_suffix(std::string_view base_path, std::string_view suffix) {
    if (base_path.size() >= suffix.size() &&
        base_path.substr(base_path.size() - suffix.size()) == suffix) {
        return std::string(base_path.substr(0, base_path.size() - suffix.size()));
    }
    return std::string(base_path);
}

}  // namespace kars::router::providers
