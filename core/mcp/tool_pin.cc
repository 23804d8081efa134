// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/mcp/tool_pin.h"

#include <time.h>

#include <array>
#include <ctime>
#include <filesystem>
#include <initializer_list>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/audit/digest.h"
#include "core/json/canonical.h"
#include "core/json/parse.h"

namespace kars::mcp {
namespace {

// kars::json (parser, canonical form) is always spelled in full below.
namespace json = boost::json;
namespace fs = std::filesystem;

constexpr std::int64_t kPinFileVersion = 1;
constexpr std::size_t kDigestHexLength = 64;

std::string utc_now() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    std::array<char, 32> buf{};
    std::size_t n = std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::string(buf.data(), n);
}

std::string describe(std::string_view server, std::string_view tool) {
    return "tool '" + std::string(tool) + "' of MCP server '" + std::string(server) + "'";
}

std::string encode(const std::map<std::pair<std::string, std::string>, PinRecord>& pins) {
    json::array list;
    for (const auto& [key, p] : pins) {
        json::object o{{"server", p.server},
                       {"tool", p.tool},
                       {"digest", p.digest},
                       {"pinned_at", p.pinned_at}};
        if (!p.definition.empty()) o["definition"] = p.definition;
        if (!p.observed_digest.empty()) {
            o["observed_digest"] = p.observed_digest;
            o["observed_at"] = p.observed_at;
            if (!p.observed_definition.empty()) o["observed_definition"] = p.observed_definition;
        }
        list.push_back(std::move(o));
    }
    json::object root{{"version", kPinFileVersion}, {"pins", std::move(list)}};
    return json::serialize(root) + "\n";
}

// Strict: anything unexpected is corruption, reported with the entry it is in. The file is
// only ever written by encode(), so a problem means damage or a hand edit gone wrong.
Result<std::map<std::pair<std::string, std::string>, PinRecord>> decode(std::string_view text,
                                                                        const std::string& path) {
    auto corrupt = [&](const std::string& what) {
        return make_error("pin_store_corrupt", path + ": " + what);
    };
    auto parsed = kars::json::parse(text);
    if (!parsed.ok()) return corrupt(parsed.error().message);
    const json::object* root = parsed->if_object();
    if (!root) return corrupt("top level is not an object");
    if (kars::json::int_field(*root, "version") != kPinFileVersion) {
        return corrupt("missing or unsupported \"version\" (expected 1)");
    }
    const json::value* list = root->if_contains("pins");
    if (!list || !list->is_array()) return corrupt("\"pins\" is missing or not an array");

    std::map<std::pair<std::string, std::string>, PinRecord> out;
    for (std::size_t i = 0; i < list->get_array().size(); ++i) {
        const std::string where = "pins[" + std::to_string(i) + "]: ";
        const json::object* o = list->get_array()[i].if_object();
        if (!o) return corrupt(where + "not an object");
        PinRecord p;
        for (auto [key, field] : std::initializer_list<std::pair<std::string_view, std::string*>>{
                 {"server", &p.server},
                 {"tool", &p.tool},
                 {"digest", &p.digest},
                 {"pinned_at", &p.pinned_at},
                 {"observed_digest", &p.observed_digest},
                 {"observed_at", &p.observed_at},
                 {"definition", &p.definition},
                 {"observed_definition", &p.observed_definition}}) {
            const json::value* v = o->if_contains(key);
            if (v && !v->is_string()) return corrupt(where + std::string(key) + " is not a string");
            if (v) *field = std::string(v->get_string());
        }
        if (p.server.empty() || p.tool.empty()) return corrupt(where + "server or tool missing");
        if (!audit::is_lower_hex(p.digest, kDigestHexLength)) {
            return corrupt(where + "digest is not 64 lower-case hex characters");
        }
        if (!p.observed_digest.empty() &&
            (!audit::is_lower_hex(p.observed_digest, kDigestHexLength) ||
             p.observed_digest == p.digest)) {
            return corrupt(where + "observed_digest is not a different 64-character hex digest");
        }
        if (!p.definition.empty() && audit::sha256_hex(p.definition) != p.digest) {
            return corrupt(where + "definition does not hash to digest");
        }
        if (!p.observed_definition.empty() &&
            audit::sha256_hex(p.observed_definition) != p.observed_digest) {
            return corrupt(where + "observed_definition does not hash to observed_digest");
        }
        auto key = std::make_pair(p.server, p.tool);
        if (!out.emplace(key, std::move(p)).second) {
            return corrupt(where + "second pin for " + describe(key.first, key.second));
        }
    }
    return out;
}

}  // namespace

Result<std::string> tool_definition_digest(const boost::json::object& tool) {
    auto text = tool_definition_text(tool);
    if (!text.ok()) return text.error();
    return audit::sha256_hex(*text);
}

Result<std::string> tool_definition_text(const boost::json::object& tool) {
    auto name = kars::json::string_field(tool, "name");
    if (!name || name->empty()) {
        return make_error("invalid_tool", "MCP tool definition has no \"name\" string");
    }
    json::object covered;
    for (std::string_view key :
         {"name", "title", "description", "inputSchema", "outputSchema", "annotations"}) {
        const json::value* v = tool.if_contains(key);
        covered[key] = v ? *v : json::value(nullptr);
    }
    auto canonical = kars::json::canonicalize(covered);
    if (!canonical.ok()) {
        return make_error("invalid_tool",
                          "MCP tool '" + std::string(*name) + "': " + canonical.error().message);
    }
    return std::move(*canonical);
}

PinStore::PinStore(std::string path) : path_(std::move(path)) {
    loaded_ = path_.empty();  // an in-memory store starts, and stays, up to date
}

Result<std::optional<files::FileLock>> PinStore::begin() {
    if (path_.empty()) return std::optional<files::FileLock>();
    const fs::path parent = fs::path(path_).parent_path();
    std::error_code ec;
    if (!parent.empty() && !fs::exists(parent, ec)) {
        fs::create_directories(parent, ec);
        if (ec) return make_error("io_error", "create " + parent.string() + ": " + ec.message());
        fs::permissions(parent, fs::perms::owner_all, fs::perm_options::replace, ec);
    }
    auto lock = files::FileLock::acquire(path_ + ".lock");
    if (!lock.ok()) return lock.error();
    auto fresh = refresh();
    if (!fresh.ok()) return fresh.error();
    return std::optional<files::FileLock>(std::move(*lock));
}

Status PinStore::refresh() {
    auto now = files::stamp_of(path_);
    if (!now.ok()) return now.error();
    if (loaded_ && *now == stamp_) return ok_status();

    loaded_ = false;
    auto content = files::read_file(path_, kMaxPinFileBytes);
    if (!content.ok()) return content.error();
    if (!content->has_value()) {
        pins_.clear();
        stamp_ = files::FileStamp{};
        loaded_ = true;
        return ok_status();
    }
    auto pins = decode((*content)->bytes, path_);
    if (!pins.ok()) return pins.error();
    pins_ = std::move(*pins);
    stamp_ = (*content)->stamp;
    loaded_ = true;
    return ok_status();
}

Status PinStore::save() {
    if (path_.empty()) return ok_status();
    // On failure the file still holds the previous pins; forgetting what was loaded makes
    // the next operation read them back instead of trusting this process's unsaved change.
    auto written = files::replace_file(path_, encode(pins_));
    if (!written.ok()) {
        loaded_ = false;
        return written;
    }
    auto stamp = files::stamp_of(path_);
    if (!stamp.ok()) {
        loaded_ = false;
        return stamp.error();
    }
    stamp_ = *stamp;
    return ok_status();
}

Result<PinState> PinStore::check(std::string_view server, std::string_view tool,
                                 std::string_view digest, std::string_view definition) {
    if (server.empty() || tool.empty()) {
        return make_error("invalid_pin", "a pin needs a server name and a tool name");
    }
    if (!audit::is_lower_hex(digest, kDigestHexLength)) {
        return make_error("invalid_pin", "digest of " + describe(server, tool) +
                                             " is not 64 lower-case hex characters");
    }
    if (!definition.empty() && audit::sha256_hex(definition) != digest) {
        return make_error("invalid_pin", "the definition given for " + describe(server, tool) +
                                             " does not hash to its digest");
    }
    std::lock_guard<std::mutex> guard(mu_);
    auto key = std::make_pair(std::string(server), std::string(tool));
    // The common case, a tool that matches its pin in a file nobody replaced since it was
    // read, needs neither the file lock nor a write: one stat. Writers replace the file by
    // rename, so an unchanged stamp means the pins in memory are the pins on disk.
    if (loaded_) {
        auto it = pins_.find(key);
        if (it != pins_.end() && it->second.digest == digest &&
            it->second.observed_digest.empty()) {
            if (path_.empty()) return PinState::kMatches;
            auto now = files::stamp_of(path_);
            if (now.ok() && *now == stamp_) return PinState::kMatches;
        }
    }
    auto lock = begin();
    if (!lock.ok()) return lock.error();

    auto it = pins_.find(key);
    if (it == pins_.end()) {
        pins_.emplace(key, PinRecord{key.first,
                                     key.second,
                                     std::string(digest),
                                     utc_now(),
                                     {},
                                     {},
                                     std::string(definition),
                                     {}});
        auto saved = save();
        if (!saved.ok()) return saved.error();
        return PinState::kPinnedNow;
    }

    PinRecord& pin = it->second;
    if (pin.digest == digest) {
        if (pin.observed_digest.empty()) return PinState::kMatches;
        pin.observed_digest.clear();
        pin.observed_at.clear();
        pin.observed_definition.clear();
        auto saved = save();
        if (!saved.ok()) return saved.error();
        return PinState::kMatches;
    }
    // Written only when the observed definition changes, so a drifted tool listed on every
    // request does not rewrite the file each time.
    if (pin.observed_digest != digest) {
        pin.observed_digest = std::string(digest);
        pin.observed_at = utc_now();
        pin.observed_definition = std::string(definition);
        auto saved = save();
        if (!saved.ok()) return saved.error();
    }
    return PinState::kDrifted;
}

Status PinStore::approve(std::string_view server, std::string_view tool,
                         std::string_view reviewed) {
    std::lock_guard<std::mutex> guard(mu_);
    auto lock = begin();
    if (!lock.ok()) return lock.error();

    auto it = pins_.find(std::make_pair(std::string(server), std::string(tool)));
    if (it == pins_.end()) {
        return make_error("pin_not_found", "no pin for " + describe(server, tool));
    }
    PinRecord& pin = it->second;
    if (pin.observed_digest.empty()) {
        return make_error("pin_not_drifted",
                          describe(server, tool) + " matches its pin; there is nothing to approve");
    }
    if (reviewed.size() < 8 || pin.observed_digest.compare(0, reviewed.size(), reviewed) != 0) {
        return make_error("pin_digest_mismatch",
                          describe(server, tool) + " now has definition " +
                              pin.observed_digest.substr(0, 16) + "..., not the '" +
                              std::string(reviewed.substr(0, 64)) +
                              "' given; review it again (kars mcp pins --show) and approve that");
    }
    pin.digest = std::move(pin.observed_digest);
    pin.definition = std::move(pin.observed_definition);
    pin.pinned_at = utc_now();
    pin.observed_digest.clear();
    pin.observed_at.clear();
    pin.observed_definition.clear();
    return save();
}

Result<std::vector<PinRecord>> PinStore::list() {
    std::lock_guard<std::mutex> guard(mu_);
    auto lock = begin();
    if (!lock.ok()) return lock.error();
    std::vector<PinRecord> out;
    out.reserve(pins_.size());
    for (const auto& [key, pin] : pins_) out.push_back(pin);
    return out;
}

}  // namespace kars::mcp
