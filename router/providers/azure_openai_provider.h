// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Azure OpenAI. The base URL is the resource endpoint, https://<resource>.openai.azure.com
// (a trailing /openai or /openai/v1 is tolerated and removed).

#include <boost/json/value.hpp>

#include "core/result.h"
#include "router/providers/header_policy.h"
#include "router/providers/provider_config.h"
#include "router/providers/upstream_request.h"

namespace kars::router::providers {

// Deployment style:
//   chat_completions -> /openai/deployments/{d}/chat/completions?api-version=V
//   embeddings       -> /openai/deployments/{d}/embeddings?api-version=V
//   responses        -> /openai/responses?api-version=V   (deployment in body "model")
//   models           -> GET /openai/models?api-version=V
// v1 style: /openai/v1/{chat/completions,responses,embeddings,models} with the deployment in
// the body's "model" and api-version only if configured. {d} = deployment_for(model); the body
// "model" is rewritten to {d} as well. Auth: "api-key" or "authorization: Bearer" (Entra).
Result<UpstreamRequest> build_azure_openai_request(const ProviderConfig& config,
                                                   Operation operation, boost::json::value body,
                                                   const HeaderList& client_headers);

}  // namespace kars::router::providers
