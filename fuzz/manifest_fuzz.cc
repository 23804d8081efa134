// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// Arbitrary bytes through the manifest loader: it must return a Result, never crash, hang
// or throw. Seeds: fuzz/corpus/manifest/.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/manifest/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto manifest = kars::manifest::load_manifest_string(text, "fuzz");
    if (manifest.ok()) {
        // Exercise selection on whatever loaded, as the router would.
        for (const auto& s : manifest->sandboxes) {
            kars::manifest::SandboxIdentity id{s.metadata.name, s.metadata.namespace_name,
                                               s.metadata.labels};
            (void)kars::manifest::select_inference_policy(manifest->inference_policies, id, "chat");
        }
    }
    return 0;
}
