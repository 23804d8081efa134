// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/audit/audit_log.h"

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/audit/checkpoint.h"
#include "core/audit/verify.h"

namespace kars::audit {
namespace {

Event event(int i) {
    Event e;
    e.sandbox = "sb-" + std::to_string(i % 3);
    e.action = "chat.completions";
    e.decision = i % 2 ? "allow" : "deny";
    e.policy_kind = "inference";
    e.reason = "reason " + std::to_string(i);
    e.trace_id = "trace-" + std::to_string(i);
    return e;
}

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

class AuditLogTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("kars-audit-log-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        path_ = (dir_ / "audit.jsonl").string();
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    LogOptions options() const {
        LogOptions o;
        o.path = path_;
        return o;
    }

    std::unique_ptr<AuditLog> open_log(LogOptions o) {
        auto log = AuditLog::open(std::move(o));
        EXPECT_TRUE(log.ok()) << (log.ok() ? "" : log.error().message);
        return log.ok() ? std::move(*log) : nullptr;
    }

    VerifyReport verify() {
        auto r = verify_log(VerifyOptions{path_, "", ""});
        EXPECT_TRUE(r.ok());
        return r.ok() ? *r : VerifyReport{};
    }

    std::filesystem::path dir_;
    std::string path_;
};

TEST_F(AuditLogTest, FirstEntryHasSeqZeroAndGenesisPrevHash) {
    auto log = open_log(options());
    ASSERT_TRUE(log);
    auto r = log->append_sync(event(0));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->seq, 0u);
    log->close();

    auto lines = lines_of(read_all(path_));
    ASSERT_EQ(lines.size(), 1u);
    auto e = parse_entry_line(lines[0]);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->prev_hash, kGenesisHash);
    EXPECT_EQ(e->hash, r->hash);
}

TEST_F(AuditLogTest, ContinuesTheChainAfterReopen) {
    std::string last_hash;
    {
        auto log = open_log(options());
        ASSERT_TRUE(log);
        for (int i = 0; i < 3; ++i) last_hash = log->append_sync(event(i))->hash;
    }
    {
        auto log = open_log(options());
        ASSERT_TRUE(log);
        auto r = log->append_sync(event(3));
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(r->seq, 3u);
    }
    auto lines = lines_of(read_all(path_));
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(parse_entry_line(lines[3])->prev_hash, last_hash);

    auto report = verify();
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(report.entries, 4u);
    EXPECT_EQ(report.signatures, SignatureState::kVerified);
}

TEST_F(AuditLogTest, ConcurrentAppendsFormOneGaplessChain) {
    constexpr int kThreads = 4;
    constexpr int kPerThread = 200;
    auto log = open_log(options());
    ASSERT_TRUE(log);
    std::mutex mu;
    std::set<std::uint64_t> seqs;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                auto r = log->append_sync(event(t * kPerThread + i));
                if (!r.ok()) {
                    ++failures;
                    continue;
                }
                std::lock_guard lock(mu);
                seqs.insert(r->seq);
            }
        });
    }
    for (auto& th : threads) th.join();
    log->close();

    EXPECT_EQ(failures.load(), 0);
    ASSERT_EQ(seqs.size(), static_cast<std::size_t>(kThreads * kPerThread));
    EXPECT_EQ(*seqs.begin(), 0u);
    EXPECT_EQ(*seqs.rbegin(), static_cast<std::uint64_t>(kThreads * kPerThread - 1));
    auto report = verify();
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(report.entries, static_cast<std::uint64_t>(kThreads * kPerThread));
}

// Every receipt must be reported only after an fdatasync that covered its seq, and its line
// must already be in the file when the callback runs.
TEST_F(AuditLogTest, CallbackFiresOnlyAfterTheEntryIsSynced) {
    std::atomic<std::int64_t> synced{-1};
    LogOptions o = options();
    o.on_synced = [&](std::uint64_t seq) { synced = static_cast<std::int64_t>(seq); };
    auto log = open_log(o);
    ASSERT_TRUE(log);

    constexpr int kCount = 50;
    std::mutex mu;
    std::condition_variable cv;
    int done = 0;
    int early = 0;
    int missing = 0;
    for (int i = 0; i < kCount; ++i) {
        auto s = log->append(event(i), [&](Result<Receipt> r) {
            std::lock_guard lock(mu);
            ++done;
            if (!r.ok() || static_cast<std::int64_t>(r->seq) > synced.load()) ++early;
            if (r.ok() && read_all(path_).find(r->hash) == std::string::npos) ++missing;
            cv.notify_all();
        });
        ASSERT_TRUE(s.ok());
    }
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return done == kCount; }));
    EXPECT_EQ(early, 0);
    EXPECT_EQ(missing, 0);
}

// Under a steady trickle of appends the writer syncs at most once per commit_delay, so the
// entries of that interval share one fdatasync; every entry is still acknowledged only once
// durable, and the chain is whole.
TEST_F(AuditLogTest, ContinuousAppendsShareSyncsWithinTheCommitDelay) {
    std::atomic<int> syncs{0};
    LogOptions o = options();
    o.commit_delay = std::chrono::milliseconds(200);
    o.on_synced = [&](std::uint64_t) { syncs.fetch_add(1); };
    auto log = open_log(o);
    ASSERT_TRUE(log);
    std::atomic<int> acked{0};
    constexpr int kCount = 40;
    for (int i = 0; i < kCount; ++i) {
        ASSERT_TRUE(log->append(event(i),
                                [&](Result<Receipt> r) {
                                    if (r.ok()) acked.fetch_add(1);
                                })
                        .ok());
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    log->close();
    EXPECT_EQ(acked.load(), kCount);
    // 40 appends over about 80 ms: the first is synced at once, the rest within the next
    // interval or two. One sync per append would be 40.
    EXPECT_LE(syncs.load(), 4);
    EXPECT_TRUE(verify().ok());
}

// A quiet log does not wait: the first append after a pause is synced at once.
TEST_F(AuditLogTest, AnAppendAfterAPauseIsNotDelayed) {
    LogOptions o = options();
    o.commit_delay = std::chrono::milliseconds(2000);
    auto log = open_log(o);
    ASSERT_TRUE(log);
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(log->append_sync(event(0)).ok());
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1500));
}

TEST_F(AuditLogTest, FullQueueFailsFastInsteadOfBlocking) {
    LogOptions o = options();
    o.max_queue = 2;
    auto log = open_log(o);
    ASSERT_TRUE(log);

    // Park the writer thread inside a callback so the queue cannot drain.
    std::mutex mu;
    std::condition_variable cv;
    bool parked = false;
    bool release = false;
    ASSERT_TRUE(log->append(event(0),
                            [&](Result<Receipt>) {
                                std::unique_lock lock(mu);
                                parked = true;
                                cv.notify_all();
                                cv.wait(lock, [&] { return release; });
                            })
                    .ok());
    {
        std::unique_lock lock(mu);
        ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return parked; }));
    }
    EXPECT_TRUE(log->append(event(1)).ok());
    EXPECT_TRUE(log->append(event(2)).ok());
    bool called = false;
    auto full = log->append(event(3), [&](Result<Receipt>) { called = true; });
    ASSERT_FALSE(full.ok());
    EXPECT_EQ(full.error().code, "audit_queue_full");
    {
        std::lock_guard lock(mu);
        release = true;
    }
    cv.notify_all();
    log->close();
    EXPECT_FALSE(called);
    EXPECT_EQ(verify().entries, 3u);
}

TEST_F(AuditLogTest, AppendAfterCloseFails) {
    auto log = open_log(options());
    ASSERT_TRUE(log);
    log->close();
    auto r = log->append(event(0));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "audit_log_closed");
    EXPECT_FALSE(log->append_sync(event(0)).ok());
}

TEST_F(AuditLogTest, AppendSyncFromCallbackIsRefusedNotDeadlocked) {
    auto log = open_log(options());
    ASSERT_TRUE(log);
    std::promise<std::string> code;
    ASSERT_TRUE(log->append(event(0),
                            [&](Result<Receipt>) {
                                auto inner = log->append_sync(event(1));
                                code.set_value(inner.ok() ? "ok" : inner.error().code);
                            })
                    .ok());
    auto f = code.get_future();
    ASSERT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    EXPECT_EQ(f.get(), "audit_reentrant");
}

TEST_F(AuditLogTest, SecondWriterOnTheSameLogIsRefused) {
    auto first = open_log(options());
    ASSERT_TRUE(first);
    auto second = AuditLog::open(options());
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error().code, "audit_log_locked");
}

TEST_F(AuditLogTest, TruncatesTornLastLineOnOpenAndContinues) {
    {
        auto log = open_log(options());
        ASSERT_TRUE(log);
        ASSERT_TRUE(log->append_sync(event(0)).ok());
        ASSERT_TRUE(log->append_sync(event(1)).ok());
    }
    const std::string intact = read_all(path_);
    std::ofstream(path_, std::ios::app | std::ios::binary) << R"({"seq":2,"ts":"2026-0)";

    auto log = open_log(options());
    ASSERT_TRUE(log);
    EXPECT_EQ(read_all(path_), intact);
    auto r = log->append_sync(event(2));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->seq, 2u);
    log->close();
    EXPECT_TRUE(verify().ok());
}

TEST_F(AuditLogTest, RefusesToExtendALogWhoseLastLineIsInvalid) {
    {
        auto log = open_log(options());
        ASSERT_TRUE(log);
        ASSERT_TRUE(log->append_sync(event(0)).ok());
    }
    std::ofstream(path_, std::ios::app | std::ios::binary) << "garbage\n";
    auto log = AuditLog::open(options());
    ASSERT_FALSE(log.ok());
    EXPECT_EQ(log.error().code, "audit_log_corrupt");
}

TEST_F(AuditLogTest, RefusesToExtendALogShorterThanItsCheckpoint) {
    {
        auto log = open_log(options());
        ASSERT_TRUE(log);
        for (int i = 0; i < 3; ++i) ASSERT_TRUE(log->append_sync(event(i)).ok());
    }
    auto lines = lines_of(read_all(path_));
    std::ofstream(path_, std::ios::trunc | std::ios::binary) << lines[0] << "\n";
    auto log = AuditLog::open(options());
    ASSERT_FALSE(log.ok());
    EXPECT_EQ(log.error().code, "audit_log_truncated");
}

TEST_F(AuditLogTest, WritesACheckpointEveryNEntries) {
    LogOptions o = options();
    o.checkpoint_every = 5;
    o.checkpoint_interval = std::chrono::hours(1);
    auto log = open_log(o);
    ASSERT_TRUE(log);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(log->append_sync(event(i)).ok());
    // The checkpoint is written after the batch's callbacks; close() waits for it.
    log->close();
    auto cps = lines_of(read_all(path_ + ".checkpoints"));
    ASSERT_GE(cps.size(), 2u);
    auto first = parse_checkpoint_line(cps[0]);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->seq, 4u);
    EXPECT_EQ(parse_checkpoint_line(cps.back())->seq, 9u);
    EXPECT_EQ(parse_checkpoint_line(cps.back())->size, read_all(path_).size());
}

TEST_F(AuditLogTest, WritesACheckpointAfterTheIntervalWithoutClosing) {
    LogOptions o = options();
    o.checkpoint_interval = std::chrono::milliseconds(50);
    auto log = open_log(o);
    ASSERT_TRUE(log);
    auto r = log->append_sync(event(0));
    ASSERT_TRUE(r.ok());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::string cps;
    while (cps.empty() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        cps = read_all(path_ + ".checkpoints");
    }
    auto cp = parse_checkpoint_line(lines_of(cps).at(0));
    ASSERT_TRUE(cp.ok());
    EXPECT_EQ(cp->head_hash, r->hash);
}

TEST_F(AuditLogTest, CheckpointSignatureVerifiesWithGeneratedPublicKey) {
    auto log = open_log(options());
    ASSERT_TRUE(log);
    ASSERT_TRUE(log->append_sync(event(0)).ok());
    log->close();
    auto pub = VerifyKey::load_pem_file(path_ + ".key.pub");
    ASSERT_TRUE(pub.ok());
    auto cp = parse_checkpoint_line(lines_of(read_all(path_ + ".checkpoints")).at(0));
    ASSERT_TRUE(cp.ok());
    EXPECT_TRUE(checkpoint_signature_valid(*cp, *pub));
    EXPECT_EQ(cp->key_id, pub->key_id());
}

TEST_F(AuditLogTest, RejectsEventThatIsNotUtf8WithoutConsumingASeq) {
    auto log = open_log(options());
    ASSERT_TRUE(log);
    Event bad = event(0);
    bad.reason = "\xff";
    auto r = log->append_sync(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "invalid_event");
    auto good = log->append_sync(event(1));
    ASSERT_TRUE(good.ok());
    EXPECT_EQ(good->seq, 0u);
}

// A write that cannot complete (here: the file size limit) fails the batch, removes its partial
// bytes and stops the log, so nothing unacknowledged or half-written is left behind.
TEST_F(AuditLogTest, FailedWriteFailsClosedAndLeavesOnlyAcknowledgedEntries) {
    auto log = open_log(options());
    ASSERT_TRUE(log);
    ASSERT_TRUE(log->append_sync(event(0)).ok());
    const auto acknowledged = read_all(path_);

    struct rlimit old {};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
    auto* old_handler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit tight = old;
    tight.rlim_cur = acknowledged.size() + 64;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &tight), 0);
    Event big = event(1);
    big.reason = std::string(4096, 'r');
    auto r = log->append_sync(big);
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, old_handler);

    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "audit_write_failed");
    auto after = log->append(event(2));
    ASSERT_FALSE(after.ok());
    EXPECT_EQ(after.error().code, "audit_log_failed");
    log->close();
    EXPECT_EQ(read_all(path_), acknowledged);
    EXPECT_TRUE(verify().integrity_ok);
}

}  // namespace
}  // namespace kars::audit
