// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/eval_runner.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

#include <boost/json/serialize.hpp>

#include "cli/http_probe.h"
#include "core/audit/entry.h"
#include "core/audit/line_reader.h"
#include "core/json/parse.h"
#include "core/manifest/manifest.h"

namespace kars::cli {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr auto kTimeout = 10s;

// A listening loopback socket on a port the kernel picks, handed to the router.
Result<std::pair<int, std::uint16_t>> loopback_listener() {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return make_error("socket", std::string("socket: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 128) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        std::string why = std::strerror(errno);
        close(fd);
        return make_error("socket", "bind/listen on 127.0.0.1: " + why);
    }
    return std::pair{fd, ntohs(addr.sin_port)};
}

// The corpus names denials "Blocked"; the engine and the audit log say Denied / deny.
std::string corpus_decision(std::string_view d) {
    if (d == "Allowed" || d == "allow") return "Allowed";
    if (d == "RequiresApproval" || d == "requires_approval") return "RequiresApproval";
    if (d == "RateLimited") return "RateLimited";
    return "Blocked";
}

// Router policy kinds on the inference path, named as the CRDs that configure them.
std::string corpus_policy_kind(std::string_view k) {
    if (k == "content_safety" || k == "token_budget") return "InferencePolicy";
    if (k == "governance") return "GovernanceProfile";
    if (k == "rate_limit") return "RateLimit";
    if (k == "tool_policy") return "ToolPolicy";
    return std::string(k);
}

boost::json::object scalar_args(const boost::json::object& scenario) {
    boost::json::object ctx;
    if (const auto* args = scenario.if_contains("args"); args && args->is_object()) {
        for (const auto& [k, v] : args->as_object()) {
            if (v.is_string() || v.is_bool() || v.is_int64() || v.is_uint64()) ctx[k] = v;
        }
    }
    return ctx;
}

}  // namespace

EvalRunner::~EvalRunner() {
    stop();
}

// Audit entries the router wrote for one trace id. The writer commits in groups, so they may
// trail the response by a few milliseconds. The log is read once, incrementally, with the
// audit module's bounded line reader; entries are kept by trace id.
std::vector<audit::Entry> EvalRunner::entries_for(const std::string& trace_id) {
    for (auto deadline = std::chrono::steady_clock::now() + 3s;;
         std::this_thread::sleep_for(20ms)) {
        if (!audit_file_) audit_file_.reset(std::fopen(audit_.c_str(), "rb"));
        if (audit_file_ && !audit_reader_) {
            audit_reader_.emplace(audit_file_.get(), audit::kMaxLineBytes);
        }
        while (audit_reader_) {
            auto line = audit_reader_->next();
            if (!line) break;
            if (line->too_long) continue;
            auto e = audit::parse_entry_line(line->text);
            if (e.ok()) by_trace_[e->event.trace_id].push_back(std::move(*e));
        }
        auto it = by_trace_.find(trace_id);
        if (it != by_trace_.end()) return it->second;
        if (std::chrono::steady_clock::now() >= deadline) return {};
    }
}

Status EvalRunner::start(const EvalSetup& setup) {
    auto m = manifest::load_manifest_file(setup.manifest);
    if (!m.ok()) return m.error();
    const manifest::KarsSandbox* sb = nullptr;
    for (const auto& s : m->sandboxes) {
        if (setup.sandbox_name.empty() || s.metadata.name == setup.sandbox_name) {
            if (sb && setup.sandbox_name.empty()) {
                return make_error("ambiguous_sandbox", setup.manifest.string() +
                                                           " holds several KarsSandboxes; "
                                                           "choose one with --name");
            }
            sb = &s;
        }
    }
    if (!sb) {
        return make_error("no_sandbox",
                          setup.manifest.string() + ": no KarsSandbox" +
                              (setup.sandbox_name.empty() ? std::string()
                                                          : " named '" + setup.sandbox_name + "'"));
    }
    sandbox_ = sb->metadata.name;
    audit_ = setup.work_dir / "audit.jsonl";
    boost::json::object labels;
    for (const auto& [k, v] : sb->metadata.labels) labels[k] = v;
    boost::json::object cfg{
        {"listen", "127.0.0.1:0"},
        {"sandbox",
         {{"name", sandbox_}, {"namespace", sb->metadata.namespace_name}, {"labels", labels}}},
        {"manifest", fs::absolute(setup.manifest).string()},
        {"providers", boost::json::array{boost::json::object{
                          {"name", "replay"},
                          {"kind", "replay"},
                          {"cassette", fs::absolute(setup.cassette).string()}}}},
        {"models", {{"default", boost::json::array{"replay"}}}},
        {"audit", {{"path", audit_.string()}}},
    };
    if (!setup.profiles.empty()) {
        boost::json::array files;
        for (const auto& p : setup.profiles) files.emplace_back(fs::absolute(p).string());
        cfg["governance"] = {{"profiles", std::move(files)}};
    }
    const fs::path config = setup.work_dir / "router.yaml";
    {
        std::ofstream out(config);
        out << boost::json::serialize(cfg) << "\n";  // JSON is YAML
        if (!out) return make_error("write", "cannot write " + config.string());
    }
    auto api = loopback_listener();
    if (!api.ok()) return api.error();
    auto proxy = loopback_listener();
    if (!proxy.ok()) {
        close(api->first);
        return proxy.error();
    }
    port_ = api->second;
    egress_port_ = proxy->second;
    auto st = router_.start(router_binary(), config, api->first, proxy->first,
                            setup.work_dir / "router.log", std::chrono::seconds(10));
    close(api->first);
    close(proxy->first);
    return st;
}

void EvalRunner::stop() {
    if (router_.pid() > 0) router_.stop(std::chrono::seconds(5));
}

Result<Observed> EvalRunner::run(const EvalCase& c) {
    Observed total;
    const auto step = c.burst_window / c.burst_count;
    for (int i = 0; i < c.burst_count; ++i) {
        auto got = once(c);
        if (!got.ok()) return got.error();
        if (i == 0) total = *got;
        total.seen.insert(got->decision);
        if (step.count() > 0) std::this_thread::sleep_for(step);
    }
    return total;
}

Result<Observed> EvalRunner::once(const EvalCase& c) {
    const auto& s = c.scenario;
    if (c.kind == "ToolCall") {
        return evaluate_action("tool:" + std::string(*json::string_field(s, "tool")),
                               scalar_args(s));
    }
    if (c.kind == "MemoryRead") {
        return evaluate_action("memory:read:" + std::string(*json::string_field(s, "scope")), {});
    }
    if (c.kind == "EgressConnect") return egress(c);
    return chat(c);
}

Result<Observed> EvalRunner::evaluate_action(const std::string& action,
                                             const boost::json::object& args) {
    boost::json::object q{{"action", action}};
    if (!args.empty()) q["context"] = args;
    auto res = post_json(port_, "/v1/governance/evaluate", boost::json::serialize(q),
                         "eval-" + std::to_string(++counter_), kTimeout);
    if (!res.ok()) return res.error();
    auto body = json::parse(res->body);
    if (res->status != 200 || !body.ok()) {
        return make_error("eval_error", "the router answered " + std::to_string(res->status) +
                                            " to evaluate " + action + ": " + res->body);
    }
    Observed o;
    o.decision = corpus_decision(json::string_field(*body, "decision").value_or(""));
    if (const auto* rule = json::find_field(*body, "rule")) {
        o.policy_kind = std::string(json::string_field(*rule, "kind").value_or(""));
    }
    o.reason = std::string(json::string_field(*body, "reason").value_or(""));
    return o;
}

Result<Observed> EvalRunner::egress(const EvalCase& c) {
    const std::string host(*json::string_field(c.scenario, "host"));
    const auto port = static_cast<std::uint16_t>(*json::int_field(c.scenario, "port"));
    auto res = connect_via_proxy(egress_port_, host, port, kTimeout);
    if (!res.ok()) return res.error();
    Observed o;
    auto entries = entries_for(res->trace_id);
    for (const auto& e : entries) {
        if (e.event.action.rfind("egress:", 0) != 0) continue;
        o.decision = corpus_decision(e.event.decision);
        o.policy_kind = e.event.policy_kind;
        o.reason = e.event.reason;
        return o;
    }
    // No decision was audited: the request never reached policy (a malformed authority).
    o.decision = res->status >= 200 && res->status < 300 ? "Allowed" : "Blocked";
    o.policy_kind = "Request";
    o.reason = res->body;
    return o;
}

Result<Observed> EvalRunner::chat(const EvalCase& c) {
    boost::json::object req = c.scenario;
    req.erase("kind");
    req.erase("burst");
    if (!req.contains("model")) req["model"] = "eval";
    if (const auto* prompt = req.if_contains("prompt"); prompt && prompt->is_string()) {
        req["messages"] = boost::json::array{
            boost::json::object{{"role", "user"}, {"content", prompt->as_string()}}};
        req.erase("prompt");
    }
    const std::string trace = "eval-" + std::to_string(++counter_);
    auto res = post_json(port_, "/v1/chat/completions", boost::json::serialize(req), trace,
                         std::chrono::duration_cast<std::chrono::milliseconds>(kTimeout));
    if (!res.ok()) return res.error();
    Observed o;
    auto body = json::parse(res->body);
    std::string type;
    if (body.ok()) {
        if (const auto* err = json::find_field(*body, "error")) {
            type = std::string(json::string_field(*err, "type").value_or(""));
            o.reason = std::string(json::string_field(*err, "message").value_or(""));
        }
    }
    if (res->status >= 200 && res->status < 300) {
        o.decision = "Allowed";
    } else if (res->status == 429 && type == "rate_limit_exceeded") {
        o.decision = "RateLimited";
    } else if (res->status == 403 || res->status == 429 || res->status == 400) {
        o.decision = "Blocked";
    } else {
        return make_error("eval_error", "the router answered " + std::to_string(res->status) +
                                            " (" + o.reason +
                                            "): the case could not be decided; is the model in "
                                            "the cassette?");
    }
    for (const auto& e : entries_for(trace)) {
        if (e.event.decision == "deny" || o.policy_kind.empty()) {
            o.policy_kind = corpus_policy_kind(e.event.policy_kind);
            if (o.reason.empty()) o.reason = e.event.reason;
        }
    }
    return o;
}

}  // namespace kars::cli
