// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/providers/github_models_provider.h"

#include "router/providers/base_url.h"
#include "router/providers/request_body.h"
#include "router/providers/request_common.h"

namespace kars::router::providers {
namespace {

// The version GitHub's Models REST reference documents for its inference endpoints.
constexpr std::string_view kGitHubApiVersion = "2022-11-28";

}  // namespace

Result<UpstreamRequest> build_github_models_request(const ProviderConfig& config,
                                                    Operation operation, boost::json::value body,
                                                    const HeaderList& client_headers) {
    if (operation != Operation::kChatCompletions) return unsupported_operation(config, operation);

    auto request = start_request(config, client_headers, {});
    if (!request) return request.error();

    std::string prefix;
    if (!config.github_org.empty()) {
        // Organization attribution is POST /orgs/{org}/inference/chat/completions.
        auto org = encode_path_segment(config.github_org);
        if (!org) return make_error("invalid_config", "github_org: " + org.error().message);
        prefix = "/orgs/" + *org;
    }
    request->target = prefix + request->endpoint.base_path + "/chat/completions";

    auto obj = require_object_body(body, operation_name(operation));
    if (!obj) return obj.error();
    attach_body(*request, operation, **obj);

    set_header(*request, "authorization", "Bearer " + config.credential);
    set_header(*request, "x-github-api-version", std::string(kGitHubApiVersion));
    return request;
}

}  // namespace kars::router::providers
