// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/providers/fallback.h"

namespace kars::router::providers {

FallbackDecision classify_upstream_status(int status) {
    if (status < 100 || status > 599) return FallbackDecision::kTryNext;
    if (status == 429 || status >= 500) return FallbackDecision::kTryNext;
    return FallbackDecision::kAccept;
}

}  // namespace kars::router::providers
