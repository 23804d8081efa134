// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "sandbox/net_ns.h"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "sandbox/sys_error.h"

namespace kars::sandbox {

Status bring_up_loopback() {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return sys_error("socket", "AF_INET, SOCK_DGRAM");
    }
    ifreq req{};
    std::strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
    if (ioctl(fd, SIOCGIFFLAGS, &req) < 0) {
        int err = errno;
        close(fd);
        return sys_error("ioctl", "SIOCGIFFLAGS lo", err);
    }
    req.ifr_flags = static_cast<short>(req.ifr_flags | IFF_UP | IFF_RUNNING);
    if (ioctl(fd, SIOCSIFFLAGS, &req) < 0) {
        int err = errno;
        close(fd);
        return sys_error("ioctl", "SIOCSIFFLAGS lo up", err);
    }
    close(fd);
    return ok_status();
}

}  // namespace kars::sandbox
