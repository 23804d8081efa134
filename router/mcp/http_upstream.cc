// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/mcp/http_upstream.h"

#include <algorithm>
#include <atomic>
#include <optional>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include "core/json/parse.h"
#include "core/mcp/jsonrpc.h"
#include "router/mcp/handshake.h"
#include "router/mcp/http_checks.h"
#include "router/providers/base_url.h"
#include "router/server/upstream_client.h"
#include "router/sse/sse_parser.h"

namespace kars::router::mcp {

namespace net = boost::asio;
namespace rpc = ::kars::mcp;

namespace {

constexpr auto kNoThrow = net::as_tuple(net::use_awaitable);
using Strand = net::strand<net::any_io_executor>;

std::string header(const server::UpstreamHead& head, std::string_view name) {
    for (const auto& [k, v] : head.headers) {
        if (k == name) return v;
    }
    return {};
}

// The response to `id` within a JSON body or an SSE data payload, if that is what it is.
std::optional<boost::json::object> response_for(std::string_view text, std::int64_t id) {
    auto parsed = json::parse(text);
    if (!parsed.ok()) return std::nullopt;
    auto message = rpc::classify(*parsed);
    if (!message.ok() || message->kind != rpc::MessageKind::kResponse) return std::nullopt;
    if (!message->id.is_int64() || message->id.as_int64() != id) return std::nullopt;
    return std::move(message->body);
}

// Ends an exchange that outlives its deadline, however steadily the server drips bytes: the
// client's idle timeout restarts with every byte, this does not. Everything runs on one
// strand, so the handler and the destructor never overlap.
class Deadline {
public:
    Deadline(const Strand& strand, std::chrono::steady_clock::time_point at,
             server::UpstreamCall* call)
        : timer_(strand), state_(std::make_shared<State>()) {
        timer_.expires_at(at);
        timer_.async_wait([state = state_, call](boost::system::error_code ec) {
            if (ec || !state->armed) return;
            state->fired = true;
            call->cancel();
        });
    }
    ~Deadline() {
        state_->armed = false;
        timer_.cancel();
    }
    Deadline(const Deadline&) = delete;
    Deadline& operator=(const Deadline&) = delete;

    bool fired() const { return state_->fired; }

private:
    struct State {
        bool armed = true;
        bool fired = false;
    };
    net::steady_timer timer_;
    std::shared_ptr<State> state_;
};

class HttpUpstream final : public McpUpstream, public std::enable_shared_from_this<HttpUpstream> {
public:
    HttpUpstream(const net::any_io_executor& ex, HttpOptions options, UpstreamEndpoint endpoint)
        : strand_(net::make_strand(ex)),
          opt_(std::move(options)),
          endpoint_(std::move(endpoint)),
          client_(strand_, opt_.ca_file),
          ready_(strand_) {}

    net::awaitable<Result<UpstreamReply>> request(std::string method, boost::json::value params,
                                                  std::chrono::milliseconds timeout,
                                                  SessionNumber within) override {
        auto self = shared_from_this();
        std::optional<Result<UpstreamReply>> out;
        co_await net::co_spawn(strand_,
                               run(std::move(method), std::move(params), timeout, within, out),
                               net::use_awaitable);
        co_return std::move(*out);
    }

    bool tools_changed() const override { return false; }
    void clear_tools_changed() override {}
    void retire() override {}
    void terminate() override {}

private:
    net::awaitable<void> run(std::string method, boost::json::value params,
                             std::chrono::milliseconds timeout, SessionNumber within,
                             std::optional<Result<UpstreamReply>>& out) {
        for (int attempt = 0;; ++attempt) {
            auto st = co_await ensure_initialized();
            if (!st.ok()) {
                out = st.error();
                co_return;
            }
            // A re-initialised session may come with other tools than the checked ones.
            if (within != 0 && within != session_) {
                out = make_error("mcp_restarted",
                                 "MCP server '" + opt_.server +
                                     "' started a new session since its tools were checked");
                co_return;
            }
            const SessionNumber session = session_;
            std::string session_id = session_id_;
            auto reply = co_await post(method, params, timeout);
            // 404 on a request that carried a session: the server forgot it (restart,
            // expiry). MCP's answer is a fresh initialize, once.
            if (!reply.ok() && reply.error().code == "mcp_session_lost" && attempt == 0) {
                if (session_id_ == session_id) initialized_ = false;
                continue;
            }
            if (!reply.ok()) {
                out = reply.error();
            } else {
                out = UpstreamReply{std::move(*reply), session};
            }
            co_return;
        }
    }

    net::awaitable<Status> ensure_initialized() {
        while (initializing_) co_await ready_.async_wait(kNoThrow);
        if (initialized_) co_return ok_status();
        initializing_ = true;
        ready_.expires_at(net::steady_timer::time_point::max());
        session_id_.clear();
        protocol_version_.clear();
        Status st = ok_status();
        auto reply = co_await post("initialize", initialize_params(), opt_.init_timeout);
        if (!reply.ok()) {
            st = reply.error();
        } else if (auto version = check_initialize_reply(opt_.server, *reply); !version.ok()) {
            st = version.error();
        } else {
            protocol_version_ = *version;
            auto sent = co_await post_notification("notifications/initialized", opt_.init_timeout);
            if (!sent.ok()) st = sent.error();
        }
        initialized_ = st.ok();
        if (initialized_) ++session_;
        initializing_ = false;
        ready_.cancel();
        co_return st;
    }

    UpstreamRequest base_request(std::string body) const {
        UpstreamRequest req;
        req.method = "POST";
        req.endpoint = endpoint_;
        req.target = endpoint_.base_path.empty() ? "/" : endpoint_.base_path;
        req.headers = {{"content-type", "application/json"},
                       {"accept", "application/json, text/event-stream"}};
        if (!session_id_.empty()) req.headers.emplace_back("mcp-session-id", session_id_);
        if (!protocol_version_.empty()) {
            req.headers.emplace_back("mcp-protocol-version", protocol_version_);
        }
        if (!opt_.bearer.empty())
            req.headers.emplace_back("authorization", "Bearer " + opt_.bearer);
        req.body = std::move(body);
        return req;
    }

    static server::UpstreamTimeouts timeouts(std::chrono::milliseconds t) {
        return {
            .connect = std::min(t, std::chrono::milliseconds(10'000)), .first_byte = t, .idle = t};
    }

    Error unavailable(const std::string& what) const {
        return make_error("mcp_unavailable", "MCP server '" + opt_.server + "': " + what);
    }

    net::awaitable<Status> post_notification(const std::string& method,
                                             std::chrono::milliseconds timeout) {
        auto call = co_await client_.start(
            base_request(boost::json::serialize(rpc::notification(method, nullptr))),
            timeouts(timeout));
        if (!call.ok()) co_return unavailable(call.error().message);
        int status = (*call)->head().status;
        if (status != 202 && status != 200 && status != 204) {
            co_return unavailable("answered " + method + " with HTTP " + std::to_string(status));
        }
        auto drained = co_await (*call)->read_body(std::size_t{64} * 1024);
        (void)drained;
        co_return ok_status();
    }

    net::awaitable<Result<boost::json::object>> post(const std::string& method,
                                                     const boost::json::value& params,
                                                     std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::int64_t id = next_id_++;
        bool had_session = !session_id_.empty();
        auto call = co_await client_.start(
            base_request(boost::json::serialize(rpc::request(id, method, params))),
            timeouts(timeout));
        if (!call.ok()) {
            if (call.error().code == "upstream_timeout") co_return timed_out(method, timeout);
            co_return unavailable(call.error().message);
        }
        Deadline guard(strand_, deadline, call->get());
        auto reply = co_await read_reply(**call, id, method, had_session);
        if (!reply.ok() && guard.fired()) co_return timed_out(method, timeout);
        co_return reply;
    }

    Error timed_out(const std::string& method, std::chrono::milliseconds timeout) const {
        return make_error("mcp_timeout", "MCP server '" + opt_.server + "' did not answer " +
                                             method + " within " + std::to_string(timeout.count()) +
                                             " ms");
    }

    net::awaitable<Result<boost::json::object>> read_reply(server::UpstreamCall& call,
                                                           std::int64_t id,
                                                           const std::string& method,
                                                           bool had_session) {
        const auto& head = call.head();
        // MCP says 404; servers built on the TypeScript SDK answer an unknown session 400.
        if ((head.status == 404 || head.status == 400) && had_session) {
            co_return make_error("mcp_session_lost",
                                 "MCP server '" + opt_.server + "' no longer knows the session");
        }
        if (head.status != 200) {
            co_return unavailable("answered " + method + " with HTTP " +
                                  std::to_string(head.status));
        }
        if (method == "initialize") session_id_ = header(head, "mcp-session-id");
        auto type = header(head, "content-type");
        const auto media = media_type(type);
        if (media == "text/event-stream") {
            co_return co_await read_sse_reply(call, id, method);
        }
        if (media != "application/json") {
            co_return make_error("mcp_protocol", "MCP server '" + opt_.server +
                                                     "' answered with content-type '" + type + "'");
        }
        auto body = co_await call.read_body(opt_.max_message_bytes);
        if (!body.ok()) co_return unavailable(body.error().message);
        auto reply = response_for(*body, id);
        if (!reply) {
            co_return make_error("mcp_protocol", "MCP server '" + opt_.server + "' answered " +
                                                     method +
                                                     " with something that is not its response");
        }
        co_return std::move(*reply);
    }

    // A POST may be answered with an event stream that carries notifications and requests
    // before the response; everything but the response to `id` is skipped.
    net::awaitable<Result<boost::json::object>> read_sse_reply(server::UpstreamCall& call,
                                                               std::int64_t id,
                                                               const std::string& method) {
        sse::SseParser parser(
            {.max_line_bytes = opt_.max_message_bytes, .max_event_bytes = opt_.max_message_bytes});
        std::vector<sse::Item> items;
        for (;;) {
            auto piece = co_await call.read_some();
            if (!piece.ok()) co_return unavailable(piece.error().message);
            if (!*piece) break;
            items.clear();
            auto fed = parser.feed(**piece, items);
            for (auto& item : items) {
                auto* event = std::get_if<sse::Event>(&item);
                if (event == nullptr || !event->has_data) continue;
                if (auto reply = response_for(event->data, id)) {
                    call.cancel();
                    co_return std::move(*reply);
                }
            }
            if (!fed.ok()) {
                co_return make_error("mcp_too_large",
                                     "MCP server '" + opt_.server + "': " + fed.error().message);
            }
        }
        co_return make_error(
            "mcp_protocol",
            "MCP server '" + opt_.server + "' ended its event stream without answering " + method);
    }

    Strand strand_;
    HttpOptions opt_;
    UpstreamEndpoint endpoint_;
    server::UpstreamClient client_;
    net::steady_timer ready_;
    bool initializing_ = false;
    bool initialized_ = false;
    std::string session_id_;
    SessionNumber session_ = 0;  // counts completed handshakes
    std::string protocol_version_;
    std::int64_t next_id_ = 1;
};

}  // namespace

Result<std::shared_ptr<McpUpstream>> make_http_upstream(net::any_io_executor executor,
                                                        HttpOptions options) {
    auto endpoint = providers::parse_base_url(options.url);
    if (!endpoint.ok()) {
        return make_error("invalid_mcp_server",
                          "McpServer " + options.server + ": url: " + endpoint.error().message);
    }
    return std::shared_ptr<McpUpstream>(
        std::make_shared<HttpUpstream>(std::move(executor), std::move(options), *endpoint));
}

}  // namespace kars::router::mcp
