// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/ops_routes.h"

namespace kars::router::server {

namespace net = boost::asio;

void register_ops_routes(HttpServer& server, RouterState& state) {
    server.route(http::verb::get, "/healthz",
                 [](Request&, ResponseWriter& w) -> net::awaitable<void> {
                     co_await w.send(200, "text/plain", "ok\n");
                 });
    server.route(http::verb::get, "/readyz",
                 [&state](Request&, ResponseWriter& w) -> net::awaitable<void> {
                     if (state.ready()) {
                         co_await w.send(200, "text/plain", "ready\n");
                     } else {
                         co_await w.send(503, "text/plain",
                                         "not ready: the audit log is failing; inference "
                                         "requests are refused\n");
                     }
                 });
    server.route(http::verb::get, "/metrics",
                 [&state](Request&, ResponseWriter& w) -> net::awaitable<void> {
                     co_await w.send(200, "text/plain; version=0.0.4", state.metrics().render());
                 });
}

}  // namespace kars::router::server
