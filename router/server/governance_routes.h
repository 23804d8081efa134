// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Ask-before-acting for agent runtimes: a runtime about to run a local action (a shell
// command, a file write, a tool of its own) asks the router, which decides with the
// sandbox's governance policy and audits the question and the answer.
//
//   POST /v1/governance/evaluate   kars shape: decision, rule that decided, reason
//   POST /agt/evaluate             the shape existing runtime plugins already speak
//
// The sandbox is always the router's own: an `agent_id` in the body is ignored, so one
// sandbox cannot ask (and spend rate-limit budget) in another's name.

#include "router/server/http_server.h"
#include "router/server/router_state.h"

namespace kars::router::server {

void register_governance_routes(HttpServer& server, RouterState& state);

}  // namespace kars::router::server
