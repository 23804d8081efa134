// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/mcp/jsonrpc.h"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <variant>

#include <boost/json/array.hpp>

#include "core/json/parse.h"

namespace kars::mcp {
namespace {

// kars::json (the limits-aware parser) is always spelled in full below.
namespace json = boost::json;

// Why a message is refused, and the id its error response answers to.
struct Refusal {
    int code = kInvalidRequest;
    std::string reason;
    json::value id;
};

std::string describe(const json::value& v) {
    switch (v.kind()) {
        case json::kind::null:
            return "null";
        case json::kind::bool_:
            return "a boolean";
        case json::kind::string:
            return "a string";
        case json::kind::object:
            return "an object";
        case json::kind::array:
            return "an array";
        case json::kind::int64:
        case json::kind::uint64:
            return "an integer";
        case json::kind::double_:
            return "a number with a fraction or exponent, or an integer beyond 64 bits";
    }
    return "an unknown value";
}

// A string or an integer that fits int64 (stored as int64, so equal ids compare equal
// whichever way the parser or a caller built them). JSON-RPC allows fractional ids but
// discourages them; MCP (basic/index, "Requests") allows only strings and integers, and an
// id a gateway cannot echo exactly could be confused with another request's.
std::optional<json::value> usable_id(const json::value& id) {
    if (id.is_string() || id.is_int64()) return id;
    if (id.is_uint64() &&
        id.get_uint64() <= std::uint64_t{std::numeric_limits<std::int64_t>::max()}) {
        return json::value(static_cast<std::int64_t>(id.get_uint64()));
    }
    return std::nullopt;
}

std::string id_problem(const json::value& id) {
    if (id.is_null()) return "\"id\" must not be null (MCP requires a string or an integer)";
    if (id.is_uint64()) return "\"id\" integer is out of range (at most 2^63-1)";
    return "\"id\" must be a string or an integer, not " + describe(id);
}

std::optional<std::string> response_problem(const json::object& obj) {
    const json::value* result = obj.if_contains("result");
    const json::value* error = obj.if_contains("error");
    if (result && error) return "a response must not have both \"result\" and \"error\"";
    if (!obj.contains("id")) return "a response must have an \"id\"";
    if (!error) return std::nullopt;
    if (!error->is_object()) return "\"error\" must be an object, not " + describe(*error);
    const json::value* code = error->get_object().if_contains("code");
    if (!code || !(code->is_int64() || code->is_uint64())) {
        return "\"error.code\" must be an integer";
    }
    const json::value* message = error->get_object().if_contains("message");
    if (!message || !message->is_string()) return "\"error.message\" must be a string";
    return std::nullopt;
}

std::optional<std::string> call_problem(const json::object& obj) {
    if (obj.contains("result") || obj.contains("error")) {
        return "a message with \"method\" must not have \"result\" or \"error\"";
    }
    const json::value& method = obj.at("method");
    if (!method.is_string()) return "\"method\" must be a string, not " + describe(method);
    if (method.get_string().empty()) return "\"method\" must not be empty";
    const json::value* params = obj.if_contains("params");
    if (params && !params->is_object() && !params->is_array()) {
        return "\"params\" must be an object or an array, not " + describe(*params);
    }
    return std::nullopt;
}

// Checks `obj` and, when it is a valid message, moves it into the result. The order of the
// checks decides which problem is reported when there are several: version, id, shape.
std::variant<Message, Refusal> judge(json::object obj) {
    Refusal refusal;
    const json::value* id = obj.if_contains("id");
    std::optional<json::value> good_id = id ? usable_id(*id) : std::nullopt;
    if (good_id) refusal.id = *good_id;

    const json::value* version = obj.if_contains("jsonrpc");
    if (!version) {
        refusal.reason = "missing \"jsonrpc\" member (must be \"2.0\")";
        return refusal;
    }
    if (!version->is_string() || version->get_string() != "2.0") {
        refusal.reason = "\"jsonrpc\" must be the string \"2.0\"";
        return refusal;
    }
    if (id && !good_id) {
        refusal.reason = id_problem(*id);
        return refusal;
    }

    Message m;
    std::optional<std::string> problem;
    if (obj.contains("method")) {
        problem = call_problem(obj);
        m.kind = id ? MessageKind::kRequest : MessageKind::kNotification;
    } else if (obj.contains("result") || obj.contains("error")) {
        problem = response_problem(obj);
        m.kind = MessageKind::kResponse;
    } else {
        problem =
            "a message needs \"method\" (request or notification) or \"result\" or "
            "\"error\" (response)";
    }
    if (problem) {
        refusal.reason = std::move(*problem);
        return refusal;
    }

    if (good_id) m.id = std::move(*good_id);
    // A response's "params" is not JSON-RPC's and means nothing; only calls carry params.
    if (const json::value* method = obj.if_contains("method")) {
        m.method = std::string(method->get_string());
        if (const json::value* params = obj.if_contains("params")) m.params = *params;
    }
    m.body = std::move(obj);
    return m;
}

std::variant<Message, Refusal> judge_value(json::value v, bool in_batch) {
    if (v.is_object()) return judge(std::move(v.get_object()));
    Refusal refusal;
    if (v.is_array()) {
        refusal.reason = in_batch ? "a batch element must not itself be an array"
                                  : "expected one message object, not a batch array";
    } else {
        refusal.reason = "a message must be a JSON object, not " + describe(v);
    }
    return refusal;
}

json::object refusal_response(const Refusal& r) {
    std::string_view title = r.code == kParseError ? "Parse error: " : "Invalid Request: ";
    return error_response(r.id, r.code, std::string(title) + r.reason,
                          json::object{{"reason", r.reason}});
}

Element element_of(std::variant<Message, Refusal> verdict) {
    Element e;
    if (auto* m = std::get_if<Message>(&verdict)) {
        e.message = std::move(*m);
    } else {
        e.error_response = refusal_response(std::get<Refusal>(verdict));
    }
    return e;
}

Envelope whole_body_failure(int code, std::string reason) {
    Envelope env;
    env.elements.push_back(element_of(Refusal{code, std::move(reason), nullptr}));
    return env;
}

}  // namespace

Envelope parse_envelope(std::string_view body, std::size_t max_batch) {
    auto parsed = kars::json::parse(body, kars::json::ParseLimits{kMaxMessageDepth});
    if (!parsed.ok()) return whole_body_failure(kParseError, parsed.error().message);

    json::value& root = *parsed;
    if (root.is_object()) {
        Envelope env;
        env.elements.push_back(element_of(judge(std::move(root.get_object()))));
        return env;
    }
    if (!root.is_array()) {
        return whole_body_failure(
            kInvalidRequest,
            "the body must be a JSON object or a batch array, not " + describe(root));
    }

    json::array& batch = root.get_array();
    if (batch.empty()) return whole_body_failure(kInvalidRequest, "an empty batch array");
    // Refused whole, before any element is looked at: a huge batch is a cheap way to make a
    // gateway do a lot of work (and send a lot of upstream calls) for one request.
    if (batch.size() > max_batch) {
        return whole_body_failure(kInvalidRequest, "a batch of " + std::to_string(batch.size()) +
                                                       " messages exceeds the limit of " +
                                                       std::to_string(max_batch));
    }
    Envelope env;
    env.batch = true;
    env.elements.reserve(batch.size());
    for (json::value& v : batch)
        env.elements.push_back(element_of(judge_value(std::move(v), true)));
    return env;
}

Result<Message> classify(const boost::json::value& v) {
    auto verdict = judge_value(v, false);
    if (auto* m = std::get_if<Message>(&verdict)) return std::move(*m);
    return make_error("invalid_jsonrpc", std::get<Refusal>(verdict).reason);
}

json::object error_response(const json::value& id, int code, std::string_view message,
                            json::value data) {
    json::object error{{"code", code}, {"message", message}};
    if (!data.is_null()) error["data"] = std::move(data);
    return json::object{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(error)}};
}

json::object result_response(const json::value& id, json::value result) {
    return json::object{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json::object request(const json::value& id, std::string_view method, json::value params) {
    json::object o{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
    if (!params.is_null()) o["params"] = std::move(params);
    return o;
}

json::object notification(std::string_view method, json::value params) {
    json::object o{{"jsonrpc", "2.0"}, {"method", method}};
    if (!params.is_null()) o["params"] = std::move(params);
    return o;
}

}  // namespace kars::mcp
