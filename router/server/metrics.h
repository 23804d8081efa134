// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Prometheus metrics of one router. Every policy decision a user may ask about (a denial, a
// budget refusal, a content block) is a counter here as well as an audit entry.

#include <memory>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace kars::router::server {

class Metrics {
public:
    Metrics();

    void request(const std::string& route, int status, double seconds);
    void upstream(const std::string& provider, int status, double seconds);
    void tokens(const std::string& sandbox, const std::string& model, std::int64_t in,
                std::int64_t out);
    void denial(const std::string& sandbox, const std::string& policy_kind);
    void budget_remaining(const std::string& sandbox, const std::string& window, double tokens);
    void stream_first_byte(double seconds);
    void audit_failure();
    // Egress proxy: one decision (via connect|http, decision allow|deny, the Decision's code).
    void egress_decision(const std::string& sandbox, const std::string& via,
                         const std::string& decision, const std::string& code);
    // Egress requests refused before any decision (bad_request, smuggling, tunnel_cap).
    void egress_rejected(const std::string& sandbox, const std::string& reason);
    void egress_tunnels_active(double tunnels);

    // Prometheus text exposition format 0.0.4.
    std::string render() const;

private:
    std::shared_ptr<prometheus::Registry> registry_;
    prometheus::Family<prometheus::Counter>& requests_;
    prometheus::Family<prometheus::Histogram>& latency_;
    prometheus::Family<prometheus::Counter>& upstream_requests_;
    prometheus::Family<prometheus::Histogram>& upstream_latency_;
    prometheus::Family<prometheus::Counter>& tokens_;
    prometheus::Family<prometheus::Counter>& denials_;
    prometheus::Family<prometheus::Gauge>& budget_;
    prometheus::Family<prometheus::Histogram>& first_byte_;
    prometheus::Family<prometheus::Counter>& audit_failures_;
    prometheus::Family<prometheus::Counter>& egress_decisions_;
    prometheus::Family<prometheus::Counter>& egress_rejected_;
    prometheus::Family<prometheus::Gauge>& egress_tunnels_;
};

}  // namespace kars::router::server
