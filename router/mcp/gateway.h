// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The MCP gateway's tool plane: the servers a sandbox may use, their tool catalogues
// merged under namespaced names, and the checks every call passes before a server sees it.
//
// A tool is listed only when its server's allowedTools names it, its definition matches
// the pinned one, and governance does not deny `mcp:<server>:<tool>`. A call is checked
// the same way whether or not the tool was listed (a client can name any tool), then
// decided with approvals, audited, and only then forwarded. A changed definition blocks the
// tool until an operator accepts the new one (`kars mcp approve`).

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "core/audit/entry.h"
#include "core/governance/decision.h"
#include "core/mcp/jsonrpc.h"
#include "core/mcp/tool_pin.h"
#include "router/config/mcp_loader.h"
#include "router/mcp/upstream.h"
#include "router/providers/secret_redactor.h"

namespace kars::router::mcp {

// What the gateway asks of the router around it.
struct GatewayPolicy {
    std::string sandbox;
    // A verdict with no side effects on approvals, for deciding what to list.
    std::function<governance::Decision(std::string_view action)> evaluate;
    // The verdict for a call: an approval is used up, or a request for one is filed.
    std::function<governance::Decision(std::string_view action)> decide;
    // Appends to the audit log; false when the log refused (then nothing runs).
    std::function<bool(audit::Event)> record;
    // Counts a refusal in the metrics, by policy kind.
    std::function<void(std::string_view kind)> denied;
};

struct GatewaySettings {
    std::chrono::milliseconds call_timeout{60'000};
    std::chrono::milliseconds list_timeout{30'000};
    // A server's catalogue is fetched again after this long, or when it says it changed.
    std::chrono::milliseconds catalogue_ttl{5'000};
    std::size_t max_message_bytes = 4 * 1024 * 1024;
    std::string pins_file;  // empty: pins live in memory only
    std::string ca_file;
    // The router's credentials (provider keys, server bearer tokens): a server that echoes
    // one in a tool result does not get it to the agent.
    providers::SecretRedactor redactor;
};

// Who is asking: for audit entries.
struct CallerInfo {
    std::string trace_id;
    std::string client;  // the MCP client's name from initialize
};

class Gateway {
public:
    Gateway(boost::asio::any_io_executor executor, GatewayPolicy policy);
    ~Gateway();
    Gateway(const Gateway&) = delete;
    Gateway& operator=(const Gateway&) = delete;

    // Installs the servers of a (re)loaded config. A server whose plan did not change keeps
    // its process or session; the others are started afresh on first use.
    Status configure(const std::vector<config::McpServerPlan>& plans, GatewaySettings settings);

    // Answers a tools/list or tools/call request with a complete JSON-RPC response.
    boost::asio::awaitable<boost::json::object> list_tools(const ::kars::mcp::Message& request,
                                                           const CallerInfo& caller);
    boost::asio::awaitable<boost::json::object> call_tool(const ::kars::mcp::Message& request,
                                                          const CallerInfo& caller);

    std::size_t server_count() const;
    // At exit, once the I/O threads have stopped: stops every local server and its
    // process group before returning.
    void shutdown();

private:
    struct Tool {
        std::string name;
        boost::json::object definition;
        std::string text;  // canonical JSON of what the digest covers (kept with pins)
        std::string digest;
        // Listed more than once with different definitions: which one a call would get is
        // the server's choice, so the tool is neither listed nor called.
        bool ambiguous = false;
    };
    struct Listing {
        std::vector<Tool> tools;
        SessionNumber session = 0;  // the server session that listed them
    };
    // Shared, never modified once published: a call holds the version it looked at.
    using Catalogue = std::shared_ptr<const Listing>;
    struct Server {
        config::McpServerPlan plan;
        std::shared_ptr<McpUpstream> upstream;
        std::mutex mu;  // guards the catalogue below
        Catalogue tools;
        std::chrono::steady_clock::time_point fetched{};  // of `tools`; null until a fetch
        std::optional<Error> last_error;  // the last fetch failed with this, at failed_at
        std::chrono::steady_clock::time_point failed_at{};
    };
    struct Refusal;
    // A tool a call may go to: found in `catalogue`, pinned and unchanged.
    struct Resolved {
        Catalogue catalogue;
        const Tool* tool = nullptr;
    };

    boost::asio::awaitable<Result<Catalogue>> catalogue(Server& server, bool force);
    boost::asio::awaitable<Result<Listing>> fetch(Server& server, const GatewaySettings& settings);
    boost::asio::awaitable<Result<Listing>> fetch_once(Server& server,
                                                       const GatewaySettings& settings);
    // Looks the tool up in the server's catalogue (listed afresh when `force`) and checks its
    // pin; the alternative is the complete answer that refuses the call.
    boost::asio::awaitable<std::variant<Resolved, boost::json::object>> resolve(
        Server& server, const ::kars::mcp::Message& request, const CallerInfo& caller,
        const std::string& tool_name, bool force);
    Result<::kars::mcp::PinState> check_pin(const Server& server, const Tool& tool,
                                            const CallerInfo& caller);
    boost::json::object refuse(const ::kars::mcp::Message& request, const Refusal& refusal,
                               const CallerInfo& caller);
    bool audit(std::string action, std::string decision, std::string kind, std::string reason,
               const CallerInfo& caller);
    std::vector<std::shared_ptr<Server>> servers() const;
    std::shared_ptr<const GatewaySettings> current_settings() const;
    std::shared_ptr<Server> server(const std::string& name) const;

    boost::asio::any_io_executor executor_;
    GatewayPolicy policy_;
    mutable std::mutex mu_;                            // guards the three members below
    std::shared_ptr<const GatewaySettings> settings_;  // replaced whole by configure()
    std::map<std::string, std::shared_ptr<Server>> servers_;
    std::shared_ptr<::kars::mcp::PinStore> pins_;
};

}  // namespace kars::router::mcp
