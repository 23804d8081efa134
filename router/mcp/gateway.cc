// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/mcp/gateway.h"

#include <atomic>
#include <map>
#include <optional>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/audit/digest.h"
#include "core/json/parse.h"
#include "router/mcp/handshake.h"
#include "router/mcp/http_upstream.h"
#include "router/mcp/log_text.h"
#include "router/mcp/stdio_upstream.h"
#include "router/mcp/tool_names.h"

namespace kars::router::mcp {

namespace net = boost::asio;
namespace rpc = ::kars::mcp;

namespace {

// The members of a tool definition a model is shown; the pin digest covers the same set,
// so nothing that reaches the agent can change without the pin noticing.
constexpr std::string_view kShownFields[] = {"title", "description", "inputSchema", "outputSchema",
                                             "annotations"};

// A server returning more than this is treated as broken rather than paged forever.
constexpr std::size_t kMaxPages = 32;
constexpr std::size_t kMaxToolsPerServer = 2048;
constexpr std::chrono::seconds kFailureBackoff{10};
// How often a listing checks whether its parallel catalogue fetches are done.
constexpr std::chrono::milliseconds kGatherPoll{5};
// The key under which a refusal carries the gateway's decision in a tool result's `_meta`.
// Only the gateway may write it: a server's result loses any value it put there.
constexpr std::string_view kDecisionMetaKey = "kars.azure.com/decision";

std::string short_digest(const std::string& digest) {
    return digest.substr(0, 16);
}

Result<std::shared_ptr<McpUpstream>> make_upstream(const net::any_io_executor& executor,
                                                   const config::McpServerPlan& plan,
                                                   const GatewaySettings& settings) {
    if (plan.stdio) {
        StdioOptions o;
        o.server = plan.spec.name;
        o.argv = plan.argv;
        o.env = plan.env;
        o.cwd = plan.cwd;
        o.max_message_bytes = settings.max_message_bytes;
        o.init_timeout = settings.list_timeout;
        return make_stdio_upstream(executor, std::move(o));
    }
    HttpOptions o;
    o.server = plan.spec.name;
    o.url = plan.url;
    o.bearer = plan.bearer;
    o.ca_file = settings.ca_file;
    o.max_message_bytes = settings.max_message_bytes;
    o.init_timeout = settings.list_timeout;
    return make_http_upstream(executor, std::move(o));
}

}  // namespace

// Why a call does not reach its server, in the shape the agent and the audit log get it.
struct Gateway::Refusal {
    std::string action;
    std::string kind;  // policy kind, as in audit entries and metrics
    std::string rule;
    std::string reason;
    std::string decision = "deny";  // or requires_approval, rate_limited
};

Gateway::Gateway(net::any_io_executor executor, GatewayPolicy policy)
    : executor_(std::move(executor)), policy_(std::move(policy)) {}

Gateway::~Gateway() {
    shutdown();
}

void Gateway::shutdown() {
    std::map<std::string, std::shared_ptr<Server>> gone;
    {
        std::lock_guard lock(mu_);
        gone.swap(servers_);
    }
    for (auto& [name, s] : gone) {
        if (s->upstream) s->upstream->terminate();
    }
}

Status Gateway::configure(const std::vector<config::McpServerPlan>& plans,
                          GatewaySettings settings) {
    std::map<std::string, std::shared_ptr<Server>> next;
    std::vector<std::shared_ptr<Server>> retired;
    std::lock_guard lock(mu_);
    for (const auto& plan : plans) {
        auto old = servers_.find(plan.spec.name);
        if (old != servers_.end() && old->second->plan.fingerprint == plan.fingerprint) {
            // Same process or endpoint: keep it and its catalogue; what may change without a
            // restart (allowedTools, display name) is read from the new plan.
            auto kept = std::make_shared<Server>();
            kept->plan = plan;
            kept->upstream = old->second->upstream;
            {
                std::lock_guard cat(old->second->mu);
                kept->tools = old->second->tools;
                kept->fetched = old->second->fetched;
            }
            next.emplace(plan.spec.name, std::move(kept));
            continue;
        }
        auto upstream = make_upstream(executor_, plan, settings);
        if (!upstream.ok()) return upstream.error();
        auto s = std::make_shared<Server>();
        s->plan = plan;
        s->upstream = std::move(*upstream);
        next.emplace(plan.spec.name, std::move(s));
    }
    for (auto& [name, s] : servers_) {
        auto n = next.find(name);
        if (n == next.end() || n->second->upstream != s->upstream) retired.push_back(s);
    }
    if (!pins_ || !settings_ || settings.pins_file != settings_->pins_file) {
        pins_ = std::make_shared<rpc::PinStore>(settings.pins_file);
    }
    servers_ = std::move(next);
    settings_ = std::make_shared<const GatewaySettings>(std::move(settings));
    for (auto& s : retired) s->upstream->retire();
    return ok_status();
}

std::size_t Gateway::server_count() const {
    std::lock_guard lock(mu_);
    return servers_.size();
}

std::vector<std::shared_ptr<Gateway::Server>> Gateway::servers() const {
    std::lock_guard lock(mu_);
    std::vector<std::shared_ptr<Server>> out;
    for (const auto& [name, s] : servers_) out.push_back(s);
    return out;
}

std::shared_ptr<Gateway::Server> Gateway::server(const std::string& name) const {
    std::lock_guard lock(mu_);
    auto it = servers_.find(name);
    return it == servers_.end() ? nullptr : it->second;
}

bool Gateway::audit(std::string action, std::string decision, std::string kind, std::string reason,
                    const CallerInfo& caller) {
    audit::Event e;
    e.sandbox = policy_.sandbox;
    e.action = std::move(action);
    e.decision = std::move(decision);
    e.policy_kind = std::move(kind);
    e.reason = std::move(reason);
    if (!caller.client.empty()) e.reason += " (MCP client " + caller.client + ")";
    e.trace_id = caller.trace_id;
    return policy_.record(std::move(e));
}

std::shared_ptr<const GatewaySettings> Gateway::current_settings() const {
    std::lock_guard lock(mu_);
    return settings_ ? settings_ : std::make_shared<const GatewaySettings>();
}

net::awaitable<Result<Gateway::Catalogue>> Gateway::catalogue(Server& server, bool force) {
    const auto current = current_settings();
    const GatewaySettings& settings = *current;
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(server.mu);
        const bool fresh = server.tools && !server.upstream->tools_changed() &&
                           now - server.fetched < settings.catalogue_ttl;
        if (fresh && !force) co_return Catalogue(server.tools);
        // A server that just failed is not asked again for a while: one that hangs would
        // otherwise cost every listing its full timeout.
        if (server.last_error && now - server.failed_at < kFailureBackoff) {
            co_return make_error(server.last_error->code,
                                 server.last_error->message + " (not retried for " +
                                     std::to_string(kFailureBackoff.count()) + " s)");
        }
    }
    server.upstream->clear_tools_changed();
    auto fetched = co_await fetch(server, settings);
    std::lock_guard lock(server.mu);
    if (!fetched.ok()) {
        server.last_error = fetched.error();
        server.failed_at = std::chrono::steady_clock::now();
        co_return fetched.error();
    }
    server.last_error.reset();
    server.tools = std::make_shared<const Listing>(std::move(*fetched));
    server.fetched = std::chrono::steady_clock::now();
    co_return Catalogue(server.tools);
}

net::awaitable<Result<Gateway::Listing>> Gateway::fetch(Server& server,
                                                        const GatewaySettings& settings) {
    // A listing's pages all come from one session; a restart in between lists again, once.
    auto listing = co_await fetch_once(server, settings);
    if (!listing.ok() && listing.error().code == "mcp_restarted") {
        listing = co_await fetch_once(server, settings);
    }
    co_return listing;
}

net::awaitable<Result<Gateway::Listing>> Gateway::fetch_once(Server& server,
                                                             const GatewaySettings& settings) {
    Listing listing;
    auto& tools = listing.tools;
    std::map<std::string, std::size_t, std::less<>> seen;  // name -> index in tools
    std::string cursor;
    const std::string& name = server.plan.spec.name;
    for (std::size_t page = 0; page < kMaxPages; ++page) {
        boost::json::object params;
        if (!cursor.empty()) params["cursor"] = cursor;
        auto reply = co_await server.upstream->request("tools/list", std::move(params),
                                                       settings.list_timeout, listing.session);
        if (!reply.ok()) co_return reply.error();
        listing.session = reply->session;
        if (auto err = describe_error_reply(reply->message); !err.empty()) {
            co_return make_error("mcp_protocol",
                                 "MCP server '" + name + "' refused tools/list: " + err);
        }
        const auto* result = json::find_field(reply->message, "result");
        const auto* list = result ? json::find_field(*result, "tools") : nullptr;
        if (list == nullptr || !list->is_array()) {
            co_return make_error("mcp_protocol",
                                 "MCP server '" + name + "' answered tools/list without tools");
        }
        for (const auto& item : list->as_array()) {
            auto tool_name = json::string_field(item, "name");
            if (!item.is_object() || !tool_name || !valid_tool_name(*tool_name)) {
                spdlog::warn("mcp server {}: skipped a tool without a valid name", name);
                continue;
            }
            auto text = rpc::tool_definition_text(item.as_object());
            if (!text.ok()) {
                spdlog::warn("mcp server {}: skipped tool {}: {}", name, *tool_name,
                             text.error().message);
                continue;
            }
            auto digest = audit::sha256_hex(*text);
            if (auto twin = seen.find(*tool_name); twin != seen.end()) {
                Tool& first = tools[twin->second];
                if (first.digest != digest && !first.ambiguous) {
                    spdlog::warn(
                        "mcp server {}: lists tool {} twice with different definitions; "
                        "it is withheld until the server lists it once",
                        name, *tool_name);
                    first.ambiguous = true;
                }
                continue;
            }
            seen.emplace(std::string(*tool_name), tools.size());
            tools.push_back(Tool{std::string(*tool_name), item.as_object(), std::move(*text),
                                 std::move(digest)});
        }
        if (tools.size() > kMaxToolsPerServer) {
            co_return make_error("mcp_protocol", "MCP server '" + name + "' lists more than " +
                                                     std::to_string(kMaxToolsPerServer) + " tools");
        }
        auto next = json::string_field(*result, "nextCursor");
        if (!next || next->empty()) break;
        cursor = std::string(*next);
    }
    co_return listing;
}

// A definition seen for the first time is pinned (and audited); one that differs from its
// pin is audited each time it is met, and blocked.
Result<rpc::PinState> Gateway::check_pin(const Server& server, const Tool& tool,
                                         const CallerInfo& caller) {
    std::shared_ptr<rpc::PinStore> pins;
    {
        std::lock_guard lock(mu_);
        pins = pins_;
    }
    const auto& sname = server.plan.spec.name;
    auto state = pins->check(sname, tool.name, tool.digest, tool.text);
    if (!state.ok()) return state.error();
    const auto action = tool_action(sname, tool.name);
    if (*state == rpc::PinState::kPinnedNow) {
        if (!audit(action, "allow", "mcp_pin",
                   "tool definition pinned on first sight (sha256 " + tool.digest + ")", caller)) {
            return make_error("audit_unavailable", "the audit log is unavailable");
        }
    } else if (*state == rpc::PinState::kDrifted) {
        audit(action, "deny", "mcp_pin",
              "tool definition changed since it was pinned (now sha256 " + tool.digest +
                  "); blocked until re-approved with `kars mcp approve " + policy_.sandbox + " " +
                  sname + " " + tool.name + " " + tool.digest.substr(0, 12) + "`",
              caller);
        if (policy_.denied) policy_.denied("mcp_pin");
    }
    return state;
}

net::awaitable<boost::json::object> Gateway::list_tools(const rpc::Message& request,
                                                        const CallerInfo& caller) {
    if (request.params.is_object()) {
        auto cursor = json::string_field(request.params.as_object(), "cursor");
        // Everything is listed in one page, so no cursor was ever handed out.
        if (cursor && !cursor->empty()) {
            co_return rpc::error_response(request.id, rpc::kInvalidParams,
                                          "unknown cursor: the gateway lists every tool in one "
                                          "page");
        }
    }
    auto all = servers();
    // Servers are asked at once, so a slow one delays the listing by its own time only.
    struct Gather {
        std::vector<std::optional<Result<Catalogue>>> results;
        std::atomic<std::size_t> pending{0};
    };
    auto gather = std::make_shared<Gather>();
    gather->results.resize(all.size());
    gather->pending = all.size();
    for (std::size_t i = 0; i < all.size(); ++i) {
        net::co_spawn(
            executor_,
            [this, gather, i, s = all[i]]() -> net::awaitable<void> {
                auto r = co_await catalogue(*s, false);
                gather->results[i] = std::move(r);
                gather->pending.fetch_sub(1);
            },
            net::detached);
    }
    net::steady_timer poll(executor_);
    while (gather->pending.load() > 0) {
        poll.expires_after(kGatherPoll);
        co_await poll.async_wait(net::use_awaitable);
    }
    boost::json::array listed;
    for (std::size_t i = 0; i < all.size(); ++i) {
        const auto& s = all[i];
        auto& tools = *gather->results[i];
        if (!tools.ok()) {
            spdlog::warn("mcp: tools of server {} are not listed: {}", s->plan.spec.name,
                         tools.error().message);
            continue;
        }
        for (const auto& tool : (*tools)->tools) {
            const auto& spec = s->plan.spec;
            if (tool.ambiguous || !rpc::server_allows_tool(spec, tool.name)) continue;
            auto pin = check_pin(*s, tool, caller);
            if (!pin.ok()) {
                spdlog::error("mcp: pin check of {}/{} failed, tool hidden: {}", spec.name,
                              tool.name, pin.error().message);
                continue;
            }
            if (*pin == rpc::PinState::kDrifted) continue;
            auto d = policy_.evaluate(tool_action(spec.name, tool.name));
            if (d.verdict == governance::Verdict::kDenied) continue;
            boost::json::object shown{{"name", exposed_tool_name(spec.name, tool.name)}};
            for (auto field : kShownFields) {
                if (const auto* v = tool.definition.if_contains(field)) shown[field] = *v;
            }
            if (!shown.contains("inputSchema")) {
                shown["inputSchema"] = boost::json::object{{"type", "object"}};
            }
            listed.push_back(std::move(shown));
        }
    }
    co_return rpc::result_response(request.id, boost::json::object{{"tools", std::move(listed)}});
}

boost::json::object Gateway::refuse(const rpc::Message& request, const Refusal& r,
                                    const CallerInfo& caller) {
    audit(r.action, r.decision, r.kind, "mcp tools/call: " + r.reason, caller);
    if (policy_.denied) policy_.denied(r.kind);
    std::string text = "The kars gateway refused this tool call (" + r.action + "): " + r.reason;
    boost::json::object decision{{"decision", r.decision},
                                 {"policy_kind", r.kind},
                                 {"rule", r.rule},
                                 {"action", r.action},
                                 {"reason", r.reason}};
    boost::json::object result{
        {"content", boost::json::array{boost::json::object{{"type", "text"}, {"text", text}}}},
        {"isError", true},
        {"_meta", boost::json::object{{kDecisionMetaKey, std::move(decision)}}}};
    return rpc::result_response(request.id, std::move(result));
}

net::awaitable<boost::json::object> Gateway::call_tool(const rpc::Message& request,
                                                       const CallerInfo& caller) {
    if (!request.params.is_object()) {
        co_return rpc::error_response(request.id, rpc::kInvalidParams,
                                      "tools/call needs params {name, arguments}");
    }
    const auto& params = request.params.as_object();
    auto name = json::string_field(params, "name");
    if (!name || name->empty()) {
        co_return rpc::error_response(request.id, rpc::kInvalidParams,
                                      "tools/call: params.name must be a non-empty string");
    }
    const auto* arguments = params.if_contains("arguments");
    if (arguments != nullptr && !arguments->is_object() && !arguments->is_null()) {
        co_return rpc::error_response(request.id, rpc::kInvalidParams,
                                      "tools/call: params.arguments must be an object");
    }
    auto parts = split_tool_name(*name);
    std::shared_ptr<Server> s = parts ? server(parts->first) : nullptr;
    if (!parts || !s || !valid_tool_name(parts->second)) {
        // The name is the caller's text: the audit entry gets a bounded, printable copy, and
        // an action string only when the name has the shape of one.
        const bool shaped =
            parts && valid_tool_name(parts->second) && valid_tool_name(parts->first);
        audit(shaped ? tool_action(parts->first, parts->second) : std::string("mcp:?"), "deny",
              "mcp_gateway", "mcp tools/call of unknown tool " + log_text(*name, 160), caller);
        co_return rpc::error_response(
            request.id, rpc::kInvalidParams,
            "Unknown tool: " + log_text(*name, 160) + " (gateway tools are named <server>__<tool>)",
            boost::json::object{{"tool", *name}});
    }
    // Plain names, not a structured binding: the lookup lambda below captures them.
    const std::string& server_name = parts->first;
    const std::string& tool_name = parts->second;
    const auto action = tool_action(server_name, tool_name);
    const auto& spec = s->plan.spec;

    if (!rpc::server_allows_tool(spec, tool_name)) {
        co_return refuse(request,
                         {action, "mcp_server", spec.source + "#allowedTools",
                          "'" + tool_name + "' is not in spec.allowedTools of " + spec.source},
                         caller);
    }
    auto first = co_await resolve(*s, request, caller, tool_name, false);
    if (auto* refused = std::get_if<boost::json::object>(&first)) co_return std::move(*refused);
    Resolved checked = std::get<Resolved>(std::move(first));
    auto d = policy_.decide(action);
    if (!d.allowed()) {
        std::string decision = d.verdict == governance::Verdict::kRequiresApproval
                                   ? "requires_approval"
                               : d.verdict == governance::Verdict::kRateLimited ? "rate_limited"
                                                                                : "deny";
        co_return refuse(request,
                         {action, std::string(governance::to_string(d.rule.kind)),
                          d.rule.source.empty() ? d.rule.rule : d.rule.source + "#" + d.rule.rule,
                          d.reason, decision},
                         caller);
    }
    if (!audit(action, "allow", std::string(governance::to_string(d.rule.kind)),
               "mcp tools/call: " + d.reason, caller)) {
        co_return rpc::error_response(request.id, rpc::kInternalError,
                                      "the audit log is unavailable, so no tool may run");
    }

    // One settings snapshot for the whole call: a reload meanwhile applies to the next one.
    const auto settings = current_settings();
    const auto call_timeout = settings->call_timeout;
    auto forward = [&] {
        boost::json::object p{{"name", tool_name}};
        if (arguments != nullptr && arguments->is_object()) p["arguments"] = *arguments;
        return p;
    };
    auto reply = co_await s->upstream->request("tools/call", forward(), call_timeout,
                                               checked.catalogue->session);
    if (!reply.ok() && reply.error().code == "mcp_restarted") {
        // The process (or session) behind the server is not the one whose tools were checked:
        // the new one's definition is listed and checked before the call may reach it.
        auto again = co_await resolve(*s, request, caller, tool_name, true);
        if (auto* refused = std::get_if<boost::json::object>(&again)) {
            co_return std::move(*refused);
        }
        checked = std::get<Resolved>(std::move(again));
        reply = co_await s->upstream->request("tools/call", forward(), call_timeout,
                                              checked.catalogue->session);
    }
    if (!reply.ok()) {
        audit(action, "error", "mcp_gateway", "mcp tools/call failed: " + reply.error().message,
              caller);
        co_return rpc::error_response(request.id, rpc::kInternalError, reply.error().message,
                                      boost::json::object{{"tool", *name}});
    }
    if (const auto* err = reply->message.if_contains("error"); err && err->is_object()) {
        const auto& e = err->as_object();
        auto code = json::int_field(e, "code");
        std::string message(json::string_field(e, "message").value_or("MCP server error"));
        const auto* data = e.if_contains("data");
        boost::json::value detail = data ? *data : boost::json::value(nullptr);
        settings->redactor.redact(message);
        settings->redactor.redact(detail);
        co_return rpc::error_response(request.id,
                                      static_cast<int>(code.value_or(rpc::kInternalError)),
                                      std::move(message), std::move(detail));
    }
    auto* result = reply->message.if_contains("result");
    if (result == nullptr || !result->is_object()) {
        co_return rpc::error_response(
            request.id, rpc::kInternalError,
            "MCP server '" + server_name + "' answered tools/call without a result object");
    }
    if (auto* meta = result->as_object().if_contains("_meta"); meta && meta->is_object()) {
        meta->as_object().erase(kDecisionMetaKey);
    }
    settings->redactor.redact(*result);
    co_return rpc::result_response(request.id, std::move(*result));
}

net::awaitable<std::variant<Gateway::Resolved, boost::json::object>> Gateway::resolve(
    Server& server, const rpc::Message& request, const CallerInfo& caller,
    const std::string& tool_name, bool force) {
    const std::string& server_name = server.plan.spec.name;
    const auto action = tool_action(server_name, tool_name);
    const auto exposed = exposed_tool_name(server_name, tool_name);
    auto tools = co_await catalogue(server, force);
    auto find = [&](const Catalogue& list) -> const Tool* {
        for (const auto& t : list->tools) {
            if (t.name == tool_name) return &t;
        }
        return nullptr;
    };
    const Tool* tool = tools.ok() ? find(*tools) : nullptr;
    if (tools.ok() && tool == nullptr && !force) {
        tools = co_await catalogue(server, true);  // it may be new since the last listing
        tool = tools.ok() ? find(*tools) : nullptr;
    }
    if (!tools.ok()) {
        audit(action, "error", "mcp_gateway", "mcp tools/call: " + tools.error().message, caller);
        co_return rpc::error_response(request.id, rpc::kInternalError, tools.error().message,
                                      boost::json::object{{"tool", exposed}});
    }
    if (tool == nullptr) {
        audit(action, "deny", "mcp_gateway",
              "mcp tools/call: server " + server_name + " has no tool " + tool_name, caller);
        co_return rpc::error_response(request.id, rpc::kInvalidParams, "Unknown tool: " + exposed,
                                      boost::json::object{{"tool", exposed}});
    }
    if (tool->ambiguous) {
        co_return refuse(request,
                         {action, "mcp_gateway", "one-definition-per-tool",
                          "server " + server_name + " lists '" + tool_name +
                              "' more than once with different definitions; it is withheld "
                              "until the server lists one"},
                         caller);
    }
    auto pin = check_pin(server, *tool, caller);
    if (!pin.ok()) {
        audit(action, "error", "mcp_pin",
              "mcp tools/call: pins cannot be checked: " + pin.error().message, caller);
        co_return rpc::error_response(request.id, rpc::kInternalError,
                                      "tool pins cannot be checked: " + pin.error().message);
    }
    if (*pin == rpc::PinState::kDrifted) {
        co_return refuse(request,
                         {action, "mcp_pin", "definition-pin",
                          "the tool's definition changed since it was approved (sha256 " +
                              short_digest(tool->digest) +
                              "...); an operator must review and "
                              "accept it with `kars mcp approve " +
                              policy_.sandbox + " " + server_name + " " + tool_name + " " +
                              short_digest(tool->digest) + "`"},
                         caller);
    }
    co_return Resolved{*tools, tool};
}

}  // namespace kars::router::mcp
