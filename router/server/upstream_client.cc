// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/upstream_client.h"

#include <openssl/ssl.h>

#include <array>
#include <map>
#include <mutex>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace kars::router::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
constexpr auto kNoThrow = net::as_tuple(net::use_awaitable);

namespace {

Error classify(const boost::system::error_code& ec, std::string_view during) {
    if (ec == beast::error::timeout) {
        return make_error("upstream_timeout",
                          "upstream did not answer in time (" + std::string(during) + ")");
    }
    return make_error("upstream_connect",
                      "upstream failed (" + std::string(during) + "): " + ec.message());
}

beast::tcp_stream& lowest(beast::tcp_stream& s) {
    return s;
}
beast::tcp_stream& lowest(beast::ssl_stream<beast::tcp_stream>& s) {
    return beast::get_lowest_layer(s);
}

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Idle keep-alive connections per upstream origin. Reusing them saves a TCP (and TLS)
// handshake per model call and keeps the router from piling up TIME_WAIT sockets.
template <typename Stream>
class Pool {
public:
    std::unique_ptr<Stream> take(const std::string& origin) {
        std::lock_guard lock(mu_);
        auto it = idle_.find(origin);
        if (it == idle_.end() || it->second.empty()) return nullptr;
        auto s = std::move(it->second.back());
        it->second.pop_back();
        return s;
    }
    void give(const std::string& origin, std::unique_ptr<Stream> s) {
        std::lock_guard lock(mu_);
        auto& list = idle_[origin];
        if (list.size() < kMaxIdlePerOrigin) list.push_back(std::move(s));
    }

private:
    static constexpr std::size_t kMaxIdlePerOrigin = 64;
    std::mutex mu_;
    std::map<std::string, std::vector<std::unique_ptr<Stream>>> idle_;
};

template <typename Stream>
class Call final : public UpstreamCall {
public:
    Call(UpstreamTimeouts timeouts, std::unique_ptr<Stream> stream,
         std::shared_ptr<Pool<Stream>> pool, std::string origin)
        : stream_ptr_(std::move(stream)),
          stream_(*stream_ptr_),
          timeouts_(timeouts),
          pool_(std::move(pool)),
          origin_(std::move(origin)) {
        // The head and each body read are bounded separately by timeouts; the parser's own
        // body limit is lifted because streams are long-lived and read piecewise.
        parser_.body_limit(boost::none);
    }

    ~Call() override {
        // Only a connection whose response was read to its end, that both sides agreed to
        // keep open, goes back to the pool; anything else could carry stray bytes.
        if (reusable_ && parser_.is_done() && parser_.get().keep_alive() && !cancelled_) {
            lowest(stream_).expires_never();
            pool_->give(origin_, std::move(stream_ptr_));
        }
    }

    Stream& stream() { return stream_; }
    // True for a connection taken from the pool: if it fails before any response byte, the
    // server had closed it while idle and the request can be sent again on a new one.
    bool reused = false;

    net::awaitable<Status> exchange(const UpstreamRequest& request) {
        http::request<http::string_body> req;
        req.method(http::string_to_verb(request.method));
        req.target(request.target);
        req.version(11);
        bool default_port =
            (request.endpoint.scheme == "https" && request.endpoint.port == "443") ||
            (request.endpoint.scheme == "http" && request.endpoint.port == "80");
        req.set(http::field::host, default_port
                                       ? request.endpoint.host
                                       : request.endpoint.host + ":" + request.endpoint.port);
        for (const auto& [name, value] : request.headers) req.set(name, value);
        req.keep_alive(true);
        if (!request.body.empty() || request.method == "POST") {
            req.body() = request.body;
            req.prepare_payload();
        }

        lowest(stream_).expires_after(timeouts_.first_byte);
        auto [wec, wn] = co_await http::async_write(stream_, req, kNoThrow);
        if (wec) {
            if (reused) co_return make_error("upstream_stale", "pooled connection was closed");
            co_return classify(wec, "sending request");
        }
        reusable_ = true;

        auto [hec, hn] = co_await http::async_read_header(stream_, buffer_, parser_, kNoThrow);
        if (hec) {
            if (reused && hn == 0 && hec != beast::error::timeout) {
                co_return make_error("upstream_stale", "pooled connection was closed");
            }
            if (hec == beast::error::timeout) co_return classify(hec, "waiting for response");
            co_return make_error("upstream_protocol",
                                 "upstream sent a malformed response head: " + hec.message());
        }
        head_.status = static_cast<int>(parser_.get().result_int());
        for (const auto& field : parser_.get()) {
            std::string name(field.name_string());
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            head_.headers.emplace_back(std::move(name), std::string(field.value()));
        }
        co_return ok_status();
    }

    const UpstreamHead& head() const override { return head_; }

    net::awaitable<Result<std::string>> read_body(std::size_t max_bytes) override {
        std::string body;
        while (true) {
            auto piece = co_await read_some();
            if (!piece.ok()) co_return piece.error();
            if (!piece->has_value()) co_return body;
            if (body.size() + (*piece)->size() > max_bytes) {
                co_return make_error(
                    "upstream_too_large",
                    "upstream response exceeds " + std::to_string(max_bytes) + " bytes");
            }
            body += **piece;
        }
    }

    net::awaitable<Result<std::optional<std::string>>> read_some() override {
        if (parser_.is_done()) co_return std::optional<std::string>{};
        std::array<char, 16 * 1024> chunk{};
        parser_.get().body().data = chunk.data();
        parser_.get().body().size = chunk.size();
        lowest(stream_).expires_after(timeouts_.idle);
        auto [ec, n] = co_await http::async_read_some(stream_, buffer_, parser_, kNoThrow);
        if (ec == http::error::need_buffer) ec = {};
        if (ec) {
            if (ec == http::error::end_of_stream && parser_.is_done()) {
                co_return std::optional<std::string>{};
            }
            if (ec == beast::error::timeout) co_return classify(ec, "stream went silent");
            co_return make_error("upstream_connect",
                                 "upstream connection ended mid-body: " + ec.message());
        }
        std::size_t got = chunk.size() - parser_.get().body().size;
        co_return std::optional<std::string>{std::string(chunk.data(), got)};
    }

    void cancel() override {
        cancelled_ = true;
        boost::system::error_code ignored;
        lowest(stream_).socket().close(ignored);
    }

private:
    std::unique_ptr<Stream> stream_ptr_;
    Stream& stream_;
    UpstreamTimeouts timeouts_;
    std::shared_ptr<Pool<Stream>> pool_;
    std::string origin_;
    bool reusable_ = false;
    bool cancelled_ = false;
    beast::flat_buffer buffer_;
    http::response_parser<http::buffer_body> parser_;
    UpstreamHead head_;
};

}  // namespace

struct UpstreamClient::Pools {
    std::shared_ptr<Pool<beast::tcp_stream>> plain = std::make_shared<Pool<beast::tcp_stream>>();
    std::shared_ptr<Pool<TlsStream>> tls = std::make_shared<Pool<TlsStream>>();
};

UpstreamClient::UpstreamClient(net::any_io_executor executor, std::string ca_file)
    : executor_(std::move(executor)),
      ca_file_(std::move(ca_file)),
      pools_(std::make_shared<Pools>()) {
    // A CA file named in the config is loaded now, so a bad one fails at start, not at the
    // first request.
    if (!ca_file_.empty()) tls_context();
}

std::shared_ptr<ssl::context> UpstreamClient::tls_context() {
    std::lock_guard lock(tls_mu_);
    if (!tls_) {
        auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
        ctx->set_default_verify_paths();
        if (!ca_file_.empty()) ctx->load_verify_file(ca_file_);
        ctx->set_verify_mode(ssl::verify_peer);
        SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
        tls_ = std::move(ctx);
    }
    return tls_;
}

UpstreamClient::~UpstreamClient() = default;

net::awaitable<Result<std::unique_ptr<UpstreamCall>>> UpstreamClient::start(
    const UpstreamRequest& request, UpstreamTimeouts timeouts) {
    const auto& ep = request.endpoint;
    const std::string origin = ep.scheme + "://" + ep.host + ":" + ep.port;
    const bool tls = ep.scheme == "https";

    // A pooled connection the server closed while idle fails before any response byte;
    // such a request was never processed, so it is sent once more on a fresh connection.
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (tls) {
            auto stream = attempt == 0 ? pools_->tls->take(origin) : nullptr;
            bool reused = stream != nullptr;
            if (!stream) {
                auto fresh = co_await connect_tls(request, timeouts);
                if (!fresh.ok()) co_return fresh.error();
                stream = std::move(*fresh);
            }
            auto call =
                std::make_unique<Call<TlsStream>>(timeouts, std::move(stream), pools_->tls, origin);
            call->reused = reused;
            auto st = co_await call->exchange(request);
            if (st.ok()) co_return std::unique_ptr<UpstreamCall>(std::move(call));
            if (st.error().code != "upstream_stale") co_return st.error();
            continue;
        }
        auto stream = attempt == 0 ? pools_->plain->take(origin) : nullptr;
        bool reused = stream != nullptr;
        if (!stream) {
            auto fresh = co_await connect_plain(request, timeouts);
            if (!fresh.ok()) co_return fresh.error();
            stream = std::move(*fresh);
        }
        auto call = std::make_unique<Call<beast::tcp_stream>>(timeouts, std::move(stream),
                                                              pools_->plain, origin);
        call->reused = reused;
        auto st = co_await call->exchange(request);
        if (st.ok()) co_return std::unique_ptr<UpstreamCall>(std::move(call));
        if (st.error().code != "upstream_stale") co_return st.error();
    }
    co_return make_error("upstream_connect", "upstream closed the connection twice");
}

net::awaitable<Result<std::unique_ptr<beast::tcp_stream>>> UpstreamClient::connect_plain(
    const UpstreamRequest& request, UpstreamTimeouts timeouts) {
    tcp::resolver resolver(executor_);
    auto [rec, results] =
        co_await resolver.async_resolve(request.endpoint.host, request.endpoint.port, kNoThrow);
    if (rec) co_return classify(rec, "resolving " + request.endpoint.host);
    auto stream = std::make_unique<beast::tcp_stream>(executor_);
    stream->expires_after(timeouts.connect);
    auto [cec, ep] = co_await stream->async_connect(results, kNoThrow);
    if (cec) co_return classify(cec, "connecting to " + request.endpoint.host);
    stream->socket().set_option(tcp::no_delay(true));
    co_return stream;
}

net::awaitable<Result<std::unique_ptr<TlsStream>>> UpstreamClient::connect_tls(
    const UpstreamRequest& request, UpstreamTimeouts timeouts) {
    auto plain = co_await connect_plain(request, timeouts);
    if (!plain.ok()) co_return plain.error();
    auto tls = tls_context();
    auto stream = std::make_unique<TlsStream>(std::move(**plain), *tls);
    // SNI and RFC 6125 host name checking: without both, a verified chain proves nothing
    // about which server we reached.
    if (!SSL_set_tlsext_host_name(stream->native_handle(), request.endpoint.host.c_str())) {
        co_return make_error("upstream_connect", "cannot set TLS server name");
    }
    stream->set_verify_callback(ssl::host_name_verification(request.endpoint.host));
    beast::get_lowest_layer(*stream).expires_after(timeouts.connect);
    auto [hec] = co_await stream->async_handshake(ssl::stream_base::client, kNoThrow);
    if (hec) co_return classify(hec, "TLS handshake with " + request.endpoint.host);
    co_return stream;
}

}  // namespace kars::router::server
