// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/metrics.h"

#include <charconv>

#include <prometheus/text_serializer.h>

namespace kars::router::server {

namespace {

const prometheus::Histogram::BucketBoundaries& latency_buckets() {
    static const prometheus::Histogram::BucketBoundaries kBuckets = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    return kBuckets;
}

template <typename Builder>
auto& registered(Builder builder, const char* name, const char* help,
                 prometheus::Registry& registry) {
    return builder.Name(name).Help(help).Register(registry);
}

// An HTTP status as label text, without allocating.
struct StatusText {
    explicit StatusText(int status) {
        auto r = std::to_chars(buf, buf + sizeof buf, status);
        len = static_cast<std::size_t>(r.ptr - buf);
    }
    std::string_view view() const { return {buf, len}; }
    char buf[12];
    std::size_t len = 0;
};

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(registered(prometheus::BuildCounter(), "kars_router_requests_total",
                           "Requests answered by the router, by route and HTTP status", *registry_),
                {"route", "status"}),
      latency_(registered(prometheus::BuildHistogram(), "kars_router_request_duration_seconds",
                          "Time from request received to response complete, by route", *registry_),
               {"route"}, latency_buckets()),
      upstream_requests_(
          registered(prometheus::BuildCounter(), "kars_upstream_requests_total",
                     "Calls to upstream providers, by provider and status", *registry_),
          {"provider", "status"}),
      upstream_latency_(registered(prometheus::BuildHistogram(), "kars_upstream_duration_seconds",
                                   "Upstream time to response head, by provider", *registry_),
                        {"provider"}, latency_buckets()),
      tokens_(registered(prometheus::BuildCounter(), "kars_tokens_total",
                         "Tokens used, by sandbox, model and direction (input/output)", *registry_),
              {"sandbox", "model", "direction"}),
      denials_(
          registered(prometheus::BuildCounter(), "kars_policy_denials_total",
                     "Requests refused by a policy stage, by sandbox and policy kind", *registry_),
          {"sandbox", "policy_kind"}),
      budget_(registered(prometheus::BuildGauge(), "kars_budget_remaining_tokens",
                         "Tokens left in the sandbox's budget window (-1 = unlimited)", *registry_),
              {"sandbox", "window"}),
      first_byte_(
          registered(prometheus::BuildHistogram(), "kars_stream_first_byte_seconds",
                     "Time from request to the first event forwarded on a stream", *registry_),
          {}, latency_buckets()),
      audit_failures_(registered(prometheus::BuildCounter(), "kars_audit_failures_total",
                                 "Audit appends that failed (the request was refused)", *registry_),
                      {}),
      egress_decisions_(
          registered(prometheus::BuildCounter(), "kars_egress_decisions_total",
                     "Egress proxy decisions, by sandbox, via, decision and rule code", *registry_),
          {"sandbox", "via", "decision", "code"}),
      egress_rejected_(
          registered(prometheus::BuildCounter(), "kars_egress_rejected_total",
                     "Egress requests refused before a decision, by reason", *registry_),
          {"sandbox", "reason"}),
      egress_tunnels_(registered(prometheus::BuildGauge(), "kars_egress_tunnels_active",
                                 "CONNECT tunnels open or being dialled", *registry_),
                      {}) {}

void Metrics::request(std::string_view route, int status, double seconds) {
    requests_.at({route, StatusText(status).view()}).Increment();
    latency_.at({route}).Observe(seconds);
}

void Metrics::upstream(std::string_view provider, int status, double seconds) {
    upstream_requests_.at({provider, StatusText(status).view()}).Increment();
    upstream_latency_.at({provider}).Observe(seconds);
}

void Metrics::tokens(std::string_view sandbox, std::string_view model, std::int64_t in,
                     std::int64_t out) {
    if (in > 0) tokens_.at({sandbox, model, "input"}).Increment(static_cast<double>(in));
    if (out > 0) tokens_.at({sandbox, model, "output"}).Increment(static_cast<double>(out));
}

void Metrics::denial(std::string_view sandbox, std::string_view policy_kind) {
    denials_.at({sandbox, policy_kind}).Increment();
}

void Metrics::budget_remaining(std::string_view sandbox, std::string_view window, double tokens) {
    budget_.at({sandbox, window}).Set(tokens);
}

void Metrics::stream_first_byte(double seconds) {
    first_byte_.at({}).Observe(seconds);
}

void Metrics::audit_failure() {
    audit_failures_.at({}).Increment();
}

void Metrics::egress_decision(std::string_view sandbox, std::string_view via,
                              std::string_view decision, std::string_view code) {
    egress_decisions_.at({sandbox, via, decision, code}).Increment();
}

void Metrics::egress_rejected(std::string_view sandbox, std::string_view reason) {
    egress_rejected_.at({sandbox, reason}).Increment();
}

void Metrics::egress_tunnels_active(double tunnels) {
    egress_tunnels_.at({}).Set(tunnels);
}

std::string Metrics::render() const {
    prometheus::TextSerializer serializer;
    return serializer.Serialize(registry_->Collect());
}

}  // namespace kars::router::server
