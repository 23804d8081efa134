// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/credentials_cmd.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "cli/credential_store.h"

namespace kars::cli {
namespace {

constexpr int kExitFailed = 1;

struct SetOptions {
    std::string provider;
    std::string key_file;
    std::string key_env;
    std::string base_url;
};

[[noreturn]] void fail(const std::string& message) {
    std::cerr << "kars credentials: " << message << "\n";
    throw CLI::RuntimeError(kExitFailed);
}

std::string read_key(const SetOptions& o) {
    if (!o.key_env.empty()) {
        const char* value = std::getenv(o.key_env.c_str());
        if (value == nullptr) fail("environment variable " + o.key_env + " is not set");
        return value;
    }
    std::ifstream in(o.key_file, std::ios::binary);
    if (!in) fail("cannot read " + o.key_file + "; check the path and its permissions");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void run_set(const SetOptions& o) {
    const Status st = store_credential(o.provider, read_key(o), o.base_url);
    if (!st.ok()) fail(st.error().message);
    const auto cred = find_credential(o.provider);
    // The key itself is never echoed, only where it went.
    std::cout << "stored the " << o.provider << " API key in "
              << (cred ? cred->key_file.string() : std::string("~/.kars/credentials"))
              << " (mode 0600); `kars dev` hands it to the router, never to the sandbox\n";
}

}  // namespace

void register_credentials_commands(CLI::App& app) {
    CLI::App* group = app.add_subcommand("credentials", "store provider API keys for the router");
    group->require_subcommand(1);

    auto opts = std::make_shared<SetOptions>();
    CLI::App* set = group->add_subcommand("set", "store the API key of a model provider");
    set->add_option("provider", opts->provider,
                    "provider name as in InferencePolicy modelPreference (openai, "
                    "azure-openai, anthropic, github-models)")
        ->required();
    auto* file = set->add_option("--api-key-file", opts->key_file, "file holding the key");
    auto* env = set->add_option("--api-key-env", opts->key_env, "variable holding the key");
    file->excludes(env);
    set->add_option("--base-url", opts->base_url,
                    "provider endpoint (required for azure-openai, e.g. "
                    "https://NAME.openai.azure.com/openai/v1)");
    set->callback([opts, file, env] {
        if (file->count() == 0 && env->count() == 0) {
            throw CLI::RequiredError("--api-key-file or --api-key-env");
        }
        run_set(*opts);
    });
}

}  // namespace kars::cli
