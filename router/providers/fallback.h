// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// When a fallback list of models/deployments is configured, which upstream answers mean
// "try the next one" and which are the answer the client gets.

namespace kars::router::providers {

enum class FallbackDecision {
    kAccept,   // 1xx-4xx other than 429: relay to the client as-is
    kTryNext,  // 429 (quota/rate limit) or 5xx (provider fault): next target may succeed
};

// Classifies an upstream HTTP status. Only 429 and 5xx fail over: any other 4xx is about the
// request itself and would fail the same way on every target. Out-of-range statuses (no valid
// HTTP response) also fail over.
FallbackDecision classify_upstream_status(int status);

}  // namespace kars::router::providers
