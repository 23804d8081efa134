// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/governance_routes.h"

#include <chrono>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/governance/action.h"
#include "core/json/parse.h"
#include "router/errors/protocol_error.h"

namespace kars::router::server {

namespace net = boost::asio;

namespace {

constexpr std::string_view kJson = "application/json";

enum class Shape { kKars, kAgt };

// The runtime's `context` object becomes the attributes profile `conditions` match on.
// Only scalar values take part; nested values cannot be compared with a condition.
std::string scalar_text(const boost::json::value& v, bool& ok) {
    ok = true;
    if (v.is_string()) return std::string(v.as_string());
    if (v.is_bool()) return v.as_bool() ? "true" : "false";
    if (v.is_int64()) return std::to_string(v.as_int64());
    if (v.is_uint64()) return std::to_string(v.as_uint64());
    ok = false;
    return {};
}

std::string_view agt_verdict(governance::Verdict v) {
    switch (v) {
        case governance::Verdict::kAllowed:
            return "allow";
        case governance::Verdict::kRequiresApproval:
            return "requires_approval";
        case governance::Verdict::kDenied:
        case governance::Verdict::kRateLimited:
            return "deny";
    }
    return "deny";
}

boost::json::value approval_json(const std::optional<approvals::Approval>& a) {
    if (!a) return nullptr;
    return boost::json::object{
        {"id", a->id}, {"state", approvals::to_string(a->state)}, {"expires_at", a->expires_at}};
}

std::string kars_body(const std::string& action, const governance::Decision& d,
                      const std::optional<approvals::Approval>& approval) {
    boost::json::object rule{{"kind", governance::to_string(d.rule.kind)},
                             {"source", d.rule.source},
                             {"name", d.rule.rule},
                             {"index", d.rule.index},
                             {"pattern", d.rule.pattern},
                             {"priority", d.rule.priority}};
    boost::json::object out{
        {"action", action},        {"decision", governance::to_string(d.verdict)},
        {"allowed", d.allowed()},  {"reason", d.reason},
        {"rule", std::move(rule)}, {"approval", approval_json(approval)}};
    if (d.verdict == governance::Verdict::kRateLimited) {
        out["retry_after_seconds"] = std::max<std::int64_t>(
            1, std::chrono::ceil<std::chrono::seconds>(d.retry_after).count());
    }
    if (d.verdict == governance::Verdict::kRequiresApproval) {
        out["min_approvals"] = d.min_approvals;
    }
    return boost::json::serialize(out);
}

std::string agt_body(const std::string& action, const governance::Decision& d,
                     const std::optional<approvals::Approval>& approval) {
    auto verdict = agt_verdict(d.verdict);
    boost::json::object out{
        {"allowed", d.allowed()},
        {"action", verdict},
        {"decision", verdict},
        {"matched_rule",
         d.rule.rule.empty() ? boost::json::value(nullptr) : boost::json::value(d.rule.rule)},
        {"reason", d.reason},
        {"rate_limited", d.verdict == governance::Verdict::kRateLimited},
        {"evaluated_action", action},
        {"approval_id", approval ? boost::json::value(approval->id) : boost::json::value(nullptr)}};
    if (d.verdict == governance::Verdict::kRateLimited) {
        out["retry_after_secs"] = std::max<std::int64_t>(
            1, std::chrono::ceil<std::chrono::seconds>(d.retry_after).count());
    }
    return boost::json::serialize(out);
}

net::awaitable<void> evaluate(RouterState& state, Request& req, ResponseWriter& w, Shape shape) {
    auto parsed = json::parse(req.message.body());
    std::string problem;
    if (!parsed.ok()) {
        problem = parsed.error().message;
    } else if (!parsed->is_object()) {
        problem = "request body must be a JSON object";
    }
    std::string action;
    std::map<std::string, std::string, std::less<>> attributes;
    if (problem.empty()) {
        auto a = json::string_field(*parsed, "action");
        // The reference runtime contract sends "unknown" when it has no action; an empty
        // action can only be refused, so say so instead of evaluating a placeholder.
        if (!a || a->empty()) {
            problem = "'action' is required: a string such as \"shell:ls -la\" or \"tool:search\"";
        } else {
            action = std::string(*a);
        }
        if (const auto* ctx = json::find_field(*parsed, "context"); ctx && !ctx->is_null()) {
            if (!ctx->is_object()) {
                problem = "'context' must be an object of string, number or boolean values";
            } else {
                for (const auto& [k, v] : ctx->as_object()) {
                    bool ok = false;
                    auto text = scalar_text(v, ok);
                    if (ok) attributes.emplace(std::string(k), std::move(text));
                }
            }
        }
    }
    if (!problem.empty()) {
        co_await w.send(400, kJson, openai_error_body(problem, "invalid_request_error"));
        co_return;
    }

    auto governed = state.decide(action, &attributes);
    const auto& d = governed.decision;
    audit::Event e;
    e.sandbox = state.sandbox();
    e.action = action;
    e.decision = d.allowed() ? "allow" : "deny";
    if (d.verdict == governance::Verdict::kRequiresApproval) e.decision = "requires_approval";
    e.policy_kind = std::string(governance::to_string(d.rule.kind));
    e.reason = "evaluate: " + d.reason;
    e.trace_id = req.trace_id;
    if (!state.record(std::move(e))) {
        co_await w.send(503, kJson,
                        openai_error_body("the audit log is unavailable; decisions cannot be "
                                          "recorded, so none are given",
                                          "service_unavailable"));
        co_return;
    }
    if (!d.allowed()) state.metrics().denial(state.sandbox(), "governance");
    std::string body = shape == Shape::kKars ? kars_body(action, d, governed.approval)
                                             : agt_body(action, d, governed.approval);
    co_await w.send(200, kJson, std::move(body));
}

}  // namespace

void register_governance_routes(HttpServer& server, RouterState& state) {
    server.route(http::verb::post, "/v1/governance/evaluate",
                 [&state](Request& req, ResponseWriter& w) {
                     return evaluate(state, req, w, Shape::kKars);
                 });
    server.route(http::verb::post, "/agt/evaluate", [&state](Request& req, ResponseWriter& w) {
        return evaluate(state, req, w, Shape::kAgt);
    });
}

}  // namespace kars::router::server
