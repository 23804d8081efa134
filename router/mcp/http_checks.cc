// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/mcp/http_checks.h"

#include <algorithm>
#include <cctype>

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

namespace kars::router::mcp {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool is_loopback(const std::string& host) {
    if (host == "localhost" || host == "localhost.") return true;
    boost::system::error_code ec;
    auto addr = boost::asio::ip::make_address(host, ec);
    if (ec) return false;
    if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
        return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, addr.to_v6())
            .is_loopback();
    }
    return addr.is_loopback();
}

// Each element of a comma-separated header, media type only, lower-cased.
std::vector<std::string> media_types(std::string_view header) {
    std::vector<std::string> out;
    while (!header.empty()) {
        auto comma = header.find(',');
        auto item = header.substr(0, comma);
        auto semi = item.find(';');
        out.push_back(lower(trim(item.substr(0, semi))));
        if (comma == std::string_view::npos) break;
        header.remove_prefix(comma + 1);
    }
    return out;
}

}  // namespace

bool host_allowed(std::string_view host_header, const std::vector<std::string>& extra_hosts) {
    auto auth = boost::urls::parse_authority(trim(host_header));
    if (!auth || auth->has_userinfo()) return false;
    std::string host(auth->encoded_host_address());
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    host = lower(host);
    if (host.empty()) return false;
    if (is_loopback(host)) return true;
    return std::any_of(extra_hosts.begin(), extra_hosts.end(),
                       [&](const std::string& h) { return lower(h) == host; });
}

bool origin_allowed(std::string_view origin, const std::vector<std::string>& allowed_origins) {
    origin = trim(origin);
    if (origin.empty()) return true;
    // A page served from this machine's loopback is local software, which can reach the
    // router without a browser anyway; only pages from elsewhere are the rebinding threat.
    if (auto uri = boost::urls::parse_absolute_uri(origin);
        uri && (uri->scheme() == "http" || uri->scheme() == "https") && uri->has_authority() &&
        !uri->has_userinfo() && (uri->encoded_path().empty() || uri->encoded_path() == "/") &&
        !uri->has_query() && !uri->has_fragment()) {
        std::string host(uri->encoded_host_address());
        if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
            host = host.substr(1, host.size() - 2);
        }
        if (is_loopback(lower(host))) return true;
    }
    auto o = lower(origin);
    return std::any_of(allowed_origins.begin(), allowed_origins.end(),
                       [&](const std::string& a) { return lower(a) == o; });
}

bool accepts_json_and_sse(std::string_view accept) {
    bool json = false;
    bool sse = false;
    for (const auto& t : media_types(accept)) {
        json |= t == "application/json" || t == "application/*" || t == "*/*";
        sse |= t == "text/event-stream" || t == "text/*" || t == "*/*";
    }
    return json && sse;
}

std::string media_type(std::string_view content_type) {
    return lower(trim(content_type.substr(0, content_type.find(';'))));
}

bool is_json_content_type(std::string_view content_type) {
    auto types = media_types(content_type);
    return types.size() == 1 && types.front() == "application/json";
}

}  // namespace kars::router::mcp
