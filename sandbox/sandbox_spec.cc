// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "sandbox/sandbox_spec.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <map>

namespace kars::sandbox {

std::vector<std::string> default_hidden_paths() {
    std::vector<std::string> paths = {
        "/root",    "/etc/shadow",   "/etc/gshadow", "/etc/sudoers",         "/etc/sudoers.d",
        "/etc/ssh", "/var/lib/kars", "/run/secrets", "/var/run/docker.sock", "/run/docker.sock"};
    auto add_home = [&](const std::string& home) {
        if (!home.empty() && home != "/") {
            paths.push_back(home);
            paths.push_back(home + "/.kars");
        }
    };
    if (const char* home = std::getenv("HOME")) {
        add_home(home);
    }
    if (passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_dir != nullptr) {
        add_home(pw->pw_dir);
    }
    // Under sudo the invoking user is SUDO_USER, whose home holds their credentials.
    if (const char* sudo_user = std::getenv("SUDO_USER")) {
        if (passwd* pw = getpwnam(sudo_user); pw != nullptr && pw->pw_dir != nullptr) {
            add_home(pw->pw_dir);
        }
    }
    return paths;
}

SandboxSpec make_default_spec(std::string name, std::vector<std::string> argv) {
    SandboxSpec spec;
    spec.name = std::move(name);
    spec.argv = std::move(argv);
    spec.hidden_paths = default_hidden_paths();
#ifdef KARS_SECCOMP_PROFILE_PATH
    spec.seccomp_profile_path = KARS_SECCOMP_PROFILE_PATH;
#endif
    return spec;
}

std::vector<std::string> build_environment(const SandboxSpec& spec) {
    // Ordered so the output is stable; the kars variables override the spec's.
    std::map<std::string, std::string> env(spec.env.begin(), spec.env.end());
    const std::string proxy = "http://127.0.0.1:8444";
    env["OPENAI_BASE_URL"] = "http://127.0.0.1:8443/v1";
    env["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:8443";
    env["KARS_MCP_URL"] = "http://127.0.0.1:8443/mcp";
    env["HTTPS_PROXY"] = proxy;
    env["HTTP_PROXY"] = proxy;
    env["https_proxy"] = proxy;
    env["http_proxy"] = proxy;
    env["NO_PROXY"] = "127.0.0.1,localhost";
    env["KARS_SANDBOX_NAME"] = spec.name;
    env["HOME"] = "/sandbox";
    std::vector<std::string> out;
    out.reserve(env.size());
    for (const auto& [key, value] : env) {
        out.push_back(key + "=" + value);
    }
    return out;
}

}  // namespace kars::sandbox
