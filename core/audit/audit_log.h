// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The audit log writer: an append-only, hash-chained JSON lines file with group commit and
// signed checkpoints. Format: docs/audit-format.md.
//
// Guarantee: an entry is acknowledged (callback fired, append_sync returned) only after the
// bytes of its line, and of every line before it, were written and fdatasync()ed. A crash can
// therefore lose only unacknowledged entries, and at most leaves a torn last line, which the
// next open() truncates.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/audit/entry.h"
#include "core/audit/signing_key.h"
#include "core/result.h"

namespace kars::audit {

struct LogOptions {
    std::string path;
    // PEM Ed25519 private key for checkpoints; created (0600, plus "<key>.pub") if missing.
    // Empty means "<path>.key".
    std::string signing_key_path;
    std::size_t checkpoint_every = 100;                   // entries between checkpoints
    std::chrono::milliseconds checkpoint_interval{5000};  // max age of an unsigned entry
    std::size_t max_queue = 65536;                        // appends waiting for the writer
    // Under continuous load, at most one fdatasync per this interval: the writer waits out
    // the rest of the interval since its last sync so more entries share the next one. An
    // append after a quiet spell is written at once. Callers never wait on durability on
    // the request path, so this trades a millisecond of durability lag for far fewer syncs.
    std::chrono::microseconds commit_delay{1000};
    // Observability hook, run on the writer thread after each successful fdatasync with the
    // highest seq now durable (before that batch's callbacks run).
    std::function<void(std::uint64_t)> on_synced;
};

class AuditLog {
public:
    using Callback = std::function<void(Result<Receipt>)>;

    // Opens or creates the log, truncates a torn last line, continues the chain after the last
    // entry, loads or creates the signing key and starts the writer thread. Fails if the log is
    // locked by another writer, its last entry is invalid, or it is shorter than its own last
    // checkpoint (it was truncated; see `kars audit verify`).
    static Result<std::unique_ptr<AuditLog>> open(LogOptions options);

    ~AuditLog();
    AuditLog(const AuditLog&) = delete;
    AuditLog& operator=(const AuditLog&) = delete;

    // Queues `event` without blocking. On success `on_durable` later runs on the writer thread
    // with the receipt once the entry is durable, or with an error if writing failed. On error
    // (audit_queue_full, audit_log_closed, audit_log_failed) nothing was queued and
    // `on_durable` is never called; callers must fail closed. Callbacks must be short and must
    // not call append_sync().
    Status append(Event event, Callback on_durable = {});

    // Appends and waits until the entry is durable. Refused on the writer thread.
    Result<Receipt> append_sync(Event event);

    // Writes everything queued, writes a final checkpoint if entries are unsigned, stops the
    // writer. Idempotent; later appends fail with audit_log_closed.
    void close();

    const std::string& key_id() const { return key_.key_id(); }

private:
    struct Pending {
        Event event;
        Callback callback;
    };

    AuditLog(LogOptions options, SigningKey key, int log_fd, int checkpoint_fd);
    void run();
    void write_batch(std::deque<Pending>& batch);
    void maybe_checkpoint(bool force);

    const LogOptions options_;
    const SigningKey key_;
    const int log_fd_;
    const int checkpoint_fd_;
    const std::string checkpoint_path_;

    std::mutex mu_;
    std::condition_variable wake_;
    std::deque<Pending> queue_;  // guarded by mu_
    bool stopping_ = false;      // guarded by mu_
    bool failed_ = false;        // guarded by mu_; sticky after a failed write or sync

    // Owned by the writer thread once it runs.
    std::uint64_t next_seq_ = 0;
    std::string prev_hash_{kGenesisHash};
    std::uint64_t size_ = 0;
    std::uint64_t checkpoint_size_ = 0;
    std::optional<std::uint64_t> checkpointed_seq_;
    std::optional<std::chrono::steady_clock::time_point> checkpoint_due_;
    std::optional<std::chrono::steady_clock::time_point> last_sync_;  // writer thread only

    std::once_flag close_once_;
    std::thread writer_;
    std::thread::id writer_id_;  // set once in open(), read by append_sync()
};

}  // namespace kars::audit
