// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// The router's config loader on arbitrary bytes: any input is either a config or an error,
// never a crash or an escaped exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "router/config/router_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto cfg = kars::router::config::parse_router_config(text, "/nonexistent");
    if (cfg.ok() && cfg->sandbox_name.empty()) __builtin_trap();  // required field
    return 0;
}
