// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/providers/provider_config.h"

#include "router/providers/base_url.h"

namespace kars::router::providers {
namespace {

// Header values may not carry CR, LF or NUL (RFC 9110 section 5.5); other control characters
// are refused too because no real key or token contains them.
bool is_clean_credential(std::string_view credential) {
    for (char c : credential) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) return false;
    }
    return true;
}

}  // namespace

std::string ProviderConfig::describe() const {
    std::string out = "provider=";
    out += provider_kind_name(kind);
    // Only the parsed parts of the URL are shown: a base URL carrying userinfo would
    // otherwise leak a password into the log (validate_config refuses such URLs anyway).
    auto endpoint = parse_base_url(effective_base_url(*this));
    out += " endpoint=";
    if (endpoint) {
        out += endpoint->scheme + "://" + endpoint->authority + endpoint->base_path;
    } else {
        out += "<invalid>";
    }
    out += credential.empty() ? " credential=<none>" : " credential=<redacted>";
    if (kind == ProviderKind::kAzureOpenAI) {
        out += azure_auth == AzureAuth::kApiKey ? " auth=api-key" : " auth=entra-token";
        out += azure_url_style == AzureUrlStyle::kDeployment ? " url_style=deployment"
                                                             : " url_style=v1";
        if (azure_api_version) out += " api_version=" + *azure_api_version;
        out += " deployments=" + std::to_string(deployments.size());
    }
    if (kind == ProviderKind::kAnthropic) {
        out += " anthropic_version=" + anthropic_version;
        out += " beta_allowlist=" + std::to_string(anthropic_beta_allowlist.size());
    }
    if (kind == ProviderKind::kGitHubModels && !github_org.empty()) {
        out += " org=" + github_org;
    }
    return out;
}

Result<ProviderKind> parse_provider_kind(std::string_view name) {
    if (name == "openai" || name == "openai-compatible" || name == "vllm" || name == "ollama" ||
        name == "llama-cpp") {
        return ProviderKind::kOpenAI;
    }
    if (name == "azure-openai") return ProviderKind::kAzureOpenAI;
    if (name == "anthropic") return ProviderKind::kAnthropic;
    if (name == "github-models") return ProviderKind::kGitHubModels;
    return make_error("invalid_config", "unknown provider kind '" + std::string(name) + "'");
}

std::string_view provider_kind_name(ProviderKind kind) {
    switch (kind) {
        case ProviderKind::kOpenAI:
            return "openai";
        case ProviderKind::kAzureOpenAI:
            return "azure-openai";
        case ProviderKind::kAnthropic:
            return "anthropic";
        case ProviderKind::kGitHubModels:
            return "github-models";
    }
    return "unknown";
}

std::string_view operation_name(Operation operation) {
    switch (operation) {
        case Operation::kChatCompletions:
            return "chat_completions";
        case Operation::kResponses:
            return "responses";
        case Operation::kEmbeddings:
            return "embeddings";
        case Operation::kModels:
            return "models";
        case Operation::kMessages:
            return "messages";
    }
    return "unknown";
}

std::string_view effective_base_url(const ProviderConfig& config) {
    if (!config.base_url.empty()) return config.base_url;
    switch (config.kind) {
        case ProviderKind::kOpenAI:
            return kDefaultOpenAIBaseUrl;
        case ProviderKind::kAnthropic:
            return kDefaultAnthropicBaseUrl;
        case ProviderKind::kGitHubModels:
            return kDefaultGitHubModelsBaseUrl;
        case ProviderKind::kAzureOpenAI:
            return {};
    }
    return {};
}

Status validate_and_resolve(ProviderConfig& config) {
    config.resolved_endpoint.reset();
    if (auto valid = validate_config(config); !valid) return valid;
    auto endpoint = parse_base_url(effective_base_url(config));
    if (!endpoint) return endpoint.error();
    config.resolved_endpoint = std::move(*endpoint);
    return ok_status();
}

Status validate_config(const ProviderConfig& config) {
    if (config.kind == ProviderKind::kAzureOpenAI && config.base_url.empty()) {
        return make_error("invalid_config",
                          "azure-openai needs a base URL "
                          "(https://<resource>.openai.azure.com)");
    }
    auto endpoint = parse_base_url(effective_base_url(config));
    if (!endpoint) return endpoint.error();

    if (config.credential.empty() && config.kind != ProviderKind::kOpenAI) {
        return make_error("invalid_config",
                          std::string(provider_kind_name(config.kind)) + " needs a credential");
    }
    if (!is_clean_credential(config.credential)) {
        return make_error("invalid_config",
                          "credential contains control characters (trailing newline?)");
    }
    if (!is_clean_credential(config.anthropic_version) ||
        (config.azure_api_version && !is_clean_credential(*config.azure_api_version))) {
        return make_error("invalid_config", "version string contains control characters");
    }
    return ok_status();
}

std::string deployment_for(const ProviderConfig& config, std::string_view model) {
    auto it = config.deployments.find(model);
    if (it != config.deployments.end()) return it->second;
    return std::string(model);
}

}  // namespace kars::router::providers
