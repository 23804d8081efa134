// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// JSON-RPC 2.0 envelopes as an MCP gateway reads them from untrusted agents and servers.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "core/mcp/jsonrpc.h"

namespace kars::mcp {
namespace {

namespace json = boost::json;

// Every error response the parser builds has the same shape, whatever the failure.
void expect_error_shape(const json::object& response) {
    ASSERT_FALSE(response.empty());
    EXPECT_EQ(response.at("jsonrpc"), "2.0");
    ASSERT_TRUE(response.contains("id"));
    const json::object& error = response.at("error").as_object();
    EXPECT_TRUE(error.at("code").is_int64());
    EXPECT_TRUE(error.at("message").is_string());
    EXPECT_TRUE(error.at("data").as_object().at("reason").is_string());
}

void expect_one_of(const Element& e) {
    EXPECT_NE(e.message.has_value(), !e.error_response.empty())
        << "an element holds exactly one of message and error_response";
    if (!e.message) expect_error_shape(e.error_response);
}

Element single(std::string_view body) {
    Envelope env = parse_envelope(body);
    EXPECT_FALSE(env.batch) << body;
    EXPECT_EQ(env.elements.size(), 1u) << body;
    if (env.elements.size() != 1) return Element{};
    expect_one_of(env.elements[0]);
    return env.elements[0];
}

std::int64_t error_code(const Element& e) {
    return e.error_response.at("error").at("code").as_int64();
}
std::string error_message(const Element& e) {
    return std::string(e.error_response.at("error").at("message").as_string());
}

struct ValidCase {
    const char* body;
    MessageKind kind;
    const char* id;  // JSON text of the expected (normalised) id
    const char* method;
};

TEST(McpJsonRpc, ClassifiesValidMessages) {
    const ValidCase cases[] = {
        {R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"x"}})",
         MessageKind::kRequest, "1", "initialize"},
        {R"({"jsonrpc":"2.0","id":"abc-1","method":"tools/list"})", MessageKind::kRequest,
         R"("abc-1")", "tools/list"},
        {R"({"jsonrpc":"2.0","id":0,"method":"ping"})", MessageKind::kRequest, "0", "ping"},
        {R"({"jsonrpc":"2.0","id":-5,"method":"ping"})", MessageKind::kRequest, "-5", "ping"},
        {R"({"jsonrpc":"2.0","id":9223372036854775807,"method":"ping"})", MessageKind::kRequest,
         "9223372036854775807", "ping"},
        {R"({"jsonrpc":"2.0","id":"","method":"ping"})", MessageKind::kRequest, R"("")", "ping"},
        {R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":["a",1]})",
         MessageKind::kRequest, "2", "tools/call"},
        {R"({"jsonrpc":"2.0","method":"notifications/initialized"})", MessageKind::kNotification,
         "null", "notifications/initialized"},
        {R"({"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}})",
         MessageKind::kNotification, "null", "notifications/progress"},
        {R"({"jsonrpc":"2.0","id":7,"result":{"tools":[]}})", MessageKind::kResponse, "7", ""},
        {R"({"jsonrpc":"2.0","id":"s","result":null})", MessageKind::kResponse, R"("s")", ""},
        {R"({"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"no","data":[1]}})",
         MessageKind::kResponse, "3", ""},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.body);
        Element e = single(c.body);
        ASSERT_TRUE(e.message.has_value()) << json::serialize(e.error_response);
        EXPECT_EQ(e.message->kind, c.kind);
        EXPECT_EQ(e.message->id, json::parse(c.id));
        EXPECT_EQ(e.message->method, c.method);
        EXPECT_EQ(e.message->body, json::parse(c.body).as_object());
    }
}

TEST(McpJsonRpc, KeepsParamsAndUnknownMembers) {
    Element e = single(R"({"jsonrpc":"2.0","id":1,"method":"m","params":{"a":[1]},"x":true})");
    ASSERT_TRUE(e.message);
    EXPECT_EQ(e.message->params, json::parse(R"({"a":[1]})"));
    EXPECT_EQ(e.message->body.at("x"), true);
    Element no_params = single(R"({"jsonrpc":"2.0","id":1,"method":"m"})");
    ASSERT_TRUE(no_params.message);
    EXPECT_TRUE(no_params.message->params.is_null());
    // Found by the fuzzer: members outside a response's shape must not leak into params.
    Element response = single(R"({"jsonrpc":"2.0","result":"no","id":1,"params":"t"})");
    ASSERT_TRUE(response.message);
    EXPECT_TRUE(response.message->params.is_null());
    EXPECT_EQ(response.message->body.at("params"), "t");
}

struct InvalidCase {
    const char* body;
    const char* reason;  // must appear in the error message
    const char* id;      // JSON text of the id the error answers to
};

TEST(McpJsonRpc, RefusesInvalidMessagesNamingTheMember) {
    const InvalidCase cases[] = {
        // jsonrpc
        {R"({"id":1,"method":"m"})", R"(missing "jsonrpc")", "1"},
        {R"({"jsonrpc":"1.0","id":1,"method":"m"})", R"("jsonrpc" must be the string "2.0")", "1"},
        {R"({"jsonrpc":2.0,"id":1,"method":"m"})", R"("jsonrpc" must be the string "2.0")", "1"},
        // ids
        {R"({"jsonrpc":"2.0","id":1.5,"method":"m"})",
         R"("id" must be a string or an integer, not a number with a fraction)", "null"},
        {R"({"jsonrpc":"2.0","id":1e2,"method":"m"})", R"("id" must be a string or an integer)",
         "null"},
        {R"({"jsonrpc":"2.0","id":true,"method":"m"})",
         R"("id" must be a string or an integer, not a boolean)", "null"},
        {R"({"jsonrpc":"2.0","id":{},"method":"m"})", "not an object", "null"},
        {R"({"jsonrpc":"2.0","id":[1],"method":"m"})", "not an array", "null"},
        {R"({"jsonrpc":"2.0","id":null,"method":"m"})", R"("id" must not be null)", "null"},
        {R"({"jsonrpc":"2.0","id":18446744073709551615,"method":"m"})",
         R"("id" integer is out of range)", "null"},
        {R"({"jsonrpc":"2.0","id":9223372036854775808,"method":"m"})",
         R"("id" integer is out of range)", "null"},
        // method and params
        {R"({"jsonrpc":"2.0","id":4,"method":5})", R"("method" must be a string)", "4"},
        {R"({"jsonrpc":"2.0","id":4,"method":""})", R"("method" must not be empty)", "4"},
        {R"({"jsonrpc":"2.0","id":4,"method":"m","params":"x"})",
         R"("params" must be an object or an array, not a string)", "4"},
        {R"({"jsonrpc":"2.0","id":4,"method":"m","params":3})", R"("params" must be an object)",
         "4"},
        {R"({"jsonrpc":"2.0","id":4,"method":"m","params":null})",
         R"("params" must be an object or an array, not null)", "4"},
        {R"({"jsonrpc":"2.0","method":"m","params":true})", R"("params" must be an object)",
         "null"},
        {R"({"jsonrpc":"2.0","id":4,"method":"m","result":1})",
         R"(with "method" must not have "result" or "error")", "4"},
        // responses
        {R"({"jsonrpc":"2.0","id":5,"result":1,"error":{"code":1,"message":"x"}})",
         R"(must not have both "result" and "error")", "5"},
        {R"({"jsonrpc":"2.0","result":1})", R"(a response must have an "id")", "null"},
        {R"({"jsonrpc":"2.0","id":null,"result":1})", R"("id" must not be null)", "null"},
        {R"({"jsonrpc":"2.0","id":5,"error":"bad"})", R"("error" must be an object)", "5"},
        {R"({"jsonrpc":"2.0","id":5,"error":{"message":"x"}})", R"("error.code")", "5"},
        {R"({"jsonrpc":"2.0","id":5,"error":{"code":1.5,"message":"x"}})", R"("error.code")", "5"},
        {R"({"jsonrpc":"2.0","id":5,"error":{"code":"1","message":"x"}})", R"("error.code")", "5"},
        {R"({"jsonrpc":"2.0","id":5,"error":{"code":1}})", R"("error.message")", "5"},
        {R"({"jsonrpc":"2.0","id":5,"error":{"code":1,"message":2}})", R"("error.message")", "5"},
        // neither
        {R"({"jsonrpc":"2.0","id":6})", R"(needs "method")", "6"},
        {R"({})", R"(missing "jsonrpc")", "null"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.body);
        Element e = single(c.body);
        ASSERT_FALSE(e.message.has_value());
        EXPECT_EQ(error_code(e), kInvalidRequest);
        EXPECT_NE(error_message(e).find(c.reason), std::string::npos) << error_message(e);
        EXPECT_EQ(e.error_response.at("id"), json::parse(c.id));
        EXPECT_NE(std::string(e.error_response.at("error").at("data").at("reason").as_string())
                      .find(c.reason),
                  std::string::npos);
    }
}

TEST(McpJsonRpc, UnparseableBodiesAreParseErrors) {
    const std::string cases[] = {
        "",
        "{",
        "not json",
        std::string("\xff\xfe{}", 4),
        R"({"jsonrpc":"2.0"} trailing)",
        std::string("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xc3\x28\"}"),  // bad UTF-8
        std::string(100, '[') + std::string(100, ']'),
        R"({"jsonrpc":"2.0","id":1,"method":"m","params":)" + std::string(80, '[') +
            std::string(80, ']') + "}",
    };
    for (const auto& body : cases) {
        SCOPED_TRACE(body);
        Element e = single(body);
        ASSERT_FALSE(e.message.has_value());
        EXPECT_EQ(error_code(e), kParseError);
        EXPECT_TRUE(e.error_response.at("id").is_null());
        EXPECT_EQ(error_message(e).rfind("Parse error: ", 0), 0u);
    }
}

TEST(McpJsonRpc, NestingWithinTheLimitIsAccepted) {
    std::string body = R"({"jsonrpc":"2.0","id":1,"method":"m","params":)" + std::string(40, '[') +
                       std::string(40, ']') + "}";
    Element e = single(body);
    EXPECT_TRUE(e.message.has_value());
}

TEST(McpJsonRpc, TopLevelScalarsAreInvalidRequests) {
    for (const char* body : {"5", R"("str")", "null", "true"}) {
        SCOPED_TRACE(body);
        Element e = single(body);
        ASSERT_FALSE(e.message.has_value());
        EXPECT_EQ(error_code(e), kInvalidRequest);
        EXPECT_NE(error_message(e).find("must be a JSON object or a batch array"),
                  std::string::npos);
    }
}

TEST(McpJsonRpc, BatchElementsAreJudgedIndependently) {
    Envelope env = parse_envelope(R"([
        {"jsonrpc":"2.0","id":1,"method":"tools/list"},
        5,
        {"jsonrpc":"2.0","id":2,"method":""},
        {"jsonrpc":"2.0","method":"notifications/initialized"},
        [{"jsonrpc":"2.0","id":3,"method":"ping"}],
        {"jsonrpc":"2.0","id":4,"result":{}},
        {"jsonrpc":"2.0","id":1.5,"method":"m"}
    ])");
    ASSERT_TRUE(env.batch);
    ASSERT_EQ(env.elements.size(), 7u);
    for (const auto& e : env.elements) expect_one_of(e);

    ASSERT_TRUE(env.elements[0].message);
    EXPECT_EQ(env.elements[0].message->method, "tools/list");
    ASSERT_FALSE(env.elements[1].message);
    EXPECT_NE(error_message(env.elements[1]).find("must be a JSON object, not an integer"),
              std::string::npos);
    ASSERT_FALSE(env.elements[2].message);
    EXPECT_EQ(env.elements[2].error_response.at("id"), 2);
    ASSERT_TRUE(env.elements[3].message);
    EXPECT_EQ(env.elements[3].message->kind, MessageKind::kNotification);
    ASSERT_FALSE(env.elements[4].message);
    EXPECT_NE(error_message(env.elements[4]).find("must not itself be an array"),
              std::string::npos);
    EXPECT_TRUE(env.elements[4].error_response.at("id").is_null());
    ASSERT_TRUE(env.elements[5].message);
    EXPECT_EQ(env.elements[5].message->kind, MessageKind::kResponse);
    ASSERT_FALSE(env.elements[6].message);
    EXPECT_TRUE(env.elements[6].error_response.at("id").is_null());
}

std::string batch_of(std::size_t n) {
    std::string body = "[";
    for (std::size_t i = 0; i < n; ++i) {
        if (i) body += ",";
        body += R"({"jsonrpc":"2.0","id":)" + std::to_string(i) + R"(,"method":"ping"})";
    }
    return body + "]";
}

TEST(McpJsonRpc, BatchLimitIsInclusiveAndRefusesTheWholeBodyBeyondIt) {
    Envelope at_limit = parse_envelope(batch_of(64));
    EXPECT_TRUE(at_limit.batch);
    EXPECT_EQ(at_limit.elements.size(), 64u);

    Envelope over = parse_envelope(batch_of(65));
    EXPECT_FALSE(over.batch);
    ASSERT_EQ(over.elements.size(), 1u);
    expect_one_of(over.elements[0]);
    EXPECT_EQ(error_code(over.elements[0]), kInvalidRequest);
    EXPECT_NE(
        error_message(over.elements[0]).find("a batch of 65 messages exceeds the limit of 64"),
        std::string::npos);

    Envelope small_limit = parse_envelope(batch_of(3), 2);
    EXPECT_FALSE(small_limit.batch);
    ASSERT_EQ(small_limit.elements.size(), 1u);
    EXPECT_TRUE(small_limit.elements[0].error_response.at("id").is_null());
}

TEST(McpJsonRpc, EmptyBatchIsOneInvalidRequest) {
    Element e = single("[]");
    ASSERT_FALSE(e.message);
    EXPECT_EQ(error_code(e), kInvalidRequest);
    EXPECT_NE(error_message(e).find("empty batch"), std::string::npos);
}

TEST(McpJsonRpc, ClassifyAppliesTheElementRules) {
    auto ok = classify(json::parse(R"({"jsonrpc":"2.0","id":9,"result":{"content":[]}})"));
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ(ok->kind, MessageKind::kResponse);

    // An id built as uint64 by a caller is normalised, so it compares equal to a parsed one.
    json::object built{{"jsonrpc", "2.0"}, {"id", std::uint64_t{9}}, {"method", "ping"}};
    auto normalised = classify(built);
    ASSERT_TRUE(normalised.ok());
    EXPECT_TRUE(normalised->id.is_int64());
    EXPECT_EQ(normalised->id, json::value(9));

    auto batch = classify(json::parse(R"([{"jsonrpc":"2.0","method":"m"}])"));
    ASSERT_FALSE(batch.ok());
    EXPECT_EQ(batch.error().code, "invalid_jsonrpc");
    EXPECT_NE(batch.error().message.find("not a batch array"), std::string::npos);

    auto bad = classify(json::parse(R"({"jsonrpc":"2.0","id":1,"method":"m","params":1})"));
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("\"params\""), std::string::npos);
    EXPECT_FALSE(classify(json::value("text")).ok());
}

TEST(McpJsonRpc, BuildersProduceMessagesTheParserAccepts) {
    json::object req = request(json::value(1), "tools/call", json::object{{"name", "x"}});
    EXPECT_EQ(json::serialize(req),
              R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}})");
    EXPECT_FALSE(request(json::value("a"), "ping", nullptr).contains("params"));
    EXPECT_EQ(json::serialize(notification("notifications/initialized", nullptr)),
              R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
    EXPECT_EQ(json::serialize(result_response(json::value("r"), json::object{})),
              R"({"jsonrpc":"2.0","id":"r","result":{}})");
    EXPECT_EQ(json::serialize(error_response(json::value(3), kMethodNotFound, "nope")),
              R"({"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"nope"}})");
    EXPECT_EQ(json::serialize(error_response(nullptr, kInternalError, "x", json::array{1})),
              R"({"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"x","data":[1]}})");

    for (const json::object& built :
         {req, notification("n", json::array{}), result_response(json::value(2), nullptr),
          error_response(json::value(2), kInvalidParams, "bad")}) {
        SCOPED_TRACE(json::serialize(built));
        EXPECT_TRUE(classify(built).ok());
    }
}

}  // namespace
}  // namespace kars::mcp
