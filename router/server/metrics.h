// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Prometheus metrics of one router. Every policy decision a user may ask about (a denial, a
// budget refusal, a content block) is a counter here as well as an audit entry.

#include <memory>
#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "router/server/metric_series.h"

namespace kars::router::server {

class Metrics {
public:
    Metrics();

    void request(std::string_view route, int status, double seconds);
    void upstream(std::string_view provider, int status, double seconds);
    void tokens(std::string_view sandbox, std::string_view model, std::int64_t in,
                std::int64_t out);
    void denial(std::string_view sandbox, std::string_view policy_kind);
    void budget_remaining(std::string_view sandbox, std::string_view window, double tokens);
    void stream_first_byte(double seconds);
    void audit_failure();
    // Egress proxy: one decision (via connect|http, decision allow|deny, the Decision's code).
    void egress_decision(std::string_view sandbox, std::string_view via, std::string_view decision,
                         std::string_view code);
    // Egress requests refused before any decision (bad_request, smuggling, tunnel_cap).
    void egress_rejected(std::string_view sandbox, std::string_view reason);
    void egress_tunnels_active(double tunnels);

    // Prometheus text exposition format 0.0.4.
    std::string render() const;

private:
    std::shared_ptr<prometheus::Registry> registry_;
    MetricSeries<prometheus::Counter> requests_;
    MetricSeries<prometheus::Histogram> latency_;
    MetricSeries<prometheus::Counter> upstream_requests_;
    MetricSeries<prometheus::Histogram> upstream_latency_;
    MetricSeries<prometheus::Counter> tokens_;
    MetricSeries<prometheus::Counter> denials_;
    MetricSeries<prometheus::Gauge> budget_;
    MetricSeries<prometheus::Histogram> first_byte_;
    MetricSeries<prometheus::Counter> audit_failures_;
    MetricSeries<prometheus::Counter> egress_decisions_;
    MetricSeries<prometheus::Counter> egress_rejected_;
    MetricSeries<prometheus::Gauge> egress_tunnels_;
};

}  // namespace kars::router::server
