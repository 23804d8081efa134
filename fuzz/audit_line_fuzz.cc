// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// Feeds arbitrary bytes to everything that reads audit files: the entry and checkpoint line
// parsers, the canonicaliser and the whole-file verifier. Besides "no crash", it checks the
// properties the format relies on: an accepted line is its own canonical form and re-seals to
// the same hash.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/audit/checkpoint.h"
#include "core/audit/entry.h"
#include "core/audit/verify.h"
#include "core/json/canonical.h"
#include "core/json/parse.h"

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

bool has_double(const boost::json::value& v) {
    if (v.is_double()) return true;
    if (const auto* a = v.if_array()) {
        for (const auto& e : *a) {
            if (has_double(e)) return true;
        }
    }
    if (const auto* o = v.if_object()) {
        for (const auto& kv : *o) {
            if (has_double(kv.value())) return true;
        }
    }
    return false;
}

void check_entry(std::string_view line) {
    auto entry = kars::audit::parse_entry_line(line);
    if (!entry) return;
    kars::audit::Entry copy = *entry;
    auto resealed = kars::audit::seal_entry(copy);
    require(resealed.ok());
    require(*resealed == line);
    require(copy.hash == entry->hash);
}

void check_checkpoint(std::string_view line) {
    auto cp = kars::audit::parse_checkpoint_line(line);
    if (!cp) return;
    require(kars::audit::checkpoint_line(*cp) == line);
}

void check_canonical(std::string_view text) {
    auto v = kars::json::parse(text);
    if (!v) return;
    auto once = kars::json::canonicalize(*v);
    if (!once) return;
    // Boost.JSON's default double parser may be one ulp off, so a re-parse of a canonical
    // number need not give the same double; idempotence is checked for the exact cases.
    if (has_double(*v)) return;
    auto again = kars::json::parse(*once);
    require(again.ok());
    auto twice = kars::json::canonicalize(*again);
    require(twice.ok() && *twice == *once);
}

void check_verifier(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return;
    std::FILE* log = ::fmemopen(const_cast<std::uint8_t*>(data), size, "rb");
    if (log == nullptr) return;
    auto report = kars::audit::verify_streams(log, nullptr, nullptr);
    std::fclose(log);
    require(report.entries <= report.lines);
    require(!report.integrity_ok || report.entries == report.lines);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    check_entry(text);
    check_checkpoint(text);
    check_canonical(text);
    check_verifier(data, size);
    return 0;
}
