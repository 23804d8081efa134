// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// JSON-RPC 2.0 (https://www.jsonrpc.org/specification) as MCP uses it, for a gateway that
// reads untrusted messages from agents and from upstream servers. Stricter than JSON-RPC
// where MCP is (basic/index: ids are strings or integers, never null). Nothing here throws.

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/result.h"

namespace kars::mcp {

// JSON-RPC 2.0 section 5.1 error codes.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;

// Nesting allowed in one message; deeper bodies are refused as parse errors.
inline constexpr std::size_t kMaxMessageDepth = 64;

enum class MessageKind { kRequest, kNotification, kResponse };

struct Message {
    MessageKind kind = MessageKind::kRequest;
    boost::json::value id;      // string or int64 for requests and responses; null otherwise
    std::string method;         // requests and notifications
    boost::json::value params;  // object or array; null when absent
    boost::json::object body;   // the whole message object as received
};

// One element of an envelope: a valid message, or the error response it earns. The error
// response carries the element's id when it had a usable one (a string or an integer), else
// null. Exactly one of the two is set: message, or a non-empty error_response.
struct Element {
    std::optional<Message> message;
    boost::json::object error_response;
};

// `batch` is true only when the body was a non-empty array within the batch limit, i.e.
// when the answer must be an array too (JSON-RPC section 6). Whole-body failures come back
// with batch=false and one element holding an error response with a null id.
struct Envelope {
    bool batch = false;
    std::vector<Element> elements;
};

// Parses an HTTP body. Not JSON (or nested deeper than kMaxMessageDepth): -32700. An empty
// array, a top-level value that is neither object nor array, or an array of more than
// `max_batch` elements: -32600. Each element of a batch is judged on its own, so one bad
// element never spoils the others.
Envelope parse_envelope(std::string_view body, std::size_t max_batch = 64);

// Classifies one message from an upstream server (a line of a stdio server, an SSE data
// payload, a JSON body) by the same rules as an envelope element. Error code
// "invalid_jsonrpc"; the message says which member is wrong.
Result<Message> classify(const boost::json::value& v);

// Builders; each returns a complete message with "jsonrpc": "2.0".
// `data` is omitted when null.
boost::json::object error_response(const boost::json::value& id, int code, std::string_view message,
                                   boost::json::value data = nullptr);
boost::json::object result_response(const boost::json::value& id, boost::json::value result);
// `params` is omitted when null.
boost::json::object request(const boost::json::value& id, std::string_view method,
                            boost::json::value params);
boost::json::object notification(std::string_view method, boost::json::value params);

}  // namespace kars::mcp
