// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/providers/build_request.h"

#include "router/providers/anthropic_provider.h"
#include "router/providers/azure_openai_provider.h"
#include "router/providers/github_models_provider.h"
#include "router/providers/openai_provider.h"

namespace kars::router::providers {

Result<UpstreamRequest> build_request(const ProviderConfig& config, Operation operation,
                                      boost::json::value body, const HeaderList& client_headers) {
    switch (config.kind) {
        case ProviderKind::kOpenAI:
            return build_openai_request(config, operation, std::move(body), client_headers);
        case ProviderKind::kAzureOpenAI:
            return build_azure_openai_request(config, operation, std::move(body), client_headers);
        case ProviderKind::kAnthropic:
            return build_anthropic_request(config, operation, std::move(body), client_headers);
        case ProviderKind::kGitHubModels:
            return build_github_models_request(config, operation, std::move(body), client_headers);
    }
    return make_error("invalid_config", "unknown provider kind");
}

bool supports_operation(ProviderKind kind, Operation operation) {
    switch (kind) {
        case ProviderKind::kOpenAI:
        case ProviderKind::kAzureOpenAI:
            return operation != Operation::kMessages;
        case ProviderKind::kAnthropic:
            return operation == Operation::kMessages || operation == Operation::kModels;
        case ProviderKind::kGitHubModels:
            return operation == Operation::kChatCompletions;
    }
    return false;
}

}  // namespace kars::router::providers
