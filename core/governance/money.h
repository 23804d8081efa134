// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Strict parsing of the ToolPolicy currency strings ("USD 100.00": an ISO-4217 code, one
// space, integer units and exactly two decimals). Strict because a cap that parses to
// something other than what its author meant is worse than a refused policy.

#include <string_view>

#include "core/governance/decision.h"
#include "core/result.h"

namespace kars::governance {

// Errors have code "invalid_money". Amounts above 10^15 minor units are refused.
Result<Money> parse_money(std::string_view text);

}  // namespace kars::governance
