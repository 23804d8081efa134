// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// GitHub Models (https://models.github.ai/inference): an OpenAI-shaped chat completions API
// authenticated with a GitHub token that has the models scope.

#include <boost/json/value.hpp>

#include "core/result.h"
#include "router/providers/header_policy.h"
#include "router/providers/provider_config.h"
#include "router/providers/upstream_request.h"

namespace kars::router::providers {

// POST <base>/chat/completions, or /orgs/{org}<base>/chat/completions when github_org is set,
// with a bearer token and the GitHub REST API version header. Other operations are
// unsupported: GitHub's model catalog (/catalog/models) is not shaped like OpenAI's list.
Result<UpstreamRequest> build_github_models_request(const ProviderConfig& config,
                                                    Operation operation, boost::json::value body,
                                                    const HeaderList& client_headers);

}  // namespace kars::router::providers
