// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "sandbox/listen_sockets.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "sandbox/sys_error.h"

namespace kars::sandbox {
namespace {

constexpr size_t kMaxFds = 16;
constexpr size_t kMaxTag = 4096;

Result<int> listen_one(const ListenSocketSpec& spec) {
    std::string where = spec.address + ":" + std::to_string(spec.port);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(spec.port);
    if (inet_pton(AF_INET, spec.address.c_str(), &addr.sin_addr) != 1) {
        return setup_error("listen socket address is not IPv4: " + spec.address);
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return sys_error("socket", where);
    }
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) {
        int err = errno;
        close(fd);
        return sys_error("setsockopt", "SO_REUSEADDR " + where, err);
    }
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) < 0) {
        int err = errno;
        close(fd);
        return sys_error("bind", where, err);
    }
    if (listen(fd, spec.backlog) < 0) {
        int err = errno;
        close(fd);
        return sys_error("listen", where, err);
    }
    return fd;
}

}  // namespace

Result<std::vector<int>> create_listen_sockets(const std::vector<ListenSocketSpec>& specs) {
    if (specs.size() > kMaxFds) {
        return setup_error("too many listen sockets (max 16)");
    }
    std::vector<int> fds;
    for (const auto& spec : specs) {
        auto fd = listen_one(spec);
        if (!fd) {
            for (int f : fds) {
                close(f);
            }
            return fd.error();
        }
        fds.push_back(*fd);
    }
    return fds;
}

Status send_message(int channel, const std::string& tag, const std::vector<int>& fds) {
    if (fds.size() > kMaxFds || tag.size() > kMaxTag) {
        return setup_error("message too large for the control channel");
    }
    iovec iov{const_cast<char*>(tag.data()), tag.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (!fds.empty()) {
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
        cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
        std::memcpy(CMSG_DATA(cmsg), fds.data(), sizeof(int) * fds.size());
    }
    ssize_t n = retry_eintr([&] { return sendmsg(channel, &msg, MSG_NOSIGNAL); });
    if (n < 0) {
        return sys_error("sendmsg", "control channel");
    }
    return ok_status();
}

Result<Message> receive_message(int channel) {
    std::string buffer(kMaxTag, '\0');
    iovec iov{buffer.data(), buffer.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n = retry_eintr([&] { return recvmsg(channel, &msg, MSG_CMSG_CLOEXEC); });
    if (n < 0) {
        return sys_error("recvmsg", "control channel");
    }
    Message out;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            out.fds.resize(count);
            std::memcpy(out.fds.data(), CMSG_DATA(c), count * sizeof(int));
        }
    }
    if ((msg.msg_flags & MSG_CTRUNC) != 0) {
        for (int fd : out.fds) {
            close(fd);
        }
        return setup_error("recvmsg: control data truncated (too many fds)");
    }
    out.tag = buffer.substr(0, static_cast<size_t>(n));
    return out;
}

}  // namespace kars::sandbox
