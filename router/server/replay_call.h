// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The `replay` provider as an UpstreamCall: a recorded exchange is served with its recorded
// status, headers and event timing, so every later stage (safety, usage, translation,
// streaming) runs exactly as it would against the real provider.

#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "router/replay/cassette.h"
#include "router/server/upstream_client.h"

namespace kars::router::server {

// `owner` keeps the cassette that holds `exchange` alive for as long as the call runs (a
// config reload may replace the cassette mid-stream).
std::unique_ptr<UpstreamCall> make_replay_call(boost::asio::any_io_executor executor,
                                               std::shared_ptr<const void> owner,
                                               const replay::Exchange& exchange);

}  // namespace kars::router::server
