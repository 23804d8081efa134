// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/metrics.h"

#include <prometheus/text_serializer.h>

namespace kars::router::server {

namespace {

const prometheus::Histogram::BucketBoundaries& latency_buckets() {
    static const prometheus::Histogram::BucketBoundaries kBuckets = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    return kBuckets;
}

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(prometheus::BuildCounter()
                    .Name("kars_router_requests_total")
                    .Help("Requests answered by the router, by route and HTTP status")
                    .Register(*registry_)),
      latency_(prometheus::BuildHistogram()
                   .Name("kars_router_request_duration_seconds")
                   .Help("Time from request received to response complete, by route")
                   .Register(*registry_)),
      upstream_requests_(prometheus::BuildCounter()
                             .Name("kars_upstream_requests_total")
                             .Help("Calls to upstream providers, by provider and status")
                             .Register(*registry_)),
      upstream_latency_(prometheus::BuildHistogram()
                            .Name("kars_upstream_duration_seconds")
                            .Help("Upstream time to response head, by provider")
                            .Register(*registry_)),
      tokens_(prometheus::BuildCounter()
                  .Name("kars_tokens_total")
                  .Help("Tokens used, by sandbox, model and direction (input/output)")
                  .Register(*registry_)),
      denials_(prometheus::BuildCounter()
                   .Name("kars_policy_denials_total")
                   .Help("Requests refused by a policy stage, by sandbox and policy kind")
                   .Register(*registry_)),
      budget_(prometheus::BuildGauge()
                  .Name("kars_budget_remaining_tokens")
                  .Help("Tokens left in the sandbox's budget window (-1 = unlimited)")
                  .Register(*registry_)),
      first_byte_(prometheus::BuildHistogram()
                      .Name("kars_stream_first_byte_seconds")
                      .Help("Time from request to the first event forwarded on a stream")
                      .Register(*registry_)),
      audit_failures_(prometheus::BuildCounter()
                          .Name("kars_audit_failures_total")
                          .Help("Audit appends that failed (the request was refused)")
                          .Register(*registry_)),
      egress_decisions_(prometheus::BuildCounter()
                            .Name("kars_egress_decisions_total")
                            .Help("Egress proxy decisions, by sandbox, via, decision and rule code")
                            .Register(*registry_)),
      egress_rejected_(prometheus::BuildCounter()
                           .Name("kars_egress_rejected_total")
                           .Help("Egress requests refused before a decision, by reason")
                           .Register(*registry_)),
      egress_tunnels_(prometheus::BuildGauge()
                          .Name("kars_egress_tunnels_active")
                          .Help("CONNECT tunnels open or being dialled")
                          .Register(*registry_)) {}

void Metrics::request(const std::string& route, int status, double seconds) {
    requests_.Add({{"route", route}, {"status", std::to_string(status)}}).Increment();
    latency_.Add({{"route", route}}, latency_buckets()).Observe(seconds);
}

void Metrics::upstream(const std::string& provider, int status, double seconds) {
    upstream_requests_.Add({{"provider", provider}, {"status", std::to_string(status)}})
        .Increment();
    upstream_latency_.Add({{"provider", provider}}, latency_buckets()).Observe(seconds);
}

void Metrics::tokens(const std::string& sandbox, const std::string& model, std::int64_t in,
                     std::int64_t out) {
    if (in > 0) {
        tokens_.Add({{"sandbox", sandbox}, {"model", model}, {"direction", "input"}})
            .Increment(static_cast<double>(in));
    }
    if (out > 0) {
        tokens_.Add({{"sandbox", sandbox}, {"model", model}, {"direction", "output"}})
            .Increment(static_cast<double>(out));
    }
}

void Metrics::denial(const std::string& sandbox, const std::string& policy_kind) {
    denials_.Add({{"sandbox", sandbox}, {"policy_kind", policy_kind}}).Increment();
}

void Metrics::budget_remaining(const std::string& sandbox, const std::string& window,
                               double tokens) {
    budget_.Add({{"sandbox", sandbox}, {"window", window}}).Set(tokens);
}

void Metrics::stream_first_byte(double seconds) {
    first_byte_.Add({}, latency_buckets()).Observe(seconds);
}

void Metrics::audit_failure() {
    audit_failures_.Add({}).Increment();
}

void Metrics::egress_decision(const std::string& sandbox, const std::string& via,
                              const std::string& decision, const std::string& code) {
    egress_decisions_
        .Add({{"sandbox", sandbox}, {"via", via}, {"decision", decision}, {"code", code}})
        .Increment();
}

void Metrics::egress_rejected(const std::string& sandbox, const std::string& reason) {
    egress_rejected_.Add({{"sandbox", sandbox}, {"reason", reason}}).Increment();
}

void Metrics::egress_tunnels_active(double tunnels) {
    egress_tunnels_.Add({}).Set(tunnels);
}

std::string Metrics::render() const {
    prometheus::TextSerializer serializer;
    return serializer.Serialize(registry_->Collect());
}

}  // namespace kars::router::server
