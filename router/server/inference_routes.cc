// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/inference_routes.h"

#include <chrono>

#include <spdlog/spdlog.h>
#include <boost/beast/core/string.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/governance/action.h"
#include "core/json/parse.h"
#include "router/accounting/usage.h"
#include "router/budget/token_estimate.h"
#include "router/errors/protocol_error.h"
#include "router/providers/header_policy.h"
#include "router/safety/content_safety.h"
#include "router/server/stream_relay.h"
#include "router/server/upstream_dispatch.h"
#include "router/tools/offered_tools.h"
#include "router/tools/proposed_tools.h"
#include "router/translate/messages_response.h"

namespace kars::router::server {

namespace net = boost::asio;
using providers::Operation;

namespace {

struct Route {
    Operation operation;
    Protocol protocol;
    std::string name;  // metrics label and action verb
    std::string path;
    tools::Dialect dialect;  // how this route's requests and answers spell tools
};

// The governance action of an inference call. Model names may hold characters the action
// grammar keeps for its own syntax (Ollama's "llama3:8b"); those become '_' so the model
// stays one segment.
std::string inference_action(const Route& route, std::string_view model) {
    std::string out = "inference:" + route.name + ":";
    for (char c : model) out += governance::is_name_char(c) ? c : '_';
    return out;
}

// One request's trip through the chain: what it is, what was decided, and the helpers that
// answer, audit and count in one step so no exit path can skip any of the three.
class Call {
public:
    Call(RouterState& state, const Route& route, Request& req, ResponseWriter& writer)
        : state_(state), route_(route), req_(req), writer_(writer), snap_(state.snapshot()) {}

    net::awaitable<void> run();

private:
    audit::Event event(std::string decision, std::string policy_kind, std::string reason) const {
        audit::Event e;
        e.sandbox = state_.sandbox();
        e.action = "inference:" + route_.name + ":" + (model_.empty() ? "-" : model_);
        e.decision = std::move(decision);
        e.policy_kind = std::move(policy_kind);
        e.reason = std::move(reason);
        e.trace_id = req_.trace_id;
        e.model = model_;
        return e;
    }

    net::awaitable<void> refuse(int status, const std::string& message, std::string_view type,
                                std::string policy_kind, const Headers& extra = {}) {
        state_.record(event("deny", policy_kind, message));
        if (policy_kind != "request") state_.metrics().denial(state_.sandbox(), policy_kind);
        co_await answer(status, error_body(route_.protocol, status, message, type), extra);
    }

    net::awaitable<void> answer(int status, std::string body, const Headers& extra = {}) {
        co_await writer_.send(status, "application/json", std::move(body), extra);
        observe(status);
    }

    void observe(int status) {
        state_.metrics().request(
            route_.name, status,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - req_.received_at)
                .count());
    }

    net::awaitable<bool> govern();
    net::awaitable<bool> filter_tools();
    tools::ToolVerdict check_tool(std::string_view action, tools::ToolPhase phase);
    net::awaitable<bool> admit();
    net::awaitable<void> forward();
    net::awaitable<void> finish_buffered(Dispatched& d, Headers headers);
    net::awaitable<void> finish_stream(Dispatched& d, Headers headers);
    void settle(const accounting::Usage& usage, bool failed);
    void record_outcome(const std::string& decision, const accounting::Usage& usage, bool estimated,
                        const std::string& reason);

    RouterState& state_;
    const Route& route_;
    Request& req_;
    ResponseWriter& writer_;
    std::shared_ptr<const Snapshot> snap_;
    boost::json::value body_;
    std::string model_;
    bool stream_ = false;
    std::optional<budget::Reservation> reservation_;
    std::uint64_t estimate_ = 0;
    bool tools_filtered_ = false;
};

net::awaitable<void> Call::run() {
    auto parsed = json::parse(req_.message.body());
    if (!parsed.ok() || !parsed->is_object()) {
        // GCC 12 double-destroys temporaries created inside a co_await argument that holds
        // a conditional expression, so the message is built before awaiting.
        std::string message = parsed.ok() ? std::string("request body must be a JSON object")
                                          : parsed.error().message;
        co_await refuse(400, message, "invalid_request_error", "request");
        co_return;
    }
    body_ = std::move(*parsed);
    auto model = json::string_field(body_, "model");
    if (!model || model->empty()) {
        co_await refuse(400, "the request must name a model in the 'model' field",
                        "invalid_request_error", "request");
        co_return;
    }
    model_ = std::string(*model);
    if (const auto* s = json::find_field(body_, "stream"); s && !s->is_bool() && !s->is_null()) {
        co_await refuse(400, "'stream' must be a boolean", "invalid_request_error", "request");
        co_return;
    }
    stream_ = json::bool_field(body_, "stream").value_or(false);
    // The budget estimate relies on these fields; a value it cannot read is refused rather
    // than estimated low.
    if (auto problem = budget::sizing_problem(body_)) {
        co_await refuse(400, *problem, "invalid_request_error", "request");
        co_return;
    }
    if (route_.operation == Operation::kEmbeddings) stream_ = false;

    // GCC 12 miscompiles co_await inside a condition; await into a variable first.
    bool governed = co_await govern();
    if (!governed) co_return;
    bool filtered = co_await filter_tools();
    if (!filtered) co_return;
    bool admitted = co_await admit();
    if (!admitted) co_return;
    co_await forward();
}

// The inference call itself is an action the sandbox's governance profile must allow.
net::awaitable<bool> Call::govern() {
    auto governed = state_.decide(inference_action(route_, model_));
    const auto& d = governed.decision;
    if (d.allowed()) co_return true;
    if (d.verdict == governance::Verdict::kRateLimited) {
        auto secs = std::chrono::ceil<std::chrono::seconds>(d.retry_after).count();
        Headers extra;
        extra.emplace_back("retry-after", std::to_string(std::max<std::int64_t>(1, secs)));
        co_await refuse(429, "Rate limited by governance policy: " + d.reason,
                        "rate_limit_exceeded", "governance", extra);
        co_return false;
    }
    // A RequiresApproval reason already names the filed approval and how to grant it.
    std::string message = "Blocked by governance policy: " + d.reason;
    co_await refuse(403, message, "policy_violation", "governance");
    co_return false;
}

// Tools the policy refuses are taken out of the request, so the model never sees them.
net::awaitable<bool> Call::filter_tools() {
    if (route_.operation == Operation::kEmbeddings || !body_.is_object()) co_return true;
    auto report = tools::filter_offered_tools(
        body_.as_object(), route_.dialect, [this](std::string_view action, tools::ToolPhase phase) {
            return check_tool(action, phase);
        });
    if (!report.ok()) {
        const bool policy = report.error().code == "policy_violation";
        co_await refuse(policy ? 403 : 400, report.error().message,
                        policy ? "policy_violation" : "invalid_request_error",
                        policy ? "tool_policy" : "request");
        co_return false;
    }
    tools_filtered_ = !report->removed.empty();
    co_return true;
}

// Decides one tool and leaves the trace: every proposed call is audited, allowed or not
// (a tool the model proposes is a tool about to run); an offered tool is audited when it
// is removed, or always with governance.audit_offered_tools.
tools::ToolVerdict Call::check_tool(std::string_view action, tools::ToolPhase phase) {
    // A tool held for approval stays on offer: the model proposing it is what files the
    // request. A proposed call uses an approval granted with `kars approvals` once;
    // otherwise a request is filed and the call refused, since a model turn cannot wait
    // for a person.
    const bool proposed = phase == tools::ToolPhase::kProposed;
    auto governed =
        proposed ? state_.decide(action) : GovernedDecision{state_.peek(action), std::nullopt};
    const auto& d = governed.decision;
    tools::ToolVerdict verdict{
        d.allowed() || (!proposed && d.verdict == governance::Verdict::kRequiresApproval),
        d.reason};
    if (!verdict.allowed || proposed || snap_->config.governance.audit_offered_tools) {
        auto e = event(
            verdict.allowed ? "allow" : "deny", std::string(governance::to_string(d.rule.kind)),
            std::string(proposed ? "proposed by the model: " : "offered to the model: ") +
                verdict.reason);
        e.action = std::string(action);
        if (!state_.record(std::move(e)) && verdict.allowed) {
            verdict = {false, "the audit log is unavailable, so no tool may run"};
        }
    }
    if (!verdict.allowed) state_.metrics().denial(state_.sandbox(), "tool_policy");
    return verdict;
}

net::awaitable<bool> Call::admit() {
    const auto& sandbox = state_.sandbox();
    if (snap_->rate_limiter) {
        // The bucket follows the configured route, not the name the agent typed: every name
        // that falls through to `default` shares one bucket, so inventing model names buys
        // no extra rate.
        const auto* route = snap_->config.route_for(model_);
        const std::string& bucket = route != nullptr ? *route : model_;
        auto d =
            snap_->rate_limiter->try_acquire(sandbox, bucket, std::chrono::steady_clock::now());
        if (!d.allowed) {
            auto retry = std::to_string(d.retry_after_seconds);
            Headers extra;
            extra.emplace_back("retry-after", retry);
            co_await refuse(429,
                            "rate limit exceeded for sandbox " + sandbox + " and model " + model_ +
                                "; retry after " + retry + "s",
                            "rate_limit_exceeded", "rate_limit", extra);
            co_return false;
        }
    }

    auto estimate = budget::estimate_request_tokens(body_);
    estimate_ = estimate;
    auto reservation = state_.ledger().reserve(sandbox, estimate, std::chrono::system_clock::now());
    if (!reservation.ok()) {
        // Budgets reset at a UTC day or month boundary; an hour is a polite lower bound
        // that keeps well-behaved clients from hammering a closed window.
        Headers extra;
        extra.emplace_back("retry-after", "3600");
        co_await refuse(429, reservation.error().message, "token_budget_exceeded", "token_budget",
                        extra);
        co_return false;
    }
    reservation_.emplace(std::move(*reservation));

    std::string reason = "forwarded";
    if (!snap_->policy_source.empty()) reason += " under " + snap_->policy_source;
    if (!state_.record(event("allow", "inference", reason))) {
        reservation_.reset();
        co_await answer(503, error_body(route_.protocol, 503,
                                        "the audit log is unavailable; requests are refused "
                                        "until it recovers",
                                        "service_unavailable"));
        co_return false;
    }
    co_return true;
}

net::awaitable<void> Call::forward() {
    DispatchRequest dr;
    dr.operation = route_.operation;
    dr.client_path = route_.path;
    dr.model = model_;
    dr.stream = stream_;
    dr.body = &body_;
    // A filtered tool list changed what goes upstream; replay matches what is sent.
    dr.raw_body = tools_filtered_ ? boost::json::serialize(body_) : req_.message.body();
    Headers client_headers;
    for (const auto& f : req_.message) {
        if (boost::beast::iequals(f.name_string(), "x-kars-trace-id")) continue;
        client_headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    }
    // The upstream sees the id the router answers and audits under (a client's own id only
    // when it was valid), so a provider's logs line up with the audit log.
    client_headers.emplace_back("x-kars-trace-id", req_.trace_id);
    dr.client_headers = &client_headers;

    auto d = co_await dispatch(state_, *snap_, dr);
    if (!d.ok()) {
        const auto& code = d.error().code;
        int status = code == "model_not_found"         ? 404
                     : code == "invalid_request_error" ? 400
                     : code == "upstream_timeout"      ? 504
                                                       : 502;
        std::string type = status == 404   ? "model_not_found"
                           : status == 400 ? "invalid_request_error"
                                           : "upstream_error";
        settle({}, true);
        record_outcome("upstream_error", {}, false, d.error().message);
        co_await answer(status, error_body(route_.protocol, status, d.error().message, type));
        co_return;
    }
    auto headers = providers::filter_response_headers(d->call->head().headers);
    snap_->redactor.drop_headers(headers);
    bool event_stream = false;
    for (const auto& [name, value] : d->call->head().headers) {
        if (name == "content-type" && value.find("text/event-stream") != std::string::npos) {
            event_stream = true;
        }
    }
    int status = d->call->head().status;
    if (status >= 300 && status < 400) {
        d->call->cancel();
        settle({}, true);
        std::string msg = "upstream answered with a redirect (" + std::to_string(status) +
                          "); kars-router does not follow redirects";
        record_outcome("upstream_error", {}, false, msg);
        co_await answer(502, error_body(route_.protocol, 502, msg, "upstream_error"));
        co_return;
    }
    if (stream_ && event_stream && status >= 200 && status < 300) {
        co_await finish_stream(*d, std::move(headers));
    } else {
        co_await finish_buffered(*d, std::move(headers));
    }
}

net::awaitable<void> Call::finish_buffered(Dispatched& d, Headers headers) {
    int status = d.call->head().status;
    auto body = co_await d.call->read_body(snap_->config.limits.max_upstream_response_bytes);
    if (!body.ok()) {
        settle({}, true);
        int code = body.error().code == "upstream_timeout" ? 504 : 502;
        record_outcome("upstream_error", {}, false, body.error().message);
        co_await answer(code,
                        error_body(route_.protocol, code, body.error().message, "upstream_error"));
        co_return;
    }
    auto parsed = json::parse(*body);
    accounting::Usage usage;
    if (parsed.ok()) usage = accounting::read_usage(*parsed);
    if (!parsed.ok() && status >= 200 && status < 300) {
        // Content safety and the tool gate cannot read a success that is not JSON (an HTML
        // page from something in between, an event stream to a non-streaming call), so it
        // is not passed on. The estimate is charged: the upstream may have done the work.
        settle({}, false);
        std::string message = "upstream answered " + std::to_string(status) +
                              " with a body that is not JSON (" + parsed.error().message +
                              "); it is not passed on unchecked";
        record_outcome("upstream_error", {}, true, message);
        co_await answer(502, error_body(route_.protocol, 502, message, "upstream_error"));
        co_return;
    }

    // Content safety reads the upstream's annotations on successes and on content-filter
    // errors alike; a block replaces whatever the upstream said.
    if (parsed.ok() && snap_->inference_policy && snap_->inference_policy->content_safety &&
        snap_->inference_policy->content_safety->active()) {
        auto verdict = safety::evaluate(*snap_->inference_policy->content_safety,
                                        safety::observe_annotations(*parsed));
        if (verdict.blocked) {
            settle(usage, false);
            state_.metrics().denial(state_.sandbox(), "content_safety");
            record_outcome("deny", usage, !usage.any(), verdict.reason);
            co_await answer(safety::kBlockHttpStatus,
                            safety::block_error_body(verdict, route_.protocol));
            co_return;
        }
    }

    std::string out = std::move(*body);
    // The answer as the agent will receive it, parsed, for the tool gate below.
    std::optional<boost::json::value> client_view;
    if (d.translated) {
        if (status >= 200 && status < 300 && parsed.ok()) {
            auto translated = translate::chat_to_messages_response(*parsed, model_);
            if (!translated.ok()) {
                settle(usage, false);
                record_outcome("upstream_error", usage, false, translated.error().message);
                co_await answer(502, anthropic_error_body(translated.error().message, "api_error"));
                co_return;
            }
            out = boost::json::serialize(*translated);
            client_view = std::move(*translated);
        } else if (status >= 400) {
            std::string message = "upstream error " + std::to_string(status);
            if (parsed.ok()) {
                if (const auto* err = json::find_field(*parsed, "error")) {
                    if (auto m = json::string_field(*err, "message")) message = std::string(*m);
                }
            }
            out = anthropic_error_body(message, anthropic_error_type_for_status(status));
        }
    } else if (parsed.ok()) {
        client_view = std::move(*parsed);
    }
    bool ok = status >= 200 && status < 300;
    if (ok && route_.operation != Operation::kEmbeddings) {
        // Checked on what the client will receive (after any translation), so the names
        // policy sees are the names the agent would act on.
        if (client_view) {
            auto gated =
                tools::gate_proposed_tools(*client_view, route_.dialect,
                                           [this](std::string_view action, tools::ToolPhase phase) {
                                               return check_tool(action, phase);
                                           });
            if (gated.refused > 0) out = boost::json::serialize(*client_view);
        }
    }
    settle(usage, !ok);
    state_.metrics().tokens(state_.sandbox(), model_, usage.input.value_or(0),
                            usage.output.value_or(0));
    record_outcome(ok ? "completed" : "upstream_error", usage, false,
                   ok ? "served by " + d.provider : "upstream status " + std::to_string(status));
    std::erase_if(headers, [](const auto& h) { return h.first == "content-type"; });
    snap_->redactor.redact(out);
    co_await writer_.send(status, "application/json", std::move(out), headers);
    observe(status);
}

net::awaitable<void> Call::finish_stream(Dispatched& d, Headers headers) {
    StreamOptions options;
    switch (route_.operation) {
        case Operation::kResponses:
            options.mode = StreamMode::kResponses;
            break;
        case Operation::kMessages:
            options.mode = d.translated ? StreamMode::kChatToMessages : StreamMode::kMessages;
            break;
        default:
            options.mode = StreamMode::kChatCompletions;
            break;
    }
    options.drop_usage_chunk = !d.client_requested_usage && !d.translated;
    if (snap_->inference_policy && snap_->inference_policy->content_safety) {
        options.safety = snap_->inference_policy->content_safety;
    }
    options.requested_model = model_;
    options.tool_dialect =
        options.mode == StreamMode::kChatToMessages ? tools::Dialect::kChat : route_.dialect;
    options.tool_check = [this](std::string_view action, tools::ToolPhase phase) {
        return check_tool(action, phase);
    };
    std::erase_if(headers, [](const auto& h) { return h.first == "content-type"; });
    options.response_headers = std::move(headers);
    options.redactor = &snap_->redactor;
    options.request_start = req_.received_at;

    auto outcome = co_await relay_stream(*d.call, writer_, options, state_.metrics());
    accounting::Usage usage{outcome.tokens_in, outcome.tokens_out};
    bool estimated = !usage.any();
    settle(usage, false);
    state_.metrics().tokens(state_.sandbox(), model_, usage.input.value_or(0),
                            usage.output.value_or(0));
    if (outcome.blocked) state_.metrics().denial(state_.sandbox(), "content_safety");
    record_outcome(outcome.blocked     ? "deny"
                   : outcome.completed ? "completed"
                                       : "upstream_error",
                   usage, estimated,
                   outcome.completed ? "stream served by " + d.provider : outcome.problem);
    observe(200);
}

// Charges the reservation with what the upstream reported; when a completed call reported
// nothing, the estimate is charged (recorded as estimated) so a provider that omits usage
// cannot be used to bypass the budget. Failed calls are released. The ledger is only
// updated in memory here; RouterState flushes it to disk on a timer, off this thread.
void Call::settle(const accounting::Usage& usage, bool failed) {
    if (!reservation_) return;
    auto r = std::move(*reservation_);
    reservation_.reset();
    auto& ledger = state_.ledger();
    if (failed) {
        ledger.release(std::move(r));
    } else {
        std::uint64_t tokens = usage.any() ? static_cast<std::uint64_t>(usage.total()) : r.tokens();
        (void)ledger.settle(std::move(r), tokens, budget::BudgetLedger::Durability::kDeferred);
    }
    auto left = ledger.remaining(state_.sandbox(), std::chrono::system_clock::now());
    state_.metrics().budget_remaining(state_.sandbox(), "daily",
                                      left.daily_remaining ? double(*left.daily_remaining) : -1);
    state_.metrics().budget_remaining(
        state_.sandbox(), "monthly", left.monthly_remaining ? double(*left.monthly_remaining) : -1);
}

void Call::record_outcome(const std::string& decision, const accounting::Usage& usage,
                          bool estimated, const std::string& reason) {
    auto e = event(decision, decision == "deny" ? "content_safety" : "inference", reason);
    e.tokens_in = usage.input;
    e.tokens_out = usage.output;
    if (estimated && !usage.any()) {
        // The upstream reported no usage: the estimate was charged, and the entry says so.
        e.tokens_in = static_cast<std::int64_t>(estimate_);
        e.tokens_out = 0;
        e.tokens_estimated = true;
    }
    state_.record(std::move(e));
}

net::awaitable<void> list_models(RouterState& state, Request& req, ResponseWriter& writer) {
    // The agent sees the models this router will route, not the provider's catalogue: a
    // model that is not configured cannot be used, so listing it would mislead.
    auto snap = state.snapshot();
    boost::json::array data;
    for (const auto& [name, targets] : snap->config.models) {
        if (name == "default") continue;
        boost::json::object m;
        m["id"] = name;
        m["object"] = "model";
        m["created"] = 0;
        m["owned_by"] = targets.empty() ? "kars" : targets.front().provider;
        data.emplace_back(std::move(m));
    }
    boost::json::object out;
    out["object"] = "list";
    out["data"] = std::move(data);
    co_await writer.send(200, "application/json", boost::json::serialize(out));
    state.metrics().request(
        "models", 200,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - req.received_at).count());
}

}  // namespace

void register_inference_routes(HttpServer& server, RouterState& state) {
    static const Route kRoutes[] = {
        {Operation::kChatCompletions, Protocol::kOpenAI, "chat_completions", "/v1/chat/completions",
         tools::Dialect::kChat},
        {Operation::kResponses, Protocol::kOpenAI, "responses", "/v1/responses",
         tools::Dialect::kResponses},
        {Operation::kEmbeddings, Protocol::kOpenAI, "embeddings", "/v1/embeddings",
         tools::Dialect::kChat},
        {Operation::kMessages, Protocol::kAnthropic, "messages", "/v1/messages",
         tools::Dialect::kMessages},
    };
    for (const auto& route : kRoutes) {
        server.route(http::verb::post, route.path,
                     [&state, &route](Request& req, ResponseWriter& w) -> net::awaitable<void> {
                         Call call(state, route, req, w);
                         co_await call.run();
                     });
    }
    server.route(http::verb::get, "/v1/models",
                 [&state](Request& req, ResponseWriter& w) { return list_models(state, req, w); });
}

}  // namespace kars::router::server
