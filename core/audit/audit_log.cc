// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/audit/audit_log.h"

#include <unistd.h>

#include <future>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/audit/checkpoint.h"
#include "core/audit/durable_file.h"
#include "core/audit/tail_recovery.h"

namespace kars::audit {
namespace {

// Closes a descriptor on early return from open().
class FdGuard {
public:
    explicit FdGuard(int fd) : fd_(fd) {}
    ~FdGuard() {
        if (fd_ >= 0) ::close(fd_);
    }
    FdGuard(const FdGuard&) = delete;
    FdGuard& operator=(const FdGuard&) = delete;
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

// The log must be at least as long as its own last checkpoint says. If it is not, entries that
// were acknowledged and signed are gone; writing on would bury that evidence.
Status check_against_checkpoint(const ChainHead& head, const Checkpoint& cp,
                                const std::string& path) {
    if (head.next_seq == 0 || cp.seq > head.next_seq - 1) {
        return make_error("audit_log_truncated",
                          fmt::format("{}: last checkpoint covers seq {} but the log ends before "
                                      "it; run `kars audit verify`",
                                      path, cp.seq));
    }
    if (cp.seq == head.next_seq - 1 && (cp.head_hash != head.prev_hash || cp.size != head.size)) {
        return make_error("audit_log_truncated",
                          fmt::format("{}: last entry does not match the last checkpoint; run "
                                      "`kars audit verify`",
                                      path));
    }
    return ok_status();
}

}  // namespace

Result<std::unique_ptr<AuditLog>> AuditLog::open(LogOptions options) {
    if (options.path.empty()) return make_error("audit_config", "audit log path is empty");
    if (options.signing_key_path.empty()) options.signing_key_path = options.path + ".key";
    if (options.checkpoint_every == 0) options.checkpoint_every = 1;
    if (options.max_queue == 0) options.max_queue = 1;

    auto log_fd = open_append(options.path);
    if (!log_fd) return log_fd.error();
    FdGuard log_guard(*log_fd);
    if (auto s = lock_exclusive(*log_fd, options.path); !s) return s.error();
    auto head = recover_log_tail(*log_fd, options.path);
    if (!head) return head.error();

    const std::string cp_path = options.path + ".checkpoints";
    auto cp_fd = open_append(cp_path);
    if (!cp_fd) return cp_fd.error();
    FdGuard cp_guard(*cp_fd);
    auto last_cp = recover_checkpoint_tail(*cp_fd, cp_path);
    if (!last_cp) return last_cp.error();
    if (*last_cp) {
        if (auto s = check_against_checkpoint(*head, **last_cp, options.path); !s) {
            return s.error();
        }
    }
    auto cp_size = file_size(*cp_fd, cp_path);
    if (!cp_size) return cp_size.error();

    auto key = SigningKey::load_or_create(options.signing_key_path);
    if (!key) return key.error();

    std::unique_ptr<AuditLog> log(
        new AuditLog(std::move(options), std::move(*key), log_guard.release(), cp_guard.release()));
    log->next_seq_ = head->next_seq;
    log->prev_hash_ = head->prev_hash;
    log->size_ = head->size;
    log->checkpoint_size_ = *cp_size;
    if (*last_cp) log->checkpointed_seq_ = (*last_cp)->seq;
    // Entries left unsigned by a crash get their checkpoint promptly.
    const bool unsigned_entries =
        head->next_seq > 0 && (!*last_cp || (*last_cp)->seq < head->next_seq - 1);
    if (unsigned_entries) log->checkpoint_due_ = std::chrono::steady_clock::now();
    log->writer_ = std::thread(&AuditLog::run, log.get());
    log->writer_id_ = log->writer_.get_id();
    return log;
}

AuditLog::AuditLog(LogOptions options, SigningKey key, int log_fd, int checkpoint_fd)
    : options_(std::move(options)),
      key_(std::move(key)),
      log_fd_(log_fd),
      checkpoint_fd_(checkpoint_fd),
      checkpoint_path_(options_.path + ".checkpoints") {}

AuditLog::~AuditLog() {
    close();
}

Status AuditLog::append(Event event, Callback on_durable) {
    bool was_empty = false;
    {
        std::lock_guard lock(mu_);
        if (stopping_) return make_error("audit_log_closed", "audit log is closed");
        if (failed_) {
            return make_error("audit_log_failed", "audit log stopped after a write failure");
        }
        if (queue_.size() >= options_.max_queue) {
            return make_error("audit_queue_full", "audit log queue is full");
        }
        was_empty = queue_.empty();
        queue_.push_back({std::move(event), std::move(on_durable)});
    }
    // The writer only sleeps on an empty queue, so only the append that makes the queue
    // non-empty needs to wake it; the others ride along in the same batch. This saves a
    // futex wake per entry under load.
    if (was_empty) wake_.notify_one();
    return ok_status();
}

Result<Receipt> AuditLog::append_sync(Event event) {
    // The writer thread runs the callbacks; waiting on itself would never end.
    if (std::this_thread::get_id() == writer_id_) {
        return make_error("audit_reentrant", "append_sync called from an audit callback");
    }
    auto promise = std::make_shared<std::promise<Result<Receipt>>>();
    auto done = promise->get_future();
    auto queued = append(std::move(event),
                         [promise](Result<Receipt> r) { promise->set_value(std::move(r)); });
    if (!queued) return queued.error();
    return done.get();
}

void AuditLog::close() {
    std::call_once(close_once_, [this] {
        {
            std::lock_guard lock(mu_);
            stopping_ = true;
        }
        wake_.notify_one();
        if (writer_.joinable()) writer_.join();
        ::close(log_fd_);
        ::close(checkpoint_fd_);
    });
}

void AuditLog::run() {
    std::unique_lock lock(mu_);
    for (;;) {
        auto has_work = [this] { return stopping_ || !queue_.empty(); };
        if (checkpoint_due_) {
            wake_.wait_until(lock, *checkpoint_due_, has_work);
        } else {
            wake_.wait(lock, has_work);
        }
        if (!stopping_ && !queue_.empty() && last_sync_ && options_.commit_delay.count() > 0) {
            const auto next_sync = *last_sync_ + options_.commit_delay;
            if (std::chrono::steady_clock::now() < next_sync) {
                wake_.wait_until(lock, next_sync, [this] { return stopping_; });
            }
        }
        std::deque<Pending> batch;
        batch.swap(queue_);
        const bool last_round = stopping_ && batch.empty();
        lock.unlock();

        if (!batch.empty()) {
            write_batch(batch);
            last_sync_ = std::chrono::steady_clock::now();
        }
        maybe_checkpoint(last_round);

        lock.lock();
        if (last_round) return;
    }
}

void AuditLog::write_batch(std::deque<Pending>& batch) {
    bool failed = false;
    {
        std::lock_guard lock(mu_);
        failed = failed_;
    }
    std::vector<std::pair<Callback, Result<Receipt>>> results;
    results.reserve(batch.size());
    if (failed) {
        for (auto& p : batch) {
            results.emplace_back(std::move(p.callback),
                                 make_error("audit_log_failed",
                                            "audit log stopped after a write "
                                            "failure"));
        }
    } else {
        std::string buf;
        std::uint64_t seq = next_seq_;
        std::string prev = prev_hash_;
        for (auto& p : batch) {
            Entry e{seq,
                    format_timestamp(std::chrono::system_clock::now()),
                    std::move(p.event),
                    prev,
                    {}};
            auto line = seal_entry(e);
            if (!line) {
                results.emplace_back(std::move(p.callback), line.error());
                continue;
            }
            buf += *line;
            buf.push_back('\n');
            results.emplace_back(std::move(p.callback), Receipt{seq, e.hash});
            prev = e.hash;
            ++seq;
        }

        if (!buf.empty()) {
            // One write and one fdatasync for the whole batch: the group commit.
            Status s = write_all(log_fd_, buf, options_.path);
            if (s) s = sync_data(log_fd_, options_.path);
            if (!s) {
                // After a failed fdatasync the kernel may have dropped the dirty pages, so what
                // is on disk is unknown: remove the batch and refuse further writes.
                spdlog::error("audit: {}; the audit log refuses further entries",
                              s.error().message);
                if (auto t = truncate_to(log_fd_, size_, options_.path); !t) {
                    spdlog::error("audit: {}", t.error().message);
                }
                {
                    std::lock_guard lock(mu_);
                    failed_ = true;
                }
                for (auto& [cb, r] : results) {
                    if (r.ok())
                        r = Result<Receipt>(make_error("audit_write_failed", s.error().message));
                }
            } else {
                size_ += buf.size();
                next_seq_ = seq;
                prev_hash_ = prev;
                if (options_.on_synced) options_.on_synced(seq - 1);
            }
        }
    }

    for (auto& [cb, r] : results) {
        if (!cb) continue;
        try {
            cb(std::move(r));
        } catch (const std::exception& ex) {
            spdlog::error("audit: completion callback threw: {}", ex.what());
        }
    }
}

void AuditLog::maybe_checkpoint(bool force) {
    const auto now = std::chrono::steady_clock::now();
    if (next_seq_ == 0) return;
    const std::uint64_t head = next_seq_ - 1;
    if (checkpointed_seq_ && *checkpointed_seq_ >= head) {
        checkpoint_due_.reset();
        return;
    }
    {
        std::lock_guard lock(mu_);
        if (failed_) {
            // The log's contents are unknown: never vouch for them, and stop the timer so the
            // writer does not spin on a deadline it will never act on.
            checkpoint_due_.reset();
            return;
        }
    }
    const std::uint64_t unsigned_count = checkpointed_seq_ ? head - *checkpointed_seq_ : head + 1;
    const bool due = force || unsigned_count >= options_.checkpoint_every ||
                     (checkpoint_due_ && now >= *checkpoint_due_);
    if (!due) {
        if (!checkpoint_due_) checkpoint_due_ = now + options_.checkpoint_interval;
        return;
    }

    auto cp = sign_checkpoint(key_, head, size_, prev_hash_,
                              format_timestamp(std::chrono::system_clock::now()));
    Status s = cp ? ok_status() : Status(cp.error());
    std::string line;
    if (s) {
        line = checkpoint_line(*cp) + "\n";
        s = write_all(checkpoint_fd_, line, checkpoint_path_);
        if (s) s = sync_data(checkpoint_fd_, checkpoint_path_);
    }
    if (!s) {
        // Entries stay durable and chained; only the truncation evidence is delayed. Undo a
        // partial line and retry at the next interval.
        spdlog::error("audit: writing checkpoint failed: {}", s.error().message);
        if (auto t = truncate_to(checkpoint_fd_, checkpoint_size_, checkpoint_path_); !t) {
            spdlog::error("audit: {}", t.error().message);
        }
        checkpoint_due_ = now + options_.checkpoint_interval;
        return;
    }
    checkpoint_size_ += line.size();
    checkpointed_seq_ = head;
    checkpoint_due_.reset();
}

}  // namespace kars::audit
