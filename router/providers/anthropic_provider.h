// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Anthropic's Messages API. The base URL is https://api.anthropic.com (a trailing /v1 is
// tolerated and removed).

#include <boost/json/value.hpp>

#include "core/result.h"
#include "router/providers/header_policy.h"
#include "router/providers/provider_config.h"
#include "router/providers/upstream_request.h"

namespace kars::router::providers {

// POST /v1/messages (messages) or GET /v1/models (models) with "x-api-key", the configured
// "anthropic-version", and the client's anthropic-beta reduced to the allowlist. OpenAI-shaped
// operations are unsupported on this upstream.
Result<UpstreamRequest> build_anthropic_request(const ProviderConfig& config, Operation operation,
                                                boost::json::value body,
                                                const HeaderList& client_headers);

}  // namespace kars::router::providers
