// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The inference endpoints (OpenAI: /v1/chat/completions, /v1/responses, /v1/embeddings,
// /v1/models; Anthropic: /v1/messages) and the policy chain every call passes, in order:
// limits (in the server), identity (from config), rate limit, token budget, audit of the
// decision, forward with fallback, content safety, accounting, audit of the outcome.

#include "router/server/http_server.h"
#include "router/server/router_state.h"

namespace kars::router::server {

void register_inference_routes(HttpServer& server, RouterState& state);

}  // namespace kars::router::server
