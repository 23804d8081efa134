// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Message rules of the egress proxy: which request heads are refused as ambiguous framing
// (request smuggling), and how a proxied plain-HTTP request and its response are rewritten
// for the next hop (RFC 9110 section 7.6.1, RFC 9112 sections 3.2 and 6).

#include <string>

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "core/egress/authority.h"

namespace kars::router::server {

namespace egress_http = boost::beast::http;

// Empty when the head's framing is unambiguous; otherwise why it is refused (400):
// Content-Length together with Transfer-Encoding (RFC 9112 section 6.1: a proxy must not
// forward such a message as is), more than one Content-Length field, a Transfer-Encoding
// other than exactly "chunked", or more than one Transfer-Encoding field.
std::string framing_problem(const egress_http::fields& head);

// Removes hop-by-hop fields (Connection and every field it names, Keep-Alive, TE, Trailer,
// Transfer-Encoding, Upgrade; RFC 9110 section 7.6.1) and all Proxy-* fields, which are meant
// for this proxy only and would leak credentials to the origin.
void strip_hop_by_hop(egress_http::fields& fields);

// Rewrites a client's absolute-form request for the origin: origin-form target, Host set
// from the target's authority (RFC 9112 section 3.2.2: the target wins over Host), hop-by-hop
// and Proxy-* fields and Expect removed (the body is already buffered), Connection: close.
void prepare_upstream_request(egress_http::request<egress_http::string_body>& req,
                              const egress::Authority& target);

// Rewrites the origin's response for the client: hop-by-hop fields removed, framing
// recomputed from the buffered body (kept for HEAD), Connection: close.
void prepare_client_response(egress_http::response<egress_http::string_body>& res,
                             bool head_request);

}  // namespace kars::router::server
