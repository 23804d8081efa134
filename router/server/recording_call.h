// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Record mode: wraps a live upstream call and, once the response has been read to its end,
// appends it to a replay cassette (docs/replay.md), with stream events and their timing.
// What is recorded is what the provider sent, after the router's response-header
// allowlist: no credential and no cookie can end up in a cassette.

#include <memory>
#include <string>

#include <boost/json/value.hpp>

#include "router/replay/cassette.h"
#include "router/server/upstream_client.h"

namespace kars::router::server {

// `exchange` carries the request matchers (method, path, model, stream, body_contains);
// its response fields are filled from the call. The line is appended to `cassette_path`.
std::unique_ptr<UpstreamCall> record_call(std::unique_ptr<UpstreamCall> inner,
                                          replay::Exchange exchange, std::string cassette_path);

// The last message's text, JSON-escaped as clients serialise it, to tell the turns of one
// conversation apart when the cassette is replayed. Empty when there is none or it is long.
std::string turn_marker(const boost::json::value& request_body);

}  // namespace kars::router::server
