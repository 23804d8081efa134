// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// Pinning of MCP tool definitions against drift ("rug pull": a server that changes what a
// tool says it does after it was trusted). The first definition seen is pinned (trust on
// first use); a later, different one is reported as drifted and stays so until an operator
// approves it with `kars mcp approve`, naming the digest they reviewed.
//
// The pin file is shared by the router and the CLI: JSON {"version":1,"pins":[...]}, every
// operation under an exclusive flock of "<path>.lock", replaced atomically (mode 0600), and
// re-read whenever another process replaced it. A file that cannot be read or parsed is an
// error, never an empty store: that would silently re-pin every drifted tool.

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "core/files/state_file.h"
#include "core/result.h"

namespace kars::mcp {

inline constexpr std::size_t kMaxPinFileBytes = 8 * 1024 * 1024;

// Lower-case hex SHA-256 of the RFC 8785 canonical JSON of the tool's name, title,
// description, inputSchema, outputSchema and annotations (absent members as null): every
// member that changes what a model is told about the tool or how a client treats its
// calls. _meta and icons are left out; they are for the client's display, not the model.
// Error "invalid_tool" when the tool has no non-empty string name.
// Note: Boost.JSON 1.81 may parse a fractional number one ulp off (see core/json/canonical.h);
// digests are only ever compared with digests this code computed, so that is consistent.
Result<std::string> tool_definition_digest(const boost::json::object& tool);

// The canonical JSON the digest is taken over; kept with pins so an operator can read what
// was pinned and what it changed to.
Result<std::string> tool_definition_text(const boost::json::object& tool);

enum class PinState { kPinnedNow, kMatches, kDrifted };

struct PinRecord {
    std::string server;
    std::string tool;
    std::string digest;               // the approved definition
    std::string pinned_at;            // RFC 3339 UTC, when it was pinned or approved
    std::string observed_digest;      // while drifted: the latest different definition seen
    std::string observed_at;          // while drifted: when it was seen
    std::string definition;           // canonical JSON of the pinned definition, if known
    std::string observed_definition;  // while drifted: canonical JSON of the new one
};

// Thread-safe; any number of PinStores (in this or other processes) may share one path.
class PinStore {
public:
    // `path` is the pin file; an empty path keeps pins in memory only.
    explicit PinStore(std::string path);

    // Compares `digest` (from tool_definition_digest) with the pin of server/tool. Unknown:
    // pins it (kPinnedNow). Equal: kMatches, and a drift recorded earlier is cleared (the
    // server went back to the approved definition). Different: kDrifted; the pin is kept
    // and the observed digest recorded for the operator. Errors: "invalid_pin" for bad
    // arguments, "pin_store_corrupt", "io_error".
    // `definition` is the canonical JSON the digest was taken over (tool_definition_text);
    // it is stored so the operator can review it, and must hash to `digest` when given.
    Result<PinState> check(std::string_view server, std::string_view tool, std::string_view digest,
                           std::string_view definition = {});

    // Operator re-approval: the observed digest of a drifted tool becomes its pin.
    // `reviewed` is the observed digest, or a prefix of it of at least 8 characters, that the
    // operator looked at: if the server changed the tool again since, nothing is approved.
    // Errors: "pin_not_found", "pin_not_drifted", "pin_digest_mismatch", and those of check().
    Status approve(std::string_view server, std::string_view tool, std::string_view reviewed);

    // Every pin, ordered by server then tool.
    Result<std::vector<PinRecord>> list();

    const std::string& path() const { return path_; }

private:
    using Key = std::pair<std::string, std::string>;  // server, tool

    // Takes the file lock (none for an in-memory store) and brings pins_ up to date under it.
    Result<std::optional<files::FileLock>> begin();
    Status refresh();  // re-reads the file when it changed since the last read or write
    Status save();

    std::string path_;
    std::mutex mu_;  // guards everything below, and orders this process's own callers
    std::map<Key, PinRecord> pins_;
    files::FileStamp stamp_;  // of the file pins_ was read from or written to
    bool loaded_ = false;
};

}  // namespace kars::mcp
