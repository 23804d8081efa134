// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// Network escapes. Inside, the sandbox's namespace has only `lo`, so connect() to anything
// else fails with ENETUNREACH before a packet exists; nothing here may send traffic off the
// machine, so outside (--expect-open) only listeners on 127.0.0.1 the test opened are tried.

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sandbox/conformance/checks.h"

namespace kars::sandbox::conformance {
namespace {

// Connects without waiting: ENETUNREACH (no route) is immediate; EINPROGRESS would mean a
// route exists and a SYN may already be on its way, which is itself the escape.
Outcome try_connect(int family, int type, const char* address, int port) {
    int fd = socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        return refused("socket: " + errno_text(errno));
    }
    sockaddr_storage storage{};
    socklen_t len = 0;
    if (family == AF_INET) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(static_cast<uint16_t>(port));
        inet_pton(AF_INET, address, &sin->sin_addr);
        len = sizeof(*sin);
    } else {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&storage);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(static_cast<uint16_t>(port));
        inet_pton(AF_INET6, address, &sin6->sin6_addr);
        len = sizeof(*sin6);
    }
    int rc = connect(fd, reinterpret_cast<sockaddr*>(&storage), len);
    int err = errno;
    if (rc < 0 && err == EINPROGRESS) {
        // Loopback connects complete at once; give them a moment, never a public address.
        pollfd pfd{fd, POLLOUT, 0};
        poll(&pfd, 1, 1000);
        socklen_t elen = sizeof(err);
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
        rc = err == 0 ? 0 : -1;
    }
    close(fd);
    std::string where = std::string(address) + ":" + std::to_string(port);
    if (rc == 0) {
        return escaped("connected to " + where);
    }
    return refused(where + ": " + errno_text(err));
}

Check public_check(const std::string& name, int family, int type, const char* address) {
    return {name, [=](const Options& o) {
                if (!o.confined) {
                    return not_tested("not tried outside: it would send traffic to " +
                                      std::string(address));
                }
                return try_connect(family, type, address, 53);
            }};
}

Check private_check(const std::string& name, const char* address, int port) {
    return {name, [=](const Options& o) {
                if (!o.confined) {
                    return not_tested("not tried outside: it would leave loopback");
                }
                return try_connect(AF_INET, SOCK_STREAM, address, port);
            }};
}

Outcome host_loopback(const Options& o) {
    if (o.host_port == 0) {
        return not_tested("no --host-port given");
    }
    return try_connect(AF_INET, SOCK_STREAM, "127.0.0.1", o.host_port);
}

Outcome dns_lookup(const Options& o) {
    if (!o.confined) {
        return not_tested("not tried outside: it would query a public resolver");
    }
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* result = nullptr;
    int rc = getaddrinfo("example.com", "443", &hints, &result);
    if (rc == 0) {
        freeaddrinfo(result);
        return escaped("example.com resolved");
    }
    return refused(std::string("getaddrinfo(example.com): ") + gai_strerror(rc));
}

Outcome open_socket(int family, int type, int protocol, const char* what) {
    int fd = socket(family, type | SOCK_CLOEXEC, protocol);
    if (fd >= 0) {
        close(fd);  // created and closed: nothing was sent
        return escaped(std::string(what) + " socket created");
    }
    return refused(std::string(what) + ": " + errno_text(errno));
}

Outcome router_ports(const Options& o) {
    if (o.router_ports.empty()) {
        return not_tested("no --router-port given");
    }
    std::string detail;
    for (int port : o.router_ports) {
        Outcome r = try_connect(AF_INET, SOCK_STREAM, "127.0.0.1", port);
        if (r.verdict != Verdict::kEscaped) {
            return {Verdict::kBroken, "router port unreachable: " + r.detail};
        }
        detail += std::to_string(port) + " ";
    }
    return {Verdict::kHealthy, "reachable: " + detail};
}

}  // namespace

std::vector<Check> network_checks() {
    return {
        public_check("connect_tcp4_public", AF_INET, SOCK_STREAM, "1.1.1.1"),
        public_check("connect_udp4_public", AF_INET, SOCK_DGRAM, "1.1.1.1"),
        public_check("connect_tcp6_public", AF_INET6, SOCK_STREAM, "2606:4700::1111"),
        public_check("connect_udp6_public", AF_INET6, SOCK_DGRAM, "2606:4700::1111"),
        private_check("connect_cloud_metadata", "169.254.169.254", 80),
        private_check("connect_private_net", "10.0.0.1", 80),
        {"connect_host_loopback", host_loopback},
        {"dns_lookup", dns_lookup},
        {"raw_socket",
         [](const Options&) {
             return open_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP, "AF_INET/SOCK_RAW");
         }},
        {"packet_socket",
         [](const Options&) {
             return open_socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL), "AF_PACKET");
         }},
        {"router_ports_reachable", router_ports},
    };
}

}  // namespace kars::sandbox::conformance
