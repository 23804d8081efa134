// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// A pseudo-terminal for `kars connect` and `kars exec -t`. The sandboxed shell gets a fresh
// pty slave as its controlling terminal, never the caller's terminal: a process holding the
// caller's terminal could push input into it (TIOCSTI) or take it over after the shell
// exits. The caller's terminal is put in raw mode and bytes are relayed both ways.

#include <termios.h>

#include "core/result.h"

namespace kars::cli {

struct Pty {
    int master = -1;
    int slave = -1;
};

// Opens a pty pair (posix_openpt(3)) with the window size of `size_from` when that is a
// terminal. Both fds are O_CLOEXEC.
Result<Pty> open_pty(int size_from);

// Puts a terminal in raw mode and restores it when destroyed (also on an error path).
class RawTerminal {
public:
    explicit RawTerminal(int fd);
    ~RawTerminal();
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;

private:
    int fd_ = -1;
    bool active_ = false;
    termios saved_{};
};

// Relays stdin -> master and master -> stdout until `done_fd` (the joined command's status
// channel) turns readable, then drains what the master still holds. Window size changes of
// stdin (SIGWINCH) are passed on to the pty.
void relay_pty(int master, int done_fd);

}  // namespace kars::cli
