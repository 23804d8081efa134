// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/mcp_routes.h"

#include <spdlog/spdlog.h>
#include <boost/json/serialize.hpp>

#include "core/json/parse.h"
#include "core/mcp/jsonrpc.h"
#include "router/mcp/gateway.h"
#include "router/mcp/http_checks.h"
#include "router/mcp/log_text.h"
#include "router/mcp/sessions.h"
#include "router/mcp/upstream.h"

namespace kars::router::server {

namespace net = boost::asio;
namespace rpc = ::kars::mcp;
namespace gw = ::kars::router::mcp;

namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kVersion = "0.1.0";
// Headers the gateway decides on: a second copy is refused rather than guessed at.
constexpr std::string_view kSingleHeaders[] = {"host", "origin", "content-type",
                                               "mcp-protocol-version", "mcp-session-id"};

std::string header(const Request& req, std::string_view name) {
    auto it = req.message.find(boost::beast::string_view(name.data(), name.size()));
    if (it == req.message.end()) return {};
    return std::string(it->value());
}

std::string body_of(const boost::json::object& o) {
    return boost::json::serialize(o);
}

// An HTTP-level refusal still speaks JSON-RPC, so SDK clients surface its message.
std::string http_error(int code, std::string_view message) {
    return body_of(rpc::error_response(nullptr, code, message));
}

}  // namespace

struct McpService::Impl {
    explicit Impl(RouterState& s)
        : state(s),
          gateway(s.io().get_executor(), policy_for(s)),
          sessions(s.snapshot()->config.mcp.max_sessions,
                   s.snapshot()->config.mcp.session_idle_timeout) {}

    static gw::GatewayPolicy policy_for(RouterState& s) {
        gw::GatewayPolicy p;
        p.sandbox = s.sandbox();
        p.evaluate = [&s](std::string_view action) { return s.peek(action); };
        p.decide = [&s](std::string_view action) { return s.decide(action).decision; };
        p.record = [&s](audit::Event e) { return s.record(std::move(e)); };
        p.denied = [&s](std::string_view kind) { s.metrics().denial(s.sandbox(), kind); };
        return p;
    }

    // Brings the gateway in line with the current snapshot; cheap when nothing changed
    // (servers whose plan is the same keep running).
    std::shared_ptr<const Snapshot> sync() {
        auto snap = state.snapshot();
        std::lock_guard lock(mu);
        if (snap.get() == synced) return snap;
        const auto& m = snap->config.mcp;
        gw::GatewaySettings settings;
        settings.call_timeout = m.call_timeout;
        settings.list_timeout = m.list_timeout;
        settings.max_message_bytes = m.max_message_bytes;
        settings.pins_file = m.pins_file;
        settings.ca_file = snap->config.upstream.ca_file;
        settings.redactor = snap->redactor;
        auto st = gateway.configure(snap->mcp_servers, settings);
        if (!st.ok()) spdlog::error("mcp gateway: {}", st.error().message);
        sessions.set_limits(m.max_sessions, m.session_idle_timeout);
        synced = snap.get();
        return snap;
    }

    net::awaitable<void> post(Request& req, ResponseWriter& w);
    net::awaitable<void> remove(Request& req, ResponseWriter& w);
    net::awaitable<std::optional<boost::json::object>> dispatch(const rpc::Message& m,
                                                                const gw::CallerInfo& caller);
    net::awaitable<void> initialize(const rpc::Message& m, const Request& req, ResponseWriter& w);
    // Host, Origin and size checks shared by every method; false when it already answered.
    net::awaitable<bool> admit(const Request& req, ResponseWriter& w, const Snapshot& snap);

    RouterState& state;
    gw::Gateway gateway;
    gw::SessionTable sessions;
    std::mutex mu;
    const Snapshot* synced = nullptr;
};

net::awaitable<bool> McpService::Impl::admit(const Request& req, ResponseWriter& w,
                                             const Snapshot& snap) {
    const auto& m = snap.config.mcp;
    // Two of any header the gateway decides on would let the check read one and something
    // else act on the other; HTTP says a second Host is a bad request.
    std::string_view repeated;
    for (std::string_view name : kSingleHeaders) {
        if (repeated.empty() && req.message.count(name) > 1) repeated = name;
    }
    if (!repeated.empty()) {
        co_await w.send(400, kJson,
                        http_error(rpc::kInvalidRequest, "Bad Request: more than one " +
                                                             std::string(repeated) + " header"));
        co_return false;
    }
    if (!gw::host_allowed(header(req, "host"), m.allowed_hosts)) {
        co_await w.send(403, kJson,
                        http_error(rpc::kInvalidRequest,
                                   "Forbidden: Host '" + header(req, "host") +
                                       "' is not a loopback name and not in mcp.allowed_hosts"));
        co_return false;
    }
    auto origin = header(req, "origin");
    if (!gw::origin_allowed(origin, m.allowed_origins)) {
        co_await w.send(403, kJson,
                        http_error(rpc::kInvalidRequest, "Forbidden: Origin '" + origin +
                                                             "' is not in mcp.allowed_origins"));
        co_return false;
    }
    if (req.message.body().size() > m.max_message_bytes) {
        co_await w.send(413, kJson,
                        http_error(rpc::kInvalidRequest, "message larger than " +
                                                             std::to_string(m.max_message_bytes) +
                                                             " bytes (mcp.max_message_bytes)"));
        co_return false;
    }
    auto version = header(req, "mcp-protocol-version");
    if (!version.empty() && !gw::is_supported_protocol_version(version)) {
        co_await w.send(
            400, kJson,
            http_error(rpc::kInvalidRequest,
                       "Bad Request: unsupported MCP-Protocol-Version '" + version + "'"));
        co_return false;
    }
    co_return true;
}

net::awaitable<void> McpService::Impl::initialize(const rpc::Message& m, const Request& req,
                                                  ResponseWriter& w) {
    std::string requested;
    std::string client;
    if (m.params.is_object()) {
        requested =
            std::string(json::string_field(m.params.as_object(), "protocolVersion").value_or(""));
        if (const auto* info = m.params.as_object().if_contains("clientInfo")) {
            // The client names itself; the name goes into every audit entry of the session,
            // so it is kept short and printable.
            client = gw::log_text(json::string_field(*info, "name").value_or(""), 64);
        }
    }
    if (requested.empty()) {
        co_await w.send(400, kJson,
                        body_of(rpc::error_response(m.id, rpc::kInvalidParams,
                                                    "initialize: params.protocolVersion is "
                                                    "required")));
        co_return;
    }
    // The client's version when the gateway speaks it, else the newest (the client then
    // decides whether it can live with that, as MCP specifies).
    std::string version = gw::is_supported_protocol_version(requested)
                              ? requested
                              : std::string(gw::kProtocolVersions[0]);
    auto id = sessions.open(state.sandbox(), version, client);
    boost::json::object result{
        {"protocolVersion", version},
        {"capabilities",
         boost::json::object{{"tools", boost::json::object{{"listChanged", false}}}}},
        {"serverInfo",
         boost::json::object{
             {"name", "kars-router"}, {"title", "kars MCP gateway"}, {"version", kVersion}}},
        {"instructions",
         "Tools of the MCP servers this sandbox may use, named "
         "<server>__<tool>. Every call is checked against policy and audited."}};
    spdlog::info("mcp: session opened for client '{}' (protocol {}), trace {}", client, version,
                 req.trace_id);
    Headers extra;
    extra.emplace_back("mcp-session-id", id);
    co_await w.send(200, kJson, body_of(rpc::result_response(m.id, std::move(result))), extra);
}

net::awaitable<std::optional<boost::json::object>> McpService::Impl::dispatch(
    const rpc::Message& m, const gw::CallerInfo& caller) {
    if (m.kind != rpc::MessageKind::kRequest) co_return std::nullopt;
    if (m.method == "ping") co_return rpc::result_response(m.id, boost::json::object{});
    if (m.method == "tools/list") {
        auto listed = co_await gateway.list_tools(m, caller);
        co_return listed;
    }
    if (m.method == "tools/call") {
        auto called = co_await gateway.call_tool(m, caller);
        co_return called;
    }
    if (m.method == "initialize") {
        co_return rpc::error_response(m.id, rpc::kInvalidRequest,
                                      "initialize must be sent alone, not in a batch");
    }
    co_return rpc::error_response(
        m.id, rpc::kMethodNotFound,
        "Method not found: " + m.method + " (the kars gateway offers tools only)");
}

net::awaitable<void> McpService::Impl::post(Request& req, ResponseWriter& w) {
    auto snap = sync();
    const bool admitted = co_await admit(req, w, *snap);
    if (!admitted) co_return;
    if (!gw::is_json_content_type(header(req, "content-type"))) {
        co_await w.send(415, kJson,
                        http_error(rpc::kInvalidRequest,
                                   "Unsupported Media Type: Content-Type must be "
                                   "application/json"));
        co_return;
    }
    if (!gw::accepts_json_and_sse(header(req, "accept"))) {
        co_await w.send(406, kJson,
                        http_error(rpc::kInvalidRequest,
                                   "Not Acceptable: Accept must include both application/json "
                                   "and text/event-stream"));
        co_return;
    }
    auto envelope = rpc::parse_envelope(req.message.body());
    const auto& elements = envelope.elements;
    // A body that is not JSON-RPC at all is one error element with no message.
    if (!envelope.batch && elements.size() == 1 && !elements.front().message) {
        co_await w.send(400, kJson, body_of(elements.front().error_response));
        co_return;
    }
    if (!envelope.batch && elements.size() == 1 && elements.front().message &&
        elements.front().message->kind == rpc::MessageKind::kRequest &&
        elements.front().message->method == "initialize") {
        co_await initialize(*elements.front().message, req, w);
        co_return;
    }

    auto session_id = header(req, "mcp-session-id");
    if (session_id.empty()) {
        co_await w.send(400, kJson,
                        http_error(rpc::kInvalidRequest,
                                   "Bad Request: Mcp-Session-Id header is required (send "
                                   "initialize first)"));
        co_return;
    }
    auto session = sessions.touch(session_id, state.sandbox());
    if (!session) {
        co_await w.send(404, kJson,
                        http_error(-32001, "Session not found: initialize a new session"));
        co_return;
    }
    // After initialize, a client states the version it negotiated on every request.
    auto stated = header(req, "mcp-protocol-version");
    if (!stated.empty() && stated != session->protocol_version) {
        co_await w.send(400, kJson,
                        http_error(rpc::kInvalidRequest,
                                   "Bad Request: MCP-Protocol-Version " + stated +
                                       " differs from the session's " + session->protocol_version));
        co_return;
    }
    gw::CallerInfo caller{req.trace_id, session->client_name};
    boost::json::array responses;
    for (const auto& element : elements) {
        if (!element.message) {
            responses.push_back(element.error_response);
            continue;
        }
        auto answer = co_await dispatch(*element.message, caller);
        if (answer) responses.push_back(std::move(*answer));
    }
    if (responses.empty()) {
        co_await w.send(202, kJson, "");
        co_return;
    }
    std::string out = envelope.batch ? boost::json::serialize(responses)
                                     : boost::json::serialize(responses.front());
    co_await w.send(200, kJson, std::move(out));
}

net::awaitable<void> McpService::Impl::remove(Request& req, ResponseWriter& w) {
    auto snap = sync();
    const bool admitted = co_await admit(req, w, *snap);
    if (!admitted) co_return;
    auto session_id = header(req, "mcp-session-id");
    if (session_id.empty()) {
        co_await w.send(
            400, kJson,
            http_error(rpc::kInvalidRequest, "Bad Request: Mcp-Session-Id header is required"));
        co_return;
    }
    if (!sessions.close(session_id, state.sandbox())) {
        co_await w.send(404, kJson, http_error(-32001, "Session not found"));
        co_return;
    }
    co_await w.send(204, kJson, "");
}

McpService::McpService(RouterState& state) : impl_(std::make_unique<Impl>(state)) {}

McpService::~McpService() = default;

void McpService::register_routes(HttpServer& server) {
    auto* impl = impl_.get();
    server.route(http::verb::post, "/mcp",
                 [impl](Request& req, ResponseWriter& w) { return impl->post(req, w); });
    server.route(http::verb::delete_, "/mcp",
                 [impl](Request& req, ResponseWriter& w) { return impl->remove(req, w); });
    server.route(http::verb::get, "/mcp", [](Request&, ResponseWriter& w) -> net::awaitable<void> {
        // No server-initiated messages are relayed (servers' requests are answered by the
        // gateway itself), so there is no stream to offer; MCP clients expect this 405.
        Headers extra;
        extra.emplace_back("allow", "POST, DELETE");
        co_await w.send(405, kJson,
                        http_error(rpc::kInvalidRequest,
                                   "Method Not Allowed: the kars gateway has no server stream"),
                        extra);
    });
}

void McpService::shutdown() {
    impl_->gateway.shutdown();
}

}  // namespace kars::router::server
