// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/providers/azure_openai_provider.h"

#include "router/providers/base_url.h"
#include "router/providers/request_body.h"
#include "router/providers/request_common.h"

namespace kars::router::providers {
namespace {

// The Azure resource root: the configured path minus an /openai or /openai/v1 suffix users
// commonly copy from the portal, so both spellings address the same API.
std::string resource_root(std::string_view base_path) {
    std::string root = strip_path_suffix(base_path, "/openai/v1");
    return strip_path_suffix(root, "/openai");
}

// Deployment-style path for `operation`. Chat completions and embeddings are scoped to a
// deployment in the path; responses and models are resource-level (Azure OpenAI REST
// reference, data plane inference).
Result<std::string> deployment_style_path(const std::string& root, Operation operation,
                                          const std::string& deployment) {
    if (operation == Operation::kResponses || operation == Operation::kModels) {
        return root + "/openai" + std::string(openai_operation_path(operation));
    }
    auto segment = encode_path_segment(deployment);
    if (!segment) return segment.error();
    return root + "/openai/deployments/" + *segment + std::string(openai_operation_path(operation));
}

}  // namespace

Result<UpstreamRequest> build_azure_openai_request(const ProviderConfig& config,
                                                   Operation operation, boost::json::value body,
                                                   const HeaderList& client_headers) {
    if (operation == Operation::kMessages) return unsupported_operation(config, operation);

    auto request = start_request(config, client_headers, {});
    if (!request) return request.error();
    const std::string root = resource_root(request->endpoint.base_path);
    const bool v1 = config.azure_url_style == AzureUrlStyle::kV1;

    std::string path;
    if (operation == Operation::kModels) {
        request->method = "GET";
        path = v1 ? root + "/openai/v1/models" : root + "/openai/models";
    } else {
        auto obj = require_object_body(body, operation_name(operation));
        if (!obj) return obj.error();
        auto model = required_model(**obj);
        if (!model) return model.error();
        const std::string deployment = deployment_for(config, *model);
        (**obj)["model"] = deployment;

        if (v1) {
            path = root + "/openai/v1" + std::string(openai_operation_path(operation));
        } else {
            auto p = deployment_style_path(root, operation, deployment);
            if (!p) return p.error();
            path = std::move(*p);
        }
        attach_body(*request, operation, **obj);
    }

    std::string version;
    if (config.azure_api_version) {
        version = *config.azure_api_version;
    } else if (!v1) {
        version = std::string(kDefaultAzureApiVersion);
    }
    request->target = version.empty() ? path : append_query_param(path, "api-version", version);

    if (config.azure_auth == AzureAuth::kApiKey) {
        set_header(*request, "api-key", config.credential);
    } else {
        set_header(*request, "authorization", "Bearer " + config.credential);
    }
    return request;
}

}  // namespace kars::router::providers
