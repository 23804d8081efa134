// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/upstream_dispatch.h"

#include <chrono>

#include <spdlog/spdlog.h>
#include <boost/json/serialize.hpp>

#include "router/providers/build_request.h"
#include "router/providers/fallback.h"
#include "router/providers/request_body.h"
#include "router/server/recording_call.h"
#include "router/server/replay_call.h"
#include "router/translate/messages_request.h"

namespace kars::router::server {

namespace net = boost::asio;

namespace {

struct Prepared {
    providers::Operation operation;
    boost::json::value body;
    bool translated = false;
    bool client_requested_usage = false;
};

// Shapes the client's body for one target: model rewrite, Messages translation for
// OpenAI-shaped upstreams, and usage reporting on streams.
Result<Prepared> prepare(const DispatchRequest& req, const ProviderEntry& provider,
                         const config::ModelTarget& target) {
    Prepared p{req.operation, req.body ? *req.body : boost::json::value{}, false, false};
    bool native_messages =
        provider.cassette ||
        (provider.upstream &&
         providers::supports_operation(provider.upstream->kind, providers::Operation::kMessages));
    if (req.operation == providers::Operation::kMessages && !native_messages) {
        auto chat = translate::messages_to_chat_request(p.body);
        if (!chat.ok()) return chat.error();
        p.body = std::move(*chat);
        p.operation = providers::Operation::kChatCompletions;
        p.translated = true;
    }
    if (!target.model.empty() && p.body.is_object()) {
        p.body = providers::with_model(std::move(p.body), target.model);
    }
    if (p.operation == providers::Operation::kChatCompletions && p.body.is_object()) {
        auto setup = providers::prepare_chat_stream(p.body.as_object());
        p.client_requested_usage = setup.client_requested_usage || p.translated;
    }
    return p;
}

Result<std::unique_ptr<UpstreamCall>> start_replay(RouterState& state, const ProviderEntry& entry,
                                                   const DispatchRequest& req,
                                                   const Prepared& prepared) {
    std::string path = req.client_path;
    std::string body = req.raw_body;
    if (prepared.translated) {
        path = "/v1/chat/completions";
        body = boost::json::serialize(prepared.body);
    }
    std::string model(providers::model_of(prepared.body).value_or(req.model));
    const auto* ex =
        entry.cassette->match(req.operation == providers::Operation::kModels ? "GET" : "POST", path,
                              model, req.stream, body);
    if (ex == nullptr && prepared.translated == false &&
        req.operation == providers::Operation::kMessages) {
        return make_error("replay_no_match", "replay cassette of provider " + entry.source.name +
                                                 " has no exchange for " + path);
    }
    if (ex == nullptr) {
        return make_error("replay_no_match", "replay cassette of provider " + entry.source.name +
                                                 " has no exchange matching " + path + " model=" +
                                                 model + (req.stream ? " stream=true" : ""));
    }
    return make_replay_call(state.io().get_executor(), entry.cassette, *ex);
}

}  // namespace

net::awaitable<Result<Dispatched>> dispatch(RouterState& state, const Snapshot& snap,
                                            const DispatchRequest& req) {
    const auto* targets = snap.config.targets_for(req.model);
    if (targets == nullptr || targets->empty()) {
        co_return make_error("model_not_found",
                             "model '" + req.model + "' is not configured on this router");
    }
    std::optional<Error> last_error;
    Dispatched last;
    for (std::size_t i = 0; i < targets->size(); ++i) {
        const auto& target = (*targets)[i];
        const auto& entry = snap.providers.at(target.provider);
        bool more = i + 1 < targets->size();

        auto prepared = prepare(req, entry, target);
        if (!prepared.ok()) co_return prepared.error();

        Dispatched d;
        d.provider = entry.source.name;
        d.upstream_model = std::string(providers::model_of(prepared->body).value_or(req.model));
        d.translated = prepared->translated;
        d.client_requested_usage = prepared->client_requested_usage;
        d.attempts = static_cast<int>(i) + 1;

        auto started_at = std::chrono::steady_clock::now();
        Result<std::unique_ptr<UpstreamCall>> call = make_error("unset", "");
        std::string marker;
        if (entry.cassette) {
            call = start_replay(state, entry, req, *prepared);
        } else {
            static const providers::HeaderList kNoHeaders;
            const auto& headers = req.client_headers ? *req.client_headers : kNoHeaders;
            // The prepared body is this target's own copy: it moves into the request, and
            // what recording needs of it is taken first.
            if (!entry.source.record_to.empty()) marker = turn_marker(prepared->body);
            auto built = providers::build_request(*entry.upstream, prepared->operation,
                                                  std::move(prepared->body), headers);
            if (!built.ok()) co_return built.error();
            built->streaming = req.stream;
            UpstreamTimeouts timeouts{snap.config.upstream.connect_timeout,
                                      snap.config.upstream.first_byte_timeout,
                                      snap.config.upstream.idle_timeout};
            call = co_await state.upstream().start(*built, timeouts);
        }
        double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at).count();
        if (!call.ok()) {
            state.metrics().upstream(d.provider, 0, seconds);
            if (call.error().code == "replay_no_match") co_return call.error();
            spdlog::warn("upstream {} failed: {}", d.provider, call.error().message);
            last_error = call.error();
            continue;
        }
        int status = (*call)->head().status;
        state.metrics().upstream(d.provider, status, seconds);
        d.call = std::move(*call);
        if (!entry.cassette && !entry.source.record_to.empty()) {
            replay::Exchange ex;
            ex.method = req.operation == providers::Operation::kModels ? "GET" : "POST";
            // A translated Messages call is a chat-completions exchange upstream; recording it
            // under that path lets the replay serve it to both kinds of client.
            ex.path = d.translated ? "/v1/chat/completions" : req.client_path;
            ex.model = req.model;
            ex.stream = req.stream;
            if (!marker.empty()) ex.body_contains.push_back(std::move(marker));
            d.call = record_call(std::move(d.call), std::move(ex), entry.source.record_to);
        }
        if (more &&
            providers::classify_upstream_status(status) == providers::FallbackDecision::kTryNext) {
            spdlog::warn("upstream {} answered {}; trying next target", d.provider, status);
            // Keep this answer (status and body) in case every later target fails too: the
            // client then gets the last real answer, not a synthetic one.
            auto body = co_await d.call->read_body(64 * 1024);
            auto kept = std::make_shared<replay::Exchange>();
            kept->status = status;
            kept->headers = d.call->head().headers;
            kept->body = body.ok() ? std::move(*body) : std::string();
            d.call->cancel();
            d.call = make_replay_call(state.io().get_executor(), kept, *kept);
            last = std::move(d);
            last_error.reset();
            continue;
        }
        co_return d;
    }
    if (last.call) co_return last;
    co_return last_error.value_or(make_error("upstream_connect", "no upstream answered"));
}

}  // namespace kars::router::server
