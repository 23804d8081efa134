// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/pty_relay.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>

namespace kars::cli {
namespace {

volatile std::sig_atomic_t g_window_changed = 0;

void on_window_change(int) {
    g_window_changed = 1;
}

// No SA_RESTART: poll(2) must return so the loop can pass the new size on.
void watch_window_size() {
    struct sigaction sa {};
    sa.sa_handler = on_window_change;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGWINCH, &sa, nullptr);
}

void copy_window_size(int from, int to) {
    winsize ws{};
    if (isatty(from) && ioctl(from, TIOCGWINSZ, &ws) == 0) ioctl(to, TIOCSWINSZ, &ws);
}

bool write_all(int fd, const char* data, ssize_t size) {
    while (size > 0) {
        const ssize_t n = write(fd, data, static_cast<std::size_t>(size));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data += n;
        size -= n;
    }
    return true;
}

// Returns false at EOF or error (EIO on a master whose slave is closed everywhere).
bool pump(int from, int to) {
    char buf[4096];
    const ssize_t n = read(from, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) return false;
    return write_all(to, buf, n);
}

void drain(int master) {
    const int flags = fcntl(master, F_GETFL);
    fcntl(master, F_SETFL, flags | O_NONBLOCK);
    char buf[4096];
    ssize_t n = 0;
    while ((n = read(master, buf, sizeof buf)) > 0) {
        if (!write_all(1, buf, n)) break;
    }
}

}  // namespace

Result<Pty> open_pty(int size_from) {
    Pty pty;
    pty.master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (pty.master < 0) {
        return make_error("pty", std::string("posix_openpt: ") + std::strerror(errno));
    }
    char name[128];
    if (grantpt(pty.master) != 0 || unlockpt(pty.master) != 0 ||
        ptsname_r(pty.master, name, sizeof name) != 0) {
        const std::string why = std::strerror(errno);
        close(pty.master);
        return make_error("pty", "grantpt/unlockpt/ptsname_r: " + why);
    }
    pty.slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (pty.slave < 0) {
        const std::string why = std::strerror(errno);
        close(pty.master);
        return make_error("pty", std::string("open(") + name + "): " + why);
    }
    copy_window_size(size_from, pty.slave);
    return pty;
}

RawTerminal::RawTerminal(int fd) : fd_(fd) {
    if (!isatty(fd) || tcgetattr(fd, &saved_) != 0) return;
    termios raw = saved_;
    cfmakeraw(&raw);
    active_ = tcsetattr(fd, TCSANOW, &raw) == 0;
}

RawTerminal::~RawTerminal() {
    if (active_) tcsetattr(fd_, TCSANOW, &saved_);
}

void relay_pty(int master, int done_fd) {
    watch_window_size();
    bool stdin_open = true;
    bool master_open = true;
    for (;;) {
        if (g_window_changed) {
            g_window_changed = 0;
            copy_window_size(0, master);
        }
        pollfd fds[3] = {{done_fd, POLLIN, 0},
                         {master_open ? master : -1, POLLIN, 0},
                         {stdin_open ? 0 : -1, POLLIN, 0}};
        if (poll(fds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[1].revents != 0 && !pump(master, 1)) master_open = false;
        if (fds[2].revents != 0 && !pump(0, master)) stdin_open = false;
        if (fds[0].revents != 0) break;  // the command ended
    }
    if (master_open) drain(master);
}

}  // namespace kars::cli
