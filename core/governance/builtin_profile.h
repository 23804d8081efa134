// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The governance profile that applies when a deployment names none
// (deploy/profiles/kars-default.yaml, embedded at build time).

#include <string_view>

namespace kars::governance {

inline constexpr std::string_view kBuiltinProfileName = "builtin:kars-default.yaml";

std::string_view builtin_default_profile();

}  // namespace kars::governance
