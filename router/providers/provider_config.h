// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Configuration of the one upstream provider a router forwards to, and the operations a client
// may ask for. Credentials are plain values here: the server reads them from files or the
// environment, and nothing in this layer writes them anywhere but the upstream header.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "router/providers/upstream_request.h"

namespace kars::router::providers {

// `kOpenAI` covers api.openai.com and every OpenAI-compatible server (vLLM, Ollama,
// llama.cpp server): they differ only in base URL and whether a key is needed.
enum class ProviderKind { kOpenAI, kAzureOpenAI, kAnthropic, kGitHubModels };

// The client-facing API a request came in on.
enum class Operation { kChatCompletions, kResponses, kEmbeddings, kModels, kMessages };

// Azure OpenAI accepts either a resource key or a Microsoft Entra ID access token.
enum class AzureAuth { kApiKey, kEntraToken };

// Deployment style: /openai/deployments/{deployment}/...?api-version=...; v1 style:
// /openai/v1/... with the deployment named in the body's `model`.
enum class AzureUrlStyle { kDeployment, kV1 };

inline constexpr std::string_view kDefaultAnthropicVersion = "2023-06-01";
// Latest GA data-plane version of the deployment-style Azure OpenAI API.
inline constexpr std::string_view kDefaultAzureApiVersion = "2024-10-21";
inline constexpr std::string_view kDefaultOpenAIBaseUrl = "https://api.openai.com/v1";
inline constexpr std::string_view kDefaultAnthropicBaseUrl = "https://api.anthropic.com";
inline constexpr std::string_view kDefaultGitHubModelsBaseUrl =
    "https://models.github.ai/inference";

struct ProviderConfig {
    ProviderKind kind = ProviderKind::kOpenAI;
    // Empty means the provider's public default; Azure has none and must be set.
    std::string base_url;
    // API key or bearer token. May be empty only for kOpenAI (local servers without auth).
    std::string credential;

    AzureAuth azure_auth = AzureAuth::kApiKey;
    AzureUrlStyle azure_url_style = AzureUrlStyle::kDeployment;
    // Unset: kDefaultAzureApiVersion for deployment style, no api-version query for v1.
    std::optional<std::string> azure_api_version;
    // Client model name -> Azure deployment name; a model not listed is its own deployment.
    std::map<std::string, std::string, std::less<>> deployments;

    std::string anthropic_version = std::string(kDefaultAnthropicVersion);
    // anthropic-beta values a client may switch on; anything else is removed from the header.
    std::vector<std::string> anthropic_beta_allowlist;

    // GitHub Models: attribute usage to this organization (/orgs/{org}/inference/...).
    std::string github_org;

    // Set by validate_and_resolve() once the config passed validate_config(): the parsed
    // base URL, so building a request neither re-validates nor re-parses it.
    std::optional<UpstreamEndpoint> resolved_endpoint;

    // One log line describing the config with the credential redacted.
    std::string describe() const;
};

// validate_config() and, on success, resolved_endpoint filled in. Done once per loaded
// config; the request path then trusts it.
Status validate_and_resolve(ProviderConfig& config);

// "openai" (also "openai-compatible", "vllm", "ollama", "llama-cpp"), "azure-openai",
// "anthropic", "github-models". Unknown names are an "invalid_config" error.
Result<ProviderKind> parse_provider_kind(std::string_view name);

// Canonical name of a kind, as used in logs and metrics.
std::string_view provider_kind_name(ProviderKind kind);

// Stable name of an operation ("chat_completions", "messages", ...) for logs and errors.
std::string_view operation_name(Operation operation);

// The configured base URL, or the kind's public default when none is configured.
std::string_view effective_base_url(const ProviderConfig& config);

// Start-up check: base URL parses, credential present where required and free of control
// characters (a stray newline from a key file would otherwise split the header).
Status validate_config(const ProviderConfig& config);

// The Azure deployment (or v1 `model`) a client model maps to; identity when unmapped.
std::string deployment_for(const ProviderConfig& config, std::string_view model);

}  // namespace kars::router::providers
