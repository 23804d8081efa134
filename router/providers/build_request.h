// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The entry point the server calls: one client request in, one upstream request out, for
// whichever provider kind is configured.

#include <boost/json/value.hpp>

#include "core/result.h"
#include "router/providers/header_policy.h"
#include "router/providers/provider_config.h"
#include "router/providers/upstream_request.h"

namespace kars::router::providers {

// Builds the upstream request for `operation`. `body` is the client's parsed JSON body (any
// value, typically null, for the GET models operation); `client_headers` are the inbound
// headers, of which only the allowlist survives. Error codes: "invalid_request_error" (the
// client's fault: 400), "unsupported_operation" (404 or translate first), "invalid_config"
// (operator's fault: 500). Error messages never contain the credential.
Result<UpstreamRequest> build_request(const ProviderConfig& config, Operation operation,
                                      boost::json::value body, const HeaderList& client_headers);

// Whether `kind` serves `operation` natively. Messages on an OpenAI-shaped upstream must go
// through router/translate (messages -> chat completions) instead.
bool supports_operation(ProviderKind kind, Operation operation);

}  // namespace kars::router::providers
