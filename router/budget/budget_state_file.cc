// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/budget/budget_state_file.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/files/state_file.h"
#include "core/json/parse.h"

namespace kars::router::budget {
namespace {

constexpr std::int64_t kStateVersion = 1;

Error corrupt(const std::string& detail) {
    return make_error("budget_state_corrupt", detail);
}

std::optional<std::uint64_t> count(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr) return std::nullopt;
    if (v->is_uint64()) return v->get_uint64();
    if (v->is_int64() && v->get_int64() >= 0) return static_cast<std::uint64_t>(v->get_int64());
    return std::nullopt;
}

}  // namespace

std::string encode_budget_state(const std::vector<StoredUsage>& usage) {
    boost::json::object sandboxes;
    for (const auto& u : usage) {
        sandboxes[u.sandbox] = boost::json::object{{"day", u.day},
                                                   {"day_used", u.day_used},
                                                   {"month", u.month},
                                                   {"month_used", u.month_used}};
    }
    boost::json::object root{{"version", kStateVersion}, {"sandboxes", std::move(sandboxes)}};
    return boost::json::serialize(root) + "\n";
}

Result<std::vector<StoredUsage>> decode_budget_state(std::string_view text) {
    auto parsed = kars::json::parse(text);
    if (!parsed.ok()) return corrupt("not valid JSON: " + parsed.error().message);
    const auto* root = parsed->if_object();
    if (root == nullptr) return corrupt("top level is not an object");
    auto version = kars::json::int_field(*parsed, "version");
    if (!version || *version != kStateVersion) {
        return corrupt("missing or unsupported \"version\" (expected 1)");
    }
    const auto* sandboxes = root->if_contains("sandboxes");
    if (sandboxes == nullptr || !sandboxes->is_object()) {
        return corrupt("\"sandboxes\" is missing or not an object");
    }

    std::vector<StoredUsage> out;
    for (const auto& [name, entry] : sandboxes->get_object()) {
        const auto* o = entry.if_object();
        std::string where = "sandbox \"" + std::string(name) + "\": ";
        if (o == nullptr) return corrupt(where + "entry is not an object");
        auto day = count(*o, "day");
        auto day_used = count(*o, "day_used");
        auto month = count(*o, "month");
        auto month_used = count(*o, "month_used");
        if (!day || !day_used || !month || !month_used) {
            return corrupt(where +
                           "day, day_used, month and month_used must be non-negative "
                           "integers");
        }
        if (*day > static_cast<std::uint64_t>(INT64_MAX) ||
            *month > static_cast<std::uint64_t>(INT64_MAX)) {
            return corrupt(where + "window index out of range");
        }
        out.push_back(StoredUsage{std::string(name), static_cast<std::int64_t>(*day), *day_used,
                                  static_cast<std::int64_t>(*month), *month_used});
    }
    return out;
}

Status write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
    auto st = files::replace_file(path, bytes);
    if (!st.ok()) return make_error("budget_persist_failed", st.error().message);
    return ok_status();
}

Result<std::optional<std::string>> read_file_if_exists(const std::filesystem::path& path) {
    // Far larger than any real ledger (a few dozen bytes per sandbox); a bigger file is damage.
    constexpr std::size_t kMaxStateBytes = 64 * 1024 * 1024;
    auto read = files::read_file(path, kMaxStateBytes);
    if (!read.ok()) return corrupt(read.error().message);
    if (!read->has_value()) return std::optional<std::string>();
    return std::optional<std::string>(std::move((*read)->bytes));
}

}  // namespace kars::router::budget
