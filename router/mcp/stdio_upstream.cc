// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/mcp/stdio_upstream.h"

#include <unistd.h>

#include <atomic>
#include <map>
#include <optional>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/serialize.hpp>

#include "core/json/parse.h"
#include "core/mcp/jsonrpc.h"
#include "router/mcp/child_process.h"
#include "router/mcp/handshake.h"
#include "router/mcp/log_text.h"

namespace kars::router::mcp {

namespace net = boost::asio;
namespace rpc = ::kars::mcp;

namespace {

constexpr auto kNoThrow = net::as_tuple(net::use_awaitable);
using Strand = net::strand<net::any_io_executor>;

class StdioUpstream final : public McpUpstream, public std::enable_shared_from_this<StdioUpstream> {
public:
    StdioUpstream(const net::any_io_executor& ex, StdioOptions options)
        : strand_(net::make_strand(ex)), opt_(std::move(options)), ready_(strand_) {}

    ~StdioUpstream() override { stop_process(); }

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

    bool tools_changed() const override { return tools_changed_.load(); }
    void clear_tools_changed() override { tools_changed_ = false; }

    void retire() override {
        auto self = shared_from_this();
        net::dispatch(strand_, [self] {
            self->stop_process();
            self->fail_pending("the MCP server is no longer configured");
        });
    }

    void terminate() override {
        // The I/O threads have stopped, so nothing else touches these members now.
        ++generation_;
        state_ = State::kStopped;
        if (stdin_) {
            boost::system::error_code ignored;
            stdin_->close(ignored);
            stdin_.reset();
        }
        if (pid_ > 0) stop_child_now(pid_, std::chrono::milliseconds(1'000));
        pid_ = -1;
    }

private:
    enum class State { kStopped, kStarting, kReady };

    struct Pending {
        explicit Pending(const Strand& s) : timer(s) {}
        net::steady_timer timer;
        std::optional<Result<boost::json::object>> reply;
    };

    // Everything below runs on strand_: no locks, and no interleaving between a check of
    // state and the wait that depends on it.
    net::awaitable<void> run(std::string method, boost::json::value params,
                             std::chrono::milliseconds timeout, SessionNumber within,
                             std::optional<Result<UpstreamReply>>& out) {
        auto started = co_await ensure_started();
        if (!started.ok()) {
            out = started.error();
            co_return;
        }
        // Checked after the start: a request that found the process dead has just started
        // a new one, whose tools nobody has looked at yet.
        if (within != 0 && within != session_) {
            out = make_error("mcp_restarted", "MCP server '" + opt_.server +
                                                  "' was restarted since its tools were checked");
            co_return;
        }
        const SessionNumber session = session_;
        auto reply = co_await exchange(method, std::move(params), timeout);
        if (!reply.ok()) {
            out = reply.error();
        } else {
            out = UpstreamReply{std::move(*reply), session};
        }
    }

    net::awaitable<Status> ensure_started() {
        while (state_ == State::kStarting) {
            co_await ready_.async_wait(kNoThrow);
        }
        if (state_ == State::kReady) co_return ok_status();
        auto now = std::chrono::steady_clock::now();
        if (launched_once_ && now - last_launch_ < opt_.restart_backoff) {
            co_return make_error("mcp_unavailable", "MCP server '" + opt_.server +
                                                        "' is not running (" + last_error_ +
                                                        "); it is restarted after a short pause");
        }
        state_ = State::kStarting;
        ready_.expires_at(net::steady_timer::time_point::max());
        auto st = co_await launch();
        if (st.ok()) {
            state_ = State::kReady;
            ++session_;
        } else {
            last_error_ = st.error().message;
            stop_process();
            fail_pending(last_error_);
        }
        ready_.cancel();
        co_return st;
    }

    net::awaitable<Status> launch() {
        launched_once_ = true;
        last_launch_ = std::chrono::steady_clock::now();
        auto child = spawn_child(opt_.argv, opt_.env, opt_.cwd);
        if (!child.ok()) co_return child.error();
        ++generation_;
        pid_ = child->pid;
        stdin_ = std::make_shared<net::posix::stream_descriptor>(strand_, child->stdin_fd);
        auto out = std::make_shared<net::posix::stream_descriptor>(strand_, child->stdout_fd);
        auto err = std::make_shared<net::posix::stream_descriptor>(strand_, child->stderr_fd);
        auto self = shared_from_this();
        net::co_spawn(strand_, read_stdout(self, out, generation_), net::detached);
        net::co_spawn(strand_, read_stderr(self, err), net::detached);
        spdlog::info("mcp server {}: started (pid {})", opt_.server, pid_);

        auto reply = co_await exchange("initialize", initialize_params(), opt_.init_timeout);
        if (!reply.ok()) co_return reply.error();
        auto accepted = check_initialize_reply(opt_.server, *reply);
        if (!accepted.ok()) co_return accepted.error();
        enqueue(rpc::notification("notifications/initialized", nullptr));
        co_return ok_status();
    }

    net::awaitable<Result<boost::json::object>> exchange(const std::string& method,
                                                         boost::json::value params,
                                                         std::chrono::milliseconds timeout) {
        if (!stdin_)
            co_return make_error("mcp_unavailable",
                                 "MCP server '" + opt_.server + "' is not running");
        std::int64_t id = next_id_++;
        const std::uint64_t skips_before = skipped_lines_;
        auto pending = std::make_shared<Pending>(strand_);
        pending->timer.expires_after(timeout);
        pending_.emplace(id, pending);
        enqueue(rpc::request(id, method, std::move(params)));
        co_await pending->timer.async_wait(kNoThrow);
        pending_.erase(id);
        if (pending->reply) co_return std::move(*pending->reply);
        enqueue(rpc::notification("notifications/cancelled",
                                  boost::json::object{{"requestId", id}, {"reason", "timeout"}}));
        std::string why = "MCP server '" + opt_.server + "' did not answer " + method + " within " +
                          std::to_string(timeout.count()) + " ms";
        if (skipped_lines_ != skips_before) {
            why += "; meanwhile it wrote " + std::to_string(skipped_lines_ - skips_before) +
                   " line(s) the gateway could not read, the last: " + last_skip_;
        }
        co_return make_error("mcp_timeout", why);
    }

    void enqueue(const boost::json::object& message) {
        if (!stdin_) return;
        outbox_ += boost::json::serialize(message);
        outbox_ += '\n';
        if (writing_) return;
        writing_ = true;
        net::co_spawn(strand_, drain_outbox(shared_from_this()), net::detached);
    }

    static net::awaitable<void> drain_outbox(std::shared_ptr<StdioUpstream> self) {
        while (!self->outbox_.empty() && self->stdin_) {
            std::string chunk;
            chunk.swap(self->outbox_);
            auto pipe = self->stdin_;  // kept alive even if the process is stopped meanwhile
            auto [ec, n] = co_await net::async_write(*pipe, net::buffer(chunk), kNoThrow);
            if (ec) {
                self->on_exit("its stdin closed (" + ec.message() + ")");
                break;
            }
        }
        self->outbox_.clear();
        self->writing_ = false;
    }

    static net::awaitable<void> read_stdout(std::shared_ptr<StdioUpstream> self,
                                            std::shared_ptr<net::posix::stream_descriptor> out,
                                            std::uint64_t generation) {
        std::string line;
        bool discarding = false;  // inside a line longer than the message limit
        char chunk[16 * 1024];
        for (;;) {
            auto [ec, n] = co_await out->async_read_some(net::buffer(chunk), kNoThrow);
            if (ec) break;
            std::string_view data(chunk, n);
            while (!data.empty()) {
                auto nl = data.find('\n');
                auto piece = data.substr(0, nl);
                if (!discarding) {
                    if (line.size() + piece.size() > self->opt_.max_message_bytes) {
                        spdlog::warn("mcp server {}: a message over {} bytes was dropped",
                                     self->opt_.server, self->opt_.max_message_bytes);
                        self->skipped("a message over " +
                                      std::to_string(self->opt_.max_message_bytes) + " bytes");
                        line.clear();
                        discarding = true;
                    } else {
                        line.append(piece);
                    }
                }
                if (nl == std::string_view::npos) break;
                if (!discarding && generation == self->generation_) self->handle_line(line);
                line.clear();
                discarding = false;
                data.remove_prefix(nl + 1);
            }
        }
        if (generation == self->generation_) self->on_exit("it closed its stdout");
    }

    static net::awaitable<void> read_stderr(std::shared_ptr<StdioUpstream> self,
                                            std::shared_ptr<net::posix::stream_descriptor> err) {
        std::string line;
        char chunk[4096];
        for (;;) {
            auto [ec, n] = co_await err->async_read_some(net::buffer(chunk), kNoThrow);
            if (ec) break;
            for (std::size_t i = 0; i < n; ++i) {
                if (chunk[i] == '\n') {
                    spdlog::info("mcp server {} (stderr): {}", self->opt_.server,
                                 log_text(line, 500));
                    line.clear();
                } else if (line.size() < 4096) {
                    line.push_back(chunk[i]);
                }
            }
        }
    }

    void handle_line(std::string_view line) {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos) return;
        auto parsed = json::parse(line);
        if (!parsed.ok()) {
            spdlog::warn("mcp server {}: skipped a stdout line that is not JSON: {}", opt_.server,
                         log_text(line, 200));
            skipped(parsed.error().message);
            return;
        }
        auto message = rpc::classify(*parsed);
        if (!message.ok()) {
            spdlog::warn("mcp server {}: skipped a line that is not JSON-RPC ({}): {}", opt_.server,
                         message.error().message, log_text(line, 200));
            skipped(message.error().message);
            return;
        }
        switch (message->kind) {
            case rpc::MessageKind::kResponse:
                deliver(*message);
                break;
            case rpc::MessageKind::kRequest:
                answer_server_request(*message);
                break;
            case rpc::MessageKind::kNotification:
                if (message->method == "notifications/tools/list_changed") tools_changed_ = true;
                break;
        }
    }

    void skipped(std::string why) {
        ++skipped_lines_;
        last_skip_ = std::move(why);
    }

    void deliver(rpc::Message& message) {
        if (!message.id.is_int64()) return;
        auto it = pending_.find(message.id.as_int64());
        if (it == pending_.end()) return;  // late answer to a request that timed out
        // The first answer stands: a second one for the same id arriving before the waiting
        // call resumes must not replace what the server said first.
        if (it->second->reply) return;
        it->second->reply = std::move(message.body);
        it->second->timer.cancel();
    }

    // The gateway offers servers no client capabilities (no sampling, roots or
    // elicitation): a server asking for them is told so instead of being left waiting.
    void answer_server_request(const rpc::Message& message) {
        if (message.method == "ping") {
            enqueue(rpc::result_response(message.id, boost::json::object{}));
            return;
        }
        enqueue(rpc::error_response(
            message.id, rpc::kMethodNotFound,
            "the kars gateway does not offer '" + message.method + "' to MCP servers"));
    }

    void on_exit(const std::string& why) {
        if (state_ == State::kStopped && pid_ < 0) return;
        last_error_ = "exited: " + why;
        spdlog::warn("mcp server {}: {}", opt_.server, last_error_);
        stop_process();
        fail_pending("MCP server '" + opt_.server + "' " + last_error_);
    }

    void fail_pending(const std::string& why) {
        for (auto& [id, p] : pending_) {
            if (!p->reply) p->reply = make_error("mcp_unavailable", why);
            p->timer.cancel();
        }
    }

    void stop_process() {
        ++generation_;
        state_ = State::kStopped;
        if (stdin_) {  // closing stdin is how MCP asks a stdio server to exit
            boost::system::error_code ignored;
            stdin_->close(ignored);
            stdin_.reset();
        }
        outbox_.clear();
        if (pid_ > 0) stop_child_detached(pid_, std::chrono::milliseconds(2'000));
        pid_ = -1;
    }

    Strand strand_;
    StdioOptions opt_;
    net::steady_timer ready_;  // cancelled when a start attempt finishes
    State state_ = State::kStopped;
    bool launched_once_ = false;
    std::chrono::steady_clock::time_point last_launch_{};
    std::string last_error_;
    pid_t pid_ = -1;
    std::uint64_t generation_ = 0;  // of the stdout reader that may deliver replies
    SessionNumber session_ = 0;     // of the last process that completed its handshake
    std::shared_ptr<net::posix::stream_descriptor> stdin_;
    std::string outbox_;
    bool writing_ = false;
    std::int64_t next_id_ = 1;
    std::map<std::int64_t, std::shared_ptr<Pending>> pending_;
    std::atomic<bool> tools_changed_{false};
    std::uint64_t skipped_lines_ = 0;  // stdout lines that were not JSON-RPC
    std::string last_skip_;
};

}  // namespace

std::shared_ptr<McpUpstream> make_stdio_upstream(net::any_io_executor executor,
                                                 StdioOptions options) {
    return std::make_shared<StdioUpstream>(std::move(executor), std::move(options));
}

}  // namespace kars::router::mcp
