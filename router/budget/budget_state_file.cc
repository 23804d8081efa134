// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "router/budget/budget_state_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/json/parse.h"

namespace kars::router::budget {
namespace {

constexpr std::int64_t kStateVersion = 1;

Error io_error(std::string_view call, const std::filesystem::path& path) {
    return make_error("budget_persist_failed",
                      std::string(call) + " " + path.string() + ": " + std::strerror(errno));
}

Error corrupt(const std::string& detail) {
    return make_error("budget_state_corrupt", detail);
}

Status write_all(int fd, std::string_view bytes, const std::filesystem::path& path) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return io_error("write", path);
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return ok_status();
}

Status fsync_directory(const std::filesystem::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return io_error("open", dir);
    int rc = ::fsync(fd);
    Status s = rc == 0 ? ok_status() : Status(io_error("fsync", dir));
    ::close(fd);
    return s;
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
    std::filesystem::path tmp = path;
    tmp += ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return io_error("open", tmp);
    Status s = write_all(fd, bytes, tmp);
    if (s.ok() && ::fsync(fd) != 0) s = io_error("fsync", tmp);
    if (::close(fd) != 0 && s.ok()) s = io_error("close", tmp);
    if (!s.ok()) {
        ::unlink(tmp.c_str());
        return s;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        Error e = io_error("rename", tmp);
        ::unlink(tmp.c_str());
        return e;
    }
    std::filesystem::path dir = path.parent_path();
    return fsync_directory(dir.empty() ? std::filesystem::path(".") : dir);
}

Result<std::optional<std::string>> read_file_if_exists(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) return std::optional<std::string>();
    if (fd < 0) return corrupt("cannot open: " + std::string(std::strerror(errno)));
    std::string text;
    char buffer[16 * 1024];
    for (;;) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            ::close(fd);
            return corrupt("read failed: " + std::string(std::strerror(err)));
        }
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return std::optional<std::string>(std::move(text));
}

}  // namespace kars::router::budget
