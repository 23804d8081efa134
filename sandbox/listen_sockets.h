// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The router's doors into the sandbox. Sockets belong to the network namespace they were
// created in, so a listener made inside the sandbox's namespace and accepted on outside is
// reachable by the agent at 127.0.0.1:<port> while the router itself stays outside. The fds
// travel to the caller as SCM_RIGHTS over a socketpair (unix(7)).

#include <string>
#include <vector>

#include "core/result.h"
#include "sandbox/sandbox_spec.h"

namespace kars::sandbox {

// socket + SO_REUSEADDR + bind + listen for each spec, in the current network namespace.
Result<std::vector<int>> create_listen_sockets(const std::vector<ListenSocketSpec>& specs);

// One message: the tag as payload, the fds as SCM_RIGHTS.
Status send_message(int channel, const std::string& tag, const std::vector<int>& fds);

struct Message {
    std::string tag;
    std::vector<int> fds;  // owned by the receiver, O_CLOEXEC
};

// Blocks for one message; an empty tag with no error means the peer closed the channel.
Result<Message> receive_message(int channel);

}  // namespace kars::sandbox
