// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/providers/openai_provider.h"

#include "router/providers/request_body.h"
#include "router/providers/request_common.h"

namespace kars::router::providers {
Result<UpstreamRequest> build_openai_request(const ProviderConfig& config, Operation operation,
                                             boost::json::value body,
                                             const HeaderList& client_headers) {
    if (operation == Operation::kMessages) return unsupported_operation(config, operation);

    auto request = start_request(config, client_headers, {});
    if (!request) return request.error();
    request->target = request->endpoint.base_path + std::string(openai_operation_path(operation));

    if (operation == Operation::kModels) {
        request->method = "GET";
    } else {
        auto obj = require_object_body(body, operation_name(operation));
        if (!obj) return obj.error();
        attach_body(*request, operation, **obj);
    }
    if (!config.credential.empty()) {
        set_header(*request, "authorization", "Bearer " + config.credential);
    }
    return request;
}

}  // namespace kars::router::providers
