// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The network namespace holds only the loopback interface. With no other interface there is
// no route anywhere: connect() to any non-local address fails with ENETUNREACH before a
// packet exists, and the router's listeners (listen_sockets.h) are the only way out.

#include "core/result.h"

namespace kars::sandbox {

// SIOCSIFFLAGS IFF_UP on "lo" (a new namespace starts with it down; netdevice(7)).
Status bring_up_loopback();

}  // namespace kars::sandbox
