// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// Feeds arbitrary bytes through everything that turns untrusted JSON into an upstream request
// or a client response: Messages -> chat request translation (and the provider builders that
// follow it), chat -> Messages response translation, and the streaming translator (a JSON
// array is fed element by element as chunks). Nothing may crash, and the streaming translator
// must always end in exactly one terminal event.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/json/parse.h"
#include "router/providers/base_url.h"
#include "router/providers/build_request.h"
#include "router/translate/messages_request.h"
#include "router/translate/messages_response.h"
#include "router/translate/messages_stream.h"

namespace {

using kars::router::providers::AzureUrlStyle;
using kars::router::providers::Operation;
using kars::router::providers::ProviderConfig;
using kars::router::providers::ProviderKind;
namespace translate = kars::router::translate;

void check_stream(const boost::json::value& input) {
    translate::ChatToMessagesStream stream("fuzz-model");
    std::size_t terminal = 0;
    auto consume = [&terminal](const std::vector<translate::SseEvent>& events) {
        for (const auto& e : events) {
            (void)kars::json::to_string(e.data);
            if (e.event == "message_stop" || e.event == "error") ++terminal;
        }
    };
    if (const auto* chunks = input.if_array()) {
        for (const auto& chunk : *chunks) consume(stream.on_chunk(chunk));
    } else {
        consume(stream.on_chunk(input));
    }
    consume(stream.on_end());
    if (terminal != 1 || !stream.finished()) __builtin_trap();
}

void check_providers(const boost::json::value& chat_body) {
    ProviderConfig openai;
    openai.kind = ProviderKind::kOpenAI;
    openai.credential = "k";
    (void)kars::router::providers::build_request(openai, Operation::kChatCompletions, chat_body,
                                                 {{"authorization", "x"}});

    ProviderConfig azure;
    azure.kind = ProviderKind::kAzureOpenAI;
    azure.base_url = "https://r.openai.azure.com";
    azure.credential = "k";
    azure.azure_url_style = AzureUrlStyle::kDeployment;
    (void)kars::router::providers::build_request(azure, Operation::kChatCompletions, chat_body, {});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)kars::router::providers::parse_base_url(text);

    auto parsed = kars::json::parse(text);
    if (!parsed) return 0;
    const boost::json::value& v = *parsed;

    auto chat = translate::messages_to_chat_request(v);
    if (chat) check_providers(*chat);
    translate::MessagesRequestOptions options;
    options.use_max_completion_tokens = true;
    (void)translate::messages_to_chat_request(v, options);

    auto message = translate::chat_to_messages_response(v, "fuzz-model");
    if (message) (void)kars::json::to_string(*message);

    check_stream(v);
    return 0;
}
