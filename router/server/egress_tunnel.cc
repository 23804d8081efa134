// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/server/egress_tunnel.h"

#include <sys/socket.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace kars::router::server {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kNoThrow = net::as_tuple(net::use_awaitable);

namespace {

// Shared by the two pumps and the watchdog. All three run on the session's strand, so
// plain members are safe.
struct TunnelState {
    tcp::socket& client;
    tcp::socket& upstream;
    Clock::time_point last_activity = Clock::now();
    net::steady_timer& watchdog;
    int running = 2;
    bool failed = false;

    void close_both() {
        boost::system::error_code ignored;
        client.close(ignored);
        upstream.close(ignored);
    }
};

// A kernel pipe for splice(2): bytes move socket -> pipe -> socket without being copied
// into this process. Closed on destruction.
struct Pipe {
    int fd[2] = {-1, -1};
    bool open() {
        if (::pipe2(fd, O_CLOEXEC | O_NONBLOCK) != 0) return false;
        (void)::fcntl(fd[1], F_SETPIPE_SZ, 1 << 20);  // best effort; the default is 64 KiB
        return true;
    }
    ~Pipe() {
        for (int f : fd) {
            if (f >= 0) ::close(f);
        }
    }
};

enum class Spliced { kDone, kFailed, kUnsupported };

// Relays with splice(2). Returns kUnsupported before moving any byte when the kernel
// refuses splice for these descriptors, so the caller can fall back to copying.
net::awaitable<Spliced> splice_relay(tcp::socket& from, tcp::socket& to, TunnelState& state) {
    Pipe pipe;
    boost::system::error_code ec;
    from.native_non_blocking(true, ec);
    to.native_non_blocking(true, ec);
    if (ec) co_return Spliced::kUnsupported;
    // Many tunnels close without carrying a byte in one direction (a refused TLS handshake, a
    // probe); the pipe, four descriptors per tunnel, is made only once there is data.
    auto [first] = co_await from.async_wait(tcp::socket::wait_read, kNoThrow);
    if (first) co_return Spliced::kFailed;
    char probe = 0;
    const ssize_t peeked = ::recv(from.native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
    if (peeked == 0) co_return Spliced::kDone;  // readable because it ended
    if (peeked < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        co_return Spliced::kFailed;
    }
    if (!pipe.open()) co_return Spliced::kUnsupported;
    bool moved_any = false;
    constexpr std::size_t kChunk = 1 << 20;
    while (true) {
        ssize_t in = ::splice(from.native_handle(), nullptr, pipe.fd[1], nullptr, kChunk,
                              SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        if (in == 0) co_return Spliced::kDone;  // EOF
        if (in < 0) {
            if (errno == EINVAL && !moved_any) co_return Spliced::kUnsupported;
            if (errno != EAGAIN && errno != EINTR) co_return Spliced::kFailed;
            auto [wec] = co_await from.async_wait(tcp::socket::wait_read, kNoThrow);
            if (wec) co_return Spliced::kFailed;
            continue;
        }
        moved_any = true;
        state.last_activity = Clock::now();
        auto left = static_cast<std::size_t>(in);
        while (left > 0) {
            ssize_t out = ::splice(pipe.fd[0], nullptr, to.native_handle(), nullptr, left,
                                   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (out < 0) {
                if (errno != EAGAIN && errno != EINTR) co_return Spliced::kFailed;
                auto [wec] = co_await to.async_wait(tcp::socket::wait_write, kNoThrow);
                if (wec) co_return Spliced::kFailed;
                continue;
            }
            left -= static_cast<std::size_t>(out);
        }
        state.last_activity = Clock::now();
    }
}

net::awaitable<void> pump(tcp::socket& from, tcp::socket& to, TunnelState& state) {
    // splice(2) first: bulk transfers then cost no copies through user space. Sockets the
    // kernel cannot splice fall back to copying.
    auto spliced = co_await splice_relay(from, to, state);
    if (spliced != Spliced::kUnsupported) {
        if (spliced == Spliced::kFailed) state.failed = true;
        boost::system::error_code ignored;
        to.shutdown(tcp::socket::shutdown_send, ignored);
        if (state.failed) state.close_both();
        if (--state.running == 0) state.watchdog.cancel();
        co_return;
    }
    // 64 KiB per direction: bulk transfers move in fewer, larger reads and writes. On the
    // heap, so a coroutine frame stays small.
    std::vector<char> buf(64 * 1024);
    while (true) {
        auto [rec, n] = co_await from.async_read_some(net::buffer(buf), kNoThrow);
        if (rec) {
            if (rec != net::error::eof) state.failed = true;
            break;
        }
        state.last_activity = Clock::now();
        auto [wec, wn] = co_await net::async_write(to, net::buffer(buf.data(), n), kNoThrow);
        if (wec) {
            state.failed = true;
            break;
        }
        state.last_activity = Clock::now();
    }
    // EOF from one side becomes a FIN to the other; the opposite direction keeps flowing.
    boost::system::error_code ignored;
    to.shutdown(tcp::socket::shutdown_send, ignored);
    if (state.failed) state.close_both();
    if (--state.running == 0) state.watchdog.cancel();
}

}  // namespace

net::awaitable<void> run_tunnel(tcp::socket client, tcp::socket upstream, std::string client_prefix,
                                TunnelLimits limits) {
    if (!client_prefix.empty()) {
        auto [ec, n] = co_await net::async_write(upstream, net::buffer(client_prefix), kNoThrow);
        if (ec) co_return;
    }
    auto executor = co_await net::this_coro::executor;
    net::steady_timer timer(executor);
    TunnelState state{client, upstream, Clock::now(), timer};
    const auto started = Clock::now();
    net::co_spawn(executor, pump(client, upstream, state), net::detached);
    net::co_spawn(executor, pump(upstream, client, state), net::detached);

    // Watchdog: polls at a quarter of the idle timeout (bounded to 20 ms..1 s) and closes
    // both sockets on idle or lifetime expiry, which ends both pumps. It returns only after
    // both pumps finished, because they reference the sockets and state in this frame.
    auto tick = std::clamp<std::chrono::milliseconds>(
        limits.idle_timeout / 4, std::chrono::milliseconds(20), std::chrono::milliseconds(1000));
    bool closed = false;
    while (state.running > 0) {
        timer.expires_after(closed ? std::chrono::milliseconds(10) : tick);
        co_await timer.async_wait(kNoThrow);
        const auto now = Clock::now();
        if (!closed && (now - state.last_activity >= limits.idle_timeout ||
                        now - started >= limits.max_lifetime)) {
            state.close_both();
            closed = true;
        }
    }
    state.close_both();
}

}  // namespace kars::router::server
