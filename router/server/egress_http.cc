// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/egress_http.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace kars::router::server {

namespace http = boost::beast::http;

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Field names listed in Connection (a comma-separated token list, RFC 9110 section 7.6.1).
std::vector<std::string> connection_options(const http::fields& fields) {
    std::vector<std::string> out;
    for (const auto& f : fields) {
        if (f.name() != http::field::connection) continue;
        std::string_view v = f.value();
        while (!v.empty()) {
            auto comma = v.find(',');
            auto token = trim(v.substr(0, comma));
            if (!token.empty()) out.emplace_back(token);
            if (comma == std::string_view::npos) break;
            v.remove_prefix(comma + 1);
        }
    }
    return out;
}

}  // namespace

std::string framing_problem(const http::fields& head) {
    std::size_t lengths = 0;
    std::size_t encodings = 0;
    std::string_view encoding;
    for (const auto& f : head) {
        if (f.name() == http::field::content_length) ++lengths;
        if (f.name() == http::field::transfer_encoding) {
            ++encodings;
            encoding = trim(f.value());
        }
    }
    if (lengths > 0 && encodings > 0) {
        return "both Content-Length and Transfer-Encoding are present (RFC 9112 section 6.1)";
    }
    if (lengths > 1) return "more than one Content-Length field (RFC 9112 section 6.3)";
    if (encodings > 1) return "more than one Transfer-Encoding field";
    if (encodings == 1 && !iequals(encoding, "chunked")) {
        return "Transfer-Encoding must be exactly \"chunked\"";
    }
    return {};
}

void strip_hop_by_hop(http::fields& fields) {
    for (const auto& name : connection_options(fields)) fields.erase(name);
    for (auto f :
         {http::field::connection, http::field::keep_alive, http::field::te, http::field::trailer,
          http::field::transfer_encoding, http::field::upgrade, http::field::proxy_connection}) {
        fields.erase(f);
    }
    std::vector<std::string> proxy_fields;
    for (const auto& f : fields) {
        auto name = f.name_string();
        if (name.size() >= 6 && iequals(name.substr(0, 6), "proxy-")) {
            proxy_fields.emplace_back(name);
        }
    }
    for (const auto& name : proxy_fields) fields.erase(name);
}

void prepare_upstream_request(http::request<http::string_body>& req,
                              const egress::Authority& target) {
    strip_hop_by_hop(req);
    req.erase(http::field::expect);
    req.erase(http::field::host);
    const bool default_port = (target.scheme == "http" && target.port == 80) ||
                              (target.scheme == "https" && target.port == 443);
    req.set(http::field::host,
            default_port ? target.host : target.host + ":" + std::to_string(target.port));
    req.target(target.origin_form);
    req.version(11);
    req.keep_alive(false);
    req.erase(http::field::content_length);
    if (!req.body().empty() || req.method() == http::verb::post ||
        req.method() == http::verb::put || req.method() == http::verb::patch) {
        req.prepare_payload();
    }
}

void prepare_client_response(http::response<http::string_body>& res, bool head_request) {
    const auto declared = res[http::field::content_length];
    std::string kept_length(declared);
    strip_hop_by_hop(res);
    res.erase(http::field::content_length);
    const unsigned status = res.result_int();
    if (head_request) {
        // A response to HEAD describes the body GET would get; keep its length as sent.
        if (!kept_length.empty()) res.set(http::field::content_length, kept_length);
    } else if (status == 204 || status == 304) {
        // These never have content, and RFC 9110 forbids a Content-Length on a 204.
        res.body().clear();
    } else {
        res.prepare_payload();
    }
    res.keep_alive(false);
}

}  // namespace kars::router::server
