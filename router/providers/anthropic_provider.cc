// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/providers/anthropic_provider.h"

#include "router/providers/base_url.h"
#include "router/providers/request_body.h"
#include "router/providers/request_common.h"

namespace kars::router::providers {

Result<UpstreamRequest> build_anthropic_request(const ProviderConfig& config, Operation operation,
                                                boost::json::value body,
                                                const HeaderList& client_headers) {
    if (operation != Operation::kMessages && operation != Operation::kModels) {
        return unsupported_operation(config, operation);
    }

    ClientHeaderOptions header_options;
    header_options.forward_anthropic_beta = true;
    header_options.anthropic_beta_allowlist = &config.anthropic_beta_allowlist;
    auto request = start_request(config, client_headers, header_options);
    if (!request) return request.error();
    const std::string root = strip_path_suffix(request->endpoint.base_path, "/v1");

    if (operation == Operation::kModels) {
        request->method = "GET";
        request->target = root + "/v1/models";
    } else {
        auto obj = require_object_body(body, operation_name(operation));
        if (!obj) return obj.error();
        request->target = root + "/v1/messages";
        attach_body(*request, operation, **obj);
    }

    // Every Messages API call must name the API version (Anthropic API "Versioning").
    set_header(*request, "x-api-key", config.credential);
    set_header(*request, "anthropic-version", config.anthropic_version);
    return request;
}

}  // namespace kars::router::providers
