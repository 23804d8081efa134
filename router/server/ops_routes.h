// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Operations endpoints: /healthz (the process answers), /readyz (config, credentials and
// the audit sink are all usable), /metrics (Prometheus text).

#include "router/server/http_server.h"
#include "router/server/router_state.h"

namespace kars::router::server {

void register_ops_routes(HttpServer& server, RouterState& state);

}  // namespace kars::router::server
