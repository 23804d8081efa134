// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/providers/secret_redactor.h"

#include <algorithm>

namespace kars::router::providers {

SecretRedactor::SecretRedactor(std::vector<std::string> secrets) {
    for (auto& s : secrets) {
        if (s.size() >= kMinSecretBytes) secrets_.push_back(std::move(s));
    }
    std::sort(secrets_.begin(), secrets_.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    secrets_.erase(std::unique(secrets_.begin(), secrets_.end()), secrets_.end());
}

bool SecretRedactor::contains_secret(std::string_view text) const {
    return std::any_of(secrets_.begin(), secrets_.end(), [&](const std::string& s) {
        return text.find(s) != std::string_view::npos;
    });
}

std::size_t SecretRedactor::redact(std::string& text) const {
    std::size_t count = 0;
    for (const auto& s : secrets_) {
        for (auto at = text.find(s); at != std::string::npos; at = text.find(s, at)) {
            text.replace(at, s.size(), kReplacement);
            at += kReplacement.size();
            ++count;
        }
    }
    return count;
}

std::size_t SecretRedactor::redact(boost::json::value& value) const {
    if (secrets_.empty()) return 0;
    std::size_t count = 0;
    if (auto* s = value.if_string()) {
        if (contains_secret(*s)) {
            std::string text(*s);
            count = redact(text);
            *s = text;
        }
    } else if (auto* arr = value.if_array()) {
        for (auto& item : *arr) count += redact(item);
    } else if (auto* obj = value.if_object()) {
        for (auto& member : *obj) count += redact(member.value());
    }
    return count;
}

std::size_t SecretRedactor::drop_headers(HeaderList& headers) const {
    return std::erase_if(headers, [&](const auto& h) { return contains_secret(h.second); });
}

}  // namespace kars::router::providers
