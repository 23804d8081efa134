// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

#include <string>
#include <string_view>

namespace kars::cli {

// Text from logs, audit entries and error messages was written by agents and upstreams;
// control characters in it must not reach the terminal, where escape sequences could
// rewrite what the operator sees. They are shown as \xNN.
std::string printable(std::string_view s);

}  // namespace kars::cli
