// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// api.openai.com and OpenAI-compatible servers (vLLM, Ollama, llama.cpp server). The base URL
// includes the API version prefix, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1.

#include <boost/json/value.hpp>

#include "core/result.h"
#include "router/providers/header_policy.h"
#include "router/providers/provider_config.h"
#include "router/providers/upstream_request.h"

namespace kars::router::providers {

// <base>/chat/completions, /responses, /embeddings (POST) and /models (GET) with
// "authorization: Bearer <credential>" (omitted when the credential is empty, for local
// servers without auth). Messages is unsupported: translate it to chat completions first.
Result<UpstreamRequest> build_openai_request(const ProviderConfig& config, Operation operation,
                                             boost::json::value body,
                                             const HeaderList& client_headers);

}  // namespace kars::router::providers
