// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// What a route handler sees: the parsed request and a writer that can answer either with a
// whole response or with a stream of chunks. Handlers never touch sockets.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace kars::router::server {

namespace http = boost::beast::http;

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
    http::request<http::string_body> message;
    std::string trace_id;
    std::string peer;  // "ip:port" of the caller, for logs only
    std::chrono::steady_clock::time_point received_at;
};

// One response per request. Either send() once, or begin_stream() then write_chunk()* then
// end_stream(). Every call reports whether the client is still there, so a handler can stop
// (and cancel its upstream) as soon as the client disconnects.
class ResponseWriter {
public:
    virtual ~ResponseWriter() = default;

    virtual boost::asio::awaitable<bool> send(int status, std::string_view content_type,
                                              std::string body, const Headers& extra = {}) = 0;
    virtual boost::asio::awaitable<bool> begin_stream(int status, std::string_view content_type,
                                                      const Headers& extra = {}) = 0;
    virtual boost::asio::awaitable<bool> write_chunk(std::string_view data) = 0;
    virtual boost::asio::awaitable<bool> end_stream() = 0;

    // True once the response has started (status line written).
    virtual bool started() const = 0;
};

using Handler = std::function<boost::asio::awaitable<void>(Request&, ResponseWriter&)>;

}  // namespace kars::router::server
