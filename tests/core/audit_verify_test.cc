// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// The corruption matrix: each way a log or its checkpoints can be damaged or tampered with,
// and what the verifier must say about it.
#include "core/audit/verify.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>

#include "core/audit/audit_log.h"
#include "core/audit/checkpoint.h"

namespace kars::audit {
namespace {

constexpr int kEntries = 12;

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<std::string> read_lines(const std::string& path) {
    std::vector<std::string> out;
    std::istringstream in(read_all(path));
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

void write_lines(const std::string& path, const std::vector<std::string>& lines) {
    std::ofstream out(path, std::ios::trunc | std::ios::binary);
    for (const auto& l : lines) out << l << "\n";
}

class AuditVerifyTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("kars-audit-verify-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        path_ = (dir_ / "audit.jsonl").string();
        cp_path_ = path_ + ".checkpoints";

        LogOptions o;
        o.path = path_;
        o.checkpoint_every = 5;
        o.checkpoint_interval = std::chrono::hours(1);
        auto log = AuditLog::open(o);
        ASSERT_TRUE(log.ok()) << log.error().message;
        for (int i = 0; i < kEntries; ++i) {
            Event e;
            e.sandbox = "sb";
            e.action = "chat.completions";
            e.decision = i % 2 ? "allow" : "deny";
            e.policy_kind = "inference";
            e.reason = "reason " + std::to_string(i);
            e.trace_id = "trace-" + std::to_string(i);
            ASSERT_TRUE((*log)->append_sync(e).ok());
        }
        (*log)->close();
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    VerifyReport verify(std::string public_key = "") {
        auto r = verify_log(VerifyOptions{path_, "", std::move(public_key)});
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
        return r.ok() ? *r : VerifyReport{};
    }

    void expect_integrity_failure(const VerifyReport& r, std::uint64_t line,
                                  const std::string& code) {
        EXPECT_FALSE(r.ok());
        ASSERT_FALSE(r.integrity_ok);
        ASSERT_TRUE(r.integrity_failure.has_value());
        EXPECT_EQ(r.integrity_failure->line, line);
        EXPECT_EQ(r.integrity_failure->code, code) << r.integrity_failure->message;
    }

    std::filesystem::path dir_;
    std::string path_;
    std::string cp_path_;
};

TEST_F(AuditVerifyTest, IntactLogPassesBothChecks) {
    auto r = verify();
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.integrity_ok);
    EXPECT_TRUE(r.completeness_ok);
    EXPECT_EQ(r.entries, static_cast<std::uint64_t>(kEntries));
    EXPECT_EQ(r.signatures, SignatureState::kVerified);
    ASSERT_TRUE(r.last_checkpoint.has_value());
    EXPECT_EQ(r.last_checkpoint->seq, static_cast<std::uint64_t>(kEntries - 1));
    EXPECT_EQ(r.partial_tail_bytes, 0u);
}

TEST_F(AuditVerifyTest, EditedFieldIsReportedAtItsLine) {
    auto lines = read_lines(path_);
    const auto pos = lines[2].find("\"deny\"");
    ASSERT_NE(pos, std::string::npos);
    lines[2].replace(pos, 6, "\"allo\"");  // same length: only the hash can tell
    write_lines(path_, lines);
    auto r = verify();
    expect_integrity_failure(r, 3, "hash_mismatch");
}

TEST_F(AuditVerifyTest, EditedHashIsReportedAtItsLine) {
    auto lines = read_lines(path_);
    const auto pos = lines[4].find("\"hash\":\"") + 8;
    lines[4][pos] = lines[4][pos] == 'a' ? 'b' : 'a';
    write_lines(path_, lines);
    expect_integrity_failure(verify(), 5, "hash_mismatch");
}

// An attacker who rewrites an entry and recomputes its hash still breaks the next link.
TEST_F(AuditVerifyTest, RehashedEditBreaksTheNextLink) {
    auto lines = read_lines(path_);
    auto e = parse_entry_line(lines[3]);
    ASSERT_TRUE(e.ok());
    e->event.reason = "nothing to see here";
    auto forged = seal_entry(*e);
    ASSERT_TRUE(forged.ok());
    lines[3] = *forged;
    write_lines(path_, lines);
    expect_integrity_failure(verify(), 5, "prev_hash_mismatch");
}

TEST_F(AuditVerifyTest, DeletedMiddleLineIsReported) {
    auto lines = read_lines(path_);
    lines.erase(lines.begin() + 5);
    write_lines(path_, lines);
    expect_integrity_failure(verify(), 6, "seq_mismatch");
}

TEST_F(AuditVerifyTest, InsertedLineIsReported) {
    auto lines = read_lines(path_);
    lines.insert(lines.begin() + 3, lines[1]);
    write_lines(path_, lines);
    expect_integrity_failure(verify(), 4, "seq_mismatch");
}

TEST_F(AuditVerifyTest, SwappedLinesAreReported) {
    auto lines = read_lines(path_);
    std::swap(lines[6], lines[7]);
    write_lines(path_, lines);
    expect_integrity_failure(verify(), 7, "seq_mismatch");
}

TEST_F(AuditVerifyTest, GarbageLineIsReported) {
    auto lines = read_lines(path_);
    lines[8] = "\x01\x02 not json at all";
    write_lines(path_, lines);
    expect_integrity_failure(verify(), 9, "invalid_json");
}

// Cutting whole entries off the end leaves a valid chain; only the checkpoint shows it.
TEST_F(AuditVerifyTest, TruncatedTailPassesIntegrityButFailsCompleteness) {
    auto lines = read_lines(path_);
    lines.resize(lines.size() - 3);
    write_lines(path_, lines);
    auto r = verify();
    EXPECT_TRUE(r.integrity_ok);
    EXPECT_FALSE(r.completeness_ok);
    EXPECT_FALSE(r.ok());
    ASSERT_FALSE(r.completeness_failures.empty());
    EXPECT_EQ(r.completeness_failures[0].code, "truncated");
}

TEST_F(AuditVerifyTest, TornLastLineIsAPartialTailNotTampering) {
    std::ofstream(path_, std::ios::app | std::ios::binary) << R"({"seq":12,"ts":"20)";
    auto r = verify();
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.integrity_ok);
    EXPECT_TRUE(r.completeness_ok);
    EXPECT_EQ(r.partial_tail_bytes, 18u);
    EXPECT_EQ(r.entries, static_cast<std::uint64_t>(kEntries));
}

TEST_F(AuditVerifyTest, BadCheckpointSignatureFailsCompleteness) {
    auto cps = read_lines(cp_path_);
    ASSERT_FALSE(cps.empty());
    const auto pos = cps[0].find("\"signature\":\"") + 13;
    cps[0][pos] = cps[0][pos] == 'A' ? 'B' : 'A';
    write_lines(cp_path_, cps);
    auto r = verify();
    EXPECT_TRUE(r.integrity_ok);
    EXPECT_FALSE(r.completeness_ok);
    EXPECT_EQ(r.signatures, SignatureState::kInvalid);
    ASSERT_FALSE(r.completeness_failures.empty());
    EXPECT_EQ(r.completeness_failures[0].code, "bad_signature");
    EXPECT_EQ(r.completeness_failures[0].line, 1u);
}

// Someone who truncates the log and re-signs checkpoints with their own key is caught because
// the verifier checks against the operator's key, not the key named in the file.
TEST_F(AuditVerifyTest, CheckpointFromADifferentKeyIsRejected) {
    const std::string real_pub = path_ + ".key.pub";
    auto lines = read_lines(path_);
    lines.resize(4);
    write_lines(path_, lines);
    auto last = parse_entry_line(lines.back());
    ASSERT_TRUE(last.ok());
    auto attacker = SigningKey::generate();
    ASSERT_TRUE(attacker.ok());
    auto cp = sign_checkpoint(*attacker, last->seq, read_all(path_).size(), last->hash,
                              "2026-03-01T12:00:00.000Z");
    ASSERT_TRUE(cp.ok());
    write_lines(cp_path_, {checkpoint_line(*cp)});

    auto r = verify(real_pub);
    EXPECT_TRUE(r.integrity_ok);
    EXPECT_FALSE(r.completeness_ok);
    EXPECT_EQ(r.signatures, SignatureState::kInvalid);
    ASSERT_EQ(r.completeness_failures.size(), 1u);
    EXPECT_EQ(r.completeness_failures[0].code, "bad_signature");
    EXPECT_NE(r.completeness_failures[0].message.find("different key"), std::string::npos);
}

TEST_F(AuditVerifyTest, CheckpointsWithoutAPublicKeyAreReportedUnverified) {
    std::filesystem::remove(path_ + ".key.pub");
    auto r = verify();
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.signatures, SignatureState::kUnverified);
    EXPECT_TRUE(r.key_id.empty());
}

TEST_F(AuditVerifyTest, CheckpointForAnEntryThatWasReplacedIsAMismatch) {
    // Drop the last two entries and append two different, correctly chained ones: the chain
    // is valid, the file length even similar, but the signed head hash no longer matches.
    auto lines = read_lines(path_);
    lines.resize(lines.size() - 2);
    auto prev = parse_entry_line(lines.back());
    ASSERT_TRUE(prev.ok());
    for (int i = 0; i < 2; ++i) {
        Entry e{prev->seq + 1, prev->ts, prev->event, prev->hash, {}};
        e.event.reason = "rewritten history " + std::to_string(i);
        auto line = seal_entry(e);
        ASSERT_TRUE(line.ok());
        lines.push_back(*line);
        prev = e;
    }
    write_lines(path_, lines);
    auto r = verify();
    EXPECT_TRUE(r.integrity_ok);
    EXPECT_FALSE(r.completeness_ok);
    ASSERT_FALSE(r.completeness_failures.empty());
    EXPECT_EQ(r.completeness_failures.back().code, "checkpoint_mismatch");
}

TEST_F(AuditVerifyTest, MalformedCheckpointLineFailsCompleteness) {
    auto cps = read_lines(cp_path_);
    cps.insert(cps.begin(), "{\"seq\":\"zero\"}");
    write_lines(cp_path_, cps);
    auto r = verify();
    EXPECT_FALSE(r.completeness_ok);
    ASSERT_FALSE(r.completeness_failures.empty());
    EXPECT_EQ(r.completeness_failures[0].line, 1u);
}

TEST_F(AuditVerifyTest, EmptyLogWithoutCheckpointsIsValidAndEmpty) {
    write_lines(path_, {});
    std::filesystem::remove(cp_path_);
    auto r = verify();
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.entries, 0u);
    EXPECT_FALSE(r.head.has_value());
    EXPECT_EQ(r.signatures, SignatureState::kNoCheckpoints);
}

TEST_F(AuditVerifyTest, EmptyLogWithCheckpointsIsIncomplete) {
    write_lines(path_, {});
    auto r = verify();
    EXPECT_TRUE(r.integrity_ok);
    EXPECT_FALSE(r.completeness_ok);
    ASSERT_FALSE(r.completeness_failures.empty());
    EXPECT_EQ(r.completeness_failures[0].code, "truncated");
}

TEST_F(AuditVerifyTest, OverlongLineIsReportedWithoutReadingItWhole) {
    auto lines = read_lines(path_);
    lines[1] = std::string(kMaxLineBytes + 10, 'x');
    write_lines(path_, lines);
    expect_integrity_failure(verify(), 2, "line_too_long");
}

TEST_F(AuditVerifyTest, MissingLogIsAnIoError) {
    auto r = verify_log(VerifyOptions{(dir_ / "nope.jsonl").string(), "", ""});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "io_error");
}

TEST_F(AuditVerifyTest, UnreadablePublicKeyIsAnIoError) {
    auto r = verify_log(VerifyOptions{path_, "", (dir_ / "missing.pub").string()});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "io_error");
}

}  // namespace
}  // namespace kars::audit
