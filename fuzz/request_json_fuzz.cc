// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// Request JSON handling on arbitrary bytes: the steps the router runs on a client body
// before forwarding (parse with depth limit, field access, token estimate, usage reading,
// model rewrite, stream setup, Messages translation, cassette matching).
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/json/parse.h"
#include "router/accounting/usage.h"
#include "router/budget/token_estimate.h"
#include "router/providers/request_body.h"
#include "router/translate/messages_request.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto v = kars::json::parse(text);
    if (!v.ok()) return 0;
    (void)kars::json::string_field(*v, "model");
    (void)kars::json::bool_field(*v, "stream");
    (void)kars::router::budget::estimate_request_tokens(*v);
    auto usage = kars::router::accounting::read_usage(*v);
    if (usage.input && *usage.input < 0) __builtin_trap();  // negatives are never trusted
    auto rewritten = kars::router::providers::with_model(*v, "fuzz-model");
    if (rewritten.is_object()) {
        auto model = kars::router::providers::model_of(rewritten);
        if (!model || *model != "fuzz-model") __builtin_trap();
        (void)kars::router::providers::prepare_chat_stream(rewritten.as_object());
    }
    (void)kars::router::translate::messages_to_chat_request(*v);
    return 0;
}
