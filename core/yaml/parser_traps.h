// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// A guard run before yaml-cpp. Debian's yaml-cpp 0.7 never returns on some invalid inputs:
// a line that starts with ',' in block context (",e" on its own loops forever; found by the
// governance profile fuzzer). Such a line is never valid YAML: ',' is a flow indicator and
// cannot start a plain scalar. The check is a conservative line scan: it tracks quotes,
// comments, flow collections and block scalars, and refuses only that shape, so the real
// parser still decides everything else.

#include <string_view>

#include "core/result.h"

namespace kars::yaml {

// Error code "invalid_yaml" naming the line, for input that would hang the parser.
Status reject_parser_traps(std::string_view text);

}  // namespace kars::yaml
