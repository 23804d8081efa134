// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/eval_corpus.h"

#include "core/json/parse.h"

namespace kars::cli {

namespace {

const std::set<std::string, std::less<>> kDecisions = {"Allowed", "Blocked", "RequiresApproval",
                                                       "RateLimited"};
const std::set<std::string, std::less<>> kKinds = {"ToolCall", "MemoryRead", "EgressConnect",
                                                   "ChatCompletion"};

Status need_string(const boost::json::object& o, std::string_view key, std::string& out,
                   const std::string& where, bool required = true) {
    const auto* v = o.if_contains(key);
    if (!v) {
        if (!required) return ok_status();
        return make_error("invalid_corpus", where + ": '" + std::string(key) + "' is required");
    }
    if (!v->is_string() || v->as_string().empty()) {
        return make_error("invalid_corpus",
                          where + ": '" + std::string(key) + "' must be a non-empty string");
    }
    out = std::string(v->as_string());
    return ok_status();
}

Result<EvalCase> parse_case(const boost::json::value& v, const std::string& where) {
    if (!v.is_object()) return make_error("invalid_corpus", where + ": a case must be an object");
    const auto& o = v.as_object();
    EvalCase c;
    auto st = need_string(o, "id", c.id, where);
    if (!st.ok()) return st.error();
    const std::string at = where + " (" + c.id + ")";
    const auto* scenario = o.if_contains("scenario");
    const auto* expect = o.if_contains("expect");
    if (!scenario || !scenario->is_object()) {
        return make_error("invalid_corpus", at + ": 'scenario' must be an object");
    }
    if (!expect || !expect->is_object()) {
        return make_error("invalid_corpus", at + ": 'expect' must be an object");
    }
    c.scenario = scenario->as_object();
    st = need_string(c.scenario, "kind", c.kind, at + ": scenario");
    if (!st.ok()) return st.error();
    if (!kKinds.contains(c.kind)) {
        return make_error("invalid_corpus", at + ": unknown scenario kind '" + c.kind +
                                                "' (ToolCall, MemoryRead, EgressConnect, "
                                                "ChatCompletion)");
    }
    std::string field = c.kind == "ToolCall"        ? "tool"
                        : c.kind == "MemoryRead"    ? "scope"
                        : c.kind == "EgressConnect" ? "host"
                                                    : "";
    if (!field.empty()) {
        std::string ignored;
        st = need_string(c.scenario, field, ignored, at + ": scenario");
        if (!st.ok()) return st.error();
    }
    if (c.kind == "EgressConnect") {
        auto port = json::int_field(c.scenario, "port");
        if (!port || *port < 1 || *port > 65535) {
            return make_error("invalid_corpus", at + ": scenario.port must be 1..65535");
        }
    }
    if (const auto* burst = c.scenario.if_contains("burst")) {
        auto count = json::int_field(*burst, "count");
        auto window = json::int_field(*burst, "windowMs");
        if (!count || *count < 1 || *count > kMaxBurst || !window || *window < 0) {
            return make_error("invalid_corpus", at + ": scenario.burst needs count 1.." +
                                                    std::to_string(kMaxBurst) +
                                                    " and windowMs >= 0");
        }
        c.burst_count = static_cast<int>(*count);
        c.burst_window = std::chrono::milliseconds(*window);
    }
    const auto& e = expect->as_object();
    st = need_string(e, "decision", c.want_decision, at + ": expect");
    if (!st.ok()) return st.error();
    if (!kDecisions.contains(c.want_decision)) {
        return make_error("invalid_corpus", at + ": expect.decision '" + c.want_decision +
                                                "' is not Allowed, Blocked, RequiresApproval "
                                                "or RateLimited");
    }
    for (auto [key, out] : {std::pair{"byPolicyKind", &c.want_policy_kind},
                            std::pair{"reasonContains", &c.want_reason},
                            std::pair{"decisionAtLeastSome", &c.want_at_least_some}}) {
        st = need_string(e, key, *out, at + ": expect", false);
        if (!st.ok()) return st.error();
    }
    if (!c.want_at_least_some.empty() && !kDecisions.contains(c.want_at_least_some)) {
        return make_error("invalid_corpus", at + ": expect.decisionAtLeastSome '" +
                                                c.want_at_least_some + "' is not a decision");
    }
    return c;
}

}  // namespace

Result<EvalCorpus> parse_corpus(std::string_view text, std::string_view source) {
    const std::string where(source);
    auto parsed = json::parse(text);
    if (!parsed.ok()) return make_error("invalid_corpus", where + ": " + parsed.error().message);
    if (!parsed->is_object()) return make_error("invalid_corpus", where + ": not a JSON object");
    const auto& root = parsed->as_object();
    auto version = json::string_field(*parsed, "schemaVersion");
    if (!version || *version != "v1") {
        return make_error("invalid_corpus", where + ": schemaVersion must be \"v1\"");
    }
    EvalCorpus corpus;
    corpus.name = std::string(json::string_field(*parsed, "name").value_or(source));
    const auto* cases = root.if_contains("cases");
    if (!cases || !cases->is_array() || cases->as_array().empty()) {
        return make_error("invalid_corpus", where + ": 'cases' must be a non-empty array");
    }
    std::set<std::string> ids;
    std::size_t i = 0;
    for (const auto& v : cases->as_array()) {
        auto c = parse_case(v, where + ": cases[" + std::to_string(i++) + "]");
        if (!c.ok()) return c.error();
        if (!ids.insert(c->id).second) {
            return make_error("invalid_corpus", where + ": duplicate case id '" + c->id + "'");
        }
        corpus.cases.push_back(std::move(*c));
    }
    return corpus;
}

std::string compare(const EvalCase& c, const Observed& got) {
    std::string problems;
    auto add = [&problems](const std::string& p) {
        if (!problems.empty()) problems += "; ";
        problems += p;
    };
    if (got.decision != c.want_decision)
        add("decision " + got.decision + ", want " + c.want_decision);
    const bool limit_expected = !c.want_at_least_some.empty();
    if (limit_expected && !got.seen.contains(c.want_at_least_some)) {
        add("never " + c.want_at_least_some + " in " + std::to_string(c.burst_count) + " calls");
    }
    // A burst that expects a limit is decided by its later calls, not the first one.
    if (!c.want_policy_kind.empty() && !limit_expected && got.policy_kind != c.want_policy_kind) {
        add("policy kind " + (got.policy_kind.empty() ? "(none)" : got.policy_kind) + ", want " +
            c.want_policy_kind);
    }
    if (!c.want_reason.empty() && got.reason.find(c.want_reason) == std::string::npos) {
        add("reason '" + got.reason + "' lacks '" + c.want_reason + "'");
    }
    return problems;
}

}  // namespace kars::cli
