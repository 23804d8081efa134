// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Provider API keys stored for the router under ~/.kars/credentials/<provider> (file 0600,
// directory 0700). The CLI only writes them and tells the router where they are; it never
// prints a key, and the sandbox hides ~/.kars from the agent.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace kars::cli {

// ~/.kars, from $HOME (the invoking user's home).
Result<std::filesystem::path> kars_home();

// Where `kars dev` keeps a sandbox's router config, audit log, budget and approvals:
// `explicit_dir` when given, else ~/.kars/sandboxes/NAME. Every verb that finds a sandbox
// by name uses this, so the layout is defined once.
Result<std::filesystem::path> sandbox_state_dir(const std::string& name,
                                                const std::string& explicit_dir = {});

// True for names usable as a file name and a router provider name: [a-z0-9-]{1,63}.
bool valid_provider_name(std::string_view name);

struct StoredCredential {
    std::filesystem::path key_file;  // the secret, mode 0600
    std::string base_url;            // optional, from `--base-url` (not secret)
};

// Writes `key` (surrounding whitespace removed) for `provider`, replacing any previous one
// atomically. `base_url` is stored beside it when not empty.
Status store_credential(const std::string& provider, const std::string& key,
                        const std::string& base_url);

// The stored credential for `provider`, if any.
std::optional<StoredCredential> find_credential(const std::string& provider);

}  // namespace kars::cli
