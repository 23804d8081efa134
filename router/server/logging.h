// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

#include <string>

namespace kars::router::server {

// Routes spdlog to stderr as one JSON object per line ({"ts","level","component","msg"}),
// with the message JSON-escaped so a hostile model name cannot forge log fields. stdout
// stays free for what the user asked for.
void init_json_logging(const std::string& component, const std::string& level);

}  // namespace kars::router::server
