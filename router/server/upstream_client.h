// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// One HTTP exchange with an upstream model API, over plain TCP or verified TLS. The head is
// read first so the router can decide (pass through, fall back, translate) before reading
// the body, which can then be read whole or piece by piece for streams.

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "core/result.h"
#include "router/providers/upstream_request.h"
#include "router/server/http_types.h"

namespace kars::router::server {

struct UpstreamTimeouts {
    std::chrono::milliseconds connect{10'000};
    // Until the response head arrives (model latency to first byte).
    std::chrono::milliseconds first_byte{120'000};
    // Longest silence allowed between two body reads of a stream.
    std::chrono::milliseconds idle{120'000};
};

struct UpstreamHead {
    int status = 0;
    Headers headers;  // lower-case names, as received
};

// Error codes: "upstream_connect" (DNS, TCP, TLS: maps to 502), "upstream_timeout" (504),
// "upstream_protocol" (malformed HTTP: 502), "upstream_too_large" (502).
class UpstreamCall {
public:
    virtual ~UpstreamCall() = default;

    virtual const UpstreamHead& head() const = 0;

    // Reads the rest of the body; more than `max_bytes` is an error.
    virtual boost::asio::awaitable<Result<std::string>> read_body(std::size_t max_bytes) = 0;

    // Reads the next piece of the body as it arrives; an empty optional means the body ended
    // cleanly. An error means it did not (reset, timeout, truncated chunked framing).
    virtual boost::asio::awaitable<Result<std::optional<std::string>>> read_some() = 0;

    // Aborts the exchange (client went away); pending reads complete with an error.
    virtual void cancel() = 0;
};

class UpstreamClient {
public:
    // `ca_file` adds a trust anchor (tests use a local CA); system roots are always loaded.
    explicit UpstreamClient(boost::asio::any_io_executor executor, std::string ca_file = {});
    ~UpstreamClient();

    // Connects, sends `request`, and reads the response head.
    boost::asio::awaitable<Result<std::unique_ptr<UpstreamCall>>> start(
        const UpstreamRequest& request, UpstreamTimeouts timeouts);

private:
    struct Pools;

    boost::asio::awaitable<Result<std::unique_ptr<boost::beast::tcp_stream>>> connect_plain(
        const UpstreamRequest& request, UpstreamTimeouts timeouts);
    boost::asio::awaitable<
        Result<std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>>>>
    connect_tls(const UpstreamRequest& request, UpstreamTimeouts timeouts);

    boost::asio::any_io_executor executor_;
    // Made on first use unless a CA file was given: loading the trust store costs a few MB
    // of memory that a router talking only to plain-HTTP upstreams (local models, the
    // replay provider) never needs.
    std::shared_ptr<boost::asio::ssl::context> tls_context();
    std::string ca_file_;
    std::mutex tls_mu_;
    std::shared_ptr<boost::asio::ssl::context> tls_;
    std::shared_ptr<Pools> pools_;
};

}  // namespace kars::router::server
