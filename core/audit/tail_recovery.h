// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// What the writer does when it opens an existing log: drop a line torn by a crash and find
// where the chain continues.

#include <cstdint>
#include <optional>
#include <string>

#include "core/audit/checkpoint.h"
#include "core/audit/entry.h"
#include "core/result.h"

namespace kars::audit {

struct ChainHead {
    std::uint64_t next_seq = 0;
    std::string prev_hash{kGenesisHash};
    std::uint64_t size = 0;  // bytes of complete lines, where the next entry starts
};

// Truncates any bytes after the last '\n' of the log open at `fd` (a write torn by a crash:
// no writer acknowledged it, because acknowledgement follows fdatasync of whole lines), then
// parses the last line. Fails ("audit_log_corrupt") if that line is not a valid entry: the
// writer will not extend a chain whose head it cannot trust.
Result<ChainHead> recover_log_tail(int fd, const std::string& path);

// Same truncation for the checkpoints file; returns its last checkpoint (signature unchecked),
// or nullopt if there is none or the last line does not parse.
Result<std::optional<Checkpoint>> recover_checkpoint_tail(int fd, const std::string& path);

}  // namespace kars::audit
