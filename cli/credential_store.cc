// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/credential_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "cli/private_files.h"

namespace kars::cli {
namespace {

namespace fs = std::filesystem;

std::string trim(std::string s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return "";
    const auto last = s.find_last_not_of(" \t\r\n");
    return s.substr(first, last - first + 1);
}

}  // namespace

Result<fs::path> kars_home() {
    const char* home = std::getenv("HOME");
    if (home == nullptr || home[0] != '/') {
        return make_error("no_home", "HOME is not set to an absolute path; set it to your home");
    }
    return fs::path(home) / ".kars";
}

Result<fs::path> sandbox_state_dir(const std::string& name, const std::string& explicit_dir) {
    if (!explicit_dir.empty()) return fs::absolute(explicit_dir);
    auto home = kars_home();
    if (!home.ok()) return home.error();
    return *home / "sandboxes" / name;
}

bool valid_provider_name(std::string_view name) {
    if (name.empty() || name.size() > 63) return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        if (!ok) return false;
    }
    return true;
}

Status store_credential(const std::string& provider, const std::string& key,
                        const std::string& base_url) {
    if (!valid_provider_name(provider)) {
        return make_error("bad_provider", "provider name '" + provider +
                                              "' must be lower-case letters, digits and '-'");
    }
    const std::string secret = trim(key);
    if (secret.empty()) return make_error("empty_key", "the API key is empty");
    if (secret.find('\n') != std::string::npos) {
        return make_error("bad_key", "the API key spans several lines; store one key only");
    }
    auto home = kars_home();
    if (!home.ok()) return home.error();
    const fs::path dir = *home / "credentials";
    if (auto st = make_private_dir(*home); !st.ok()) return st;
    if (auto st = make_private_dir(dir); !st.ok()) return st;
    if (auto st = write_private_file(dir / provider, secret + "\n"); !st.ok()) return st;
    const fs::path url_file = dir / (provider + ".base_url");
    if (!base_url.empty()) return write_private_file(url_file, base_url + "\n");
    std::error_code ec;
    fs::remove(url_file, ec);  // a stale endpoint must not outlive the key it came with
    return ok_status();
}

std::optional<StoredCredential> find_credential(const std::string& provider) {
    if (!valid_provider_name(provider)) return std::nullopt;
    auto home = kars_home();
    if (!home.ok()) return std::nullopt;
    const fs::path dir = *home / "credentials";
    std::error_code ec;
    if (!fs::is_regular_file(dir / provider, ec)) return std::nullopt;
    StoredCredential cred{dir / provider, ""};
    std::ifstream in(dir / (provider + ".base_url"));
    if (in) {
        std::ostringstream text;
        text << in.rdbuf();
        cred.base_url = trim(text.str());
    }
    return cred;
}

}  // namespace kars::cli
