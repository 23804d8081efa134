// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "core/audit/checkpoint.h"
#include "core/audit/digest.h"
#include "core/audit/entry.h"
#include "core/audit/signing_key.h"
#include "core/json/canonical.h"
#include "core/json/parse.h"

namespace kars::audit {
namespace {

Entry sample_entry() {
    Entry e;
    e.seq = 7;
    e.ts = "2026-03-01T12:00:00.123Z";
    e.event = Event{"sb-1",
                    "chat.completions",
                    "deny",
                    "inference",
                    "model not allowed",
                    "trace-abc",
                    "gpt-x",
                    12,
                    34,
                    true};
    e.prev_hash = std::string(kGenesisHash);
    return e;
}

// Replaces the first occurrence of `from` in `s`.
std::string replace_once(std::string s, const std::string& from, const std::string& to) {
    const auto pos = s.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    if (pos != std::string::npos) s.replace(pos, from.size(), to);
    return s;
}

TEST(AuditEntry, SealedLineParsesBackToTheSameEntry) {
    Entry e = sample_entry();
    auto line = seal_entry(e);
    ASSERT_TRUE(line.ok()) << line.error().message;
    auto parsed = parse_entry_line(*line);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->seq, 7u);
    EXPECT_EQ(parsed->hash, e.hash);
    EXPECT_EQ(parsed->event.model, "gpt-x");
    EXPECT_EQ(parsed->event.tokens_in, 12);
    EXPECT_EQ(parsed->event.tokens_out, 34);
    EXPECT_TRUE(parsed->event.tokens_estimated);
    EXPECT_EQ(parsed->event.reason, "model not allowed");
}

// The hash is SHA-256 over the canonical JSON of the entry without "hash"; recomputing it the
// documented way, independently of seal_entry, must give the same value.
TEST(AuditEntry, HashIsSha256OfCanonicalBodyWithoutHash) {
    Entry e = sample_entry();
    auto line = seal_entry(e);
    ASSERT_TRUE(line.ok());
    auto v = json::parse(*line);
    ASSERT_TRUE(v.ok());
    v->as_object().erase("hash");
    auto body = json::canonicalize(*v);
    ASSERT_TRUE(body.ok());
    EXPECT_EQ(sha256_hex(*body), e.hash);
    EXPECT_TRUE(is_lower_hex(e.hash, 64));
}

// seal_entry builds the line from two canonical halves; it must be exactly the canonical
// form of the whole entry, with hostile text in every string member.
TEST(AuditEntry, SealedLineIsTheCanonicalFormOfTheWholeEntry) {
    Entry e = sample_entry();
    e.event.reason = "quote \" backslash \\ newline \n \u00e9 \xf0\x9f\x98\x80 ,\"hash\":\"x";
    e.event.action = "tool:a,\"b\":c";
    auto line = seal_entry(e);
    ASSERT_TRUE(line.ok()) << line.error().message;
    auto v = json::parse(*line);
    ASSERT_TRUE(v.ok());
    auto whole = json::canonicalize(*v);
    ASSERT_TRUE(whole.ok());
    EXPECT_EQ(*whole, *line);
    EXPECT_EQ(std::string(v->as_object().at("hash").as_string()), e.hash);

    // Optional members absent, and the largest counters.
    Entry bare = sample_entry();
    bare.event.model.clear();
    bare.event.tokens_in.reset();
    bare.event.tokens_out.reset();
    bare.seq = 9007199254740992ULL;  // 2^53
    auto bare_line = seal_entry(bare);
    ASSERT_TRUE(bare_line.ok());
    auto bv = json::parse(*bare_line);
    ASSERT_TRUE(bv.ok());
    EXPECT_EQ(*json::canonicalize(*bv), *bare_line);
    EXPECT_EQ(bare_line->find("tokens"), std::string::npos);
    Entry one_count = sample_entry();
    one_count.event.tokens_in.reset();
    auto one_line = seal_entry(one_count);
    ASSERT_TRUE(one_line.ok());
    EXPECT_EQ(*json::canonicalize(*json::parse(*one_line)), *one_line);
    auto hashless = json::parse(*one_line);
    hashless->as_object().erase("hash");
    EXPECT_EQ(sha256_hex(*json::canonicalize(*hashless)), one_count.hash);
}

TEST(AuditEntry, OmitsOptionalFieldsWhenAbsent) {
    Entry e = sample_entry();
    e.event.model.clear();
    e.event.tokens_in.reset();
    e.event.tokens_out.reset();
    e.event.reason = "denied";
    auto line = seal_entry(e);
    ASSERT_TRUE(line.ok());
    EXPECT_EQ(line->find("model"), std::string::npos);
    EXPECT_EQ(line->find("tokens"), std::string::npos);
    EXPECT_TRUE(parse_entry_line(*line).ok());
}

TEST(AuditEntry, RejectsEditedFieldAsHashMismatch) {
    Entry e = sample_entry();
    auto line = seal_entry(e);
    ASSERT_TRUE(line.ok());
    auto r = parse_entry_line(replace_once(*line, "\"deny\"", "\"allow\""));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "hash_mismatch");
}

TEST(AuditEntry, RejectsNonCanonicalSpelling) {
    Entry e = sample_entry();
    auto line = seal_entry(e);
    ASSERT_TRUE(line.ok());
    auto r = parse_entry_line(replace_once(*line, "\"seq\":7", "\"seq\": 7"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "not_canonical");
}

// Two "decision" members: one parser might show the first, another the last.
TEST(AuditEntry, RejectsDuplicateMemberNames) {
    Entry e = sample_entry();
    auto line = seal_entry(e);
    ASSERT_TRUE(line.ok());
    auto r = parse_entry_line(replace_once(*line, "\"decision\":\"deny\"",
                                           "\"decision\":\"allow\",\"decision\":\"deny\""));
    ASSERT_FALSE(r.ok());
}

TEST(AuditEntry, RejectsUnknownAndMistypedFields) {
    Entry e = sample_entry();
    auto line = seal_entry(e);
    ASSERT_TRUE(line.ok());
    auto unknown = parse_entry_line(replace_once(*line, "{", "{\"admin\":true,"));
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.error().code, "unknown_field");
    auto mistyped = parse_entry_line(replace_once(*line, "\"seq\":7", "\"seq\":\"7\""));
    ASSERT_FALSE(mistyped.ok());
    EXPECT_EQ(mistyped.error().code, "bad_field");
    auto negative = parse_entry_line(replace_once(*line, "\"seq\":7", "\"seq\":-7"));
    ASSERT_FALSE(negative.ok());
    EXPECT_EQ(negative.error().code, "bad_field");
}

TEST(AuditEntry, RejectsGarbageAndNonObjects) {
    EXPECT_EQ(parse_entry_line("not json").error().code, "invalid_json");
    EXPECT_EQ(parse_entry_line("[1,2]").error().code, "not_object");
    EXPECT_EQ(parse_entry_line("").error().code, "invalid_json");
    EXPECT_EQ(parse_entry_line("{}").error().code, "missing_field");
    EXPECT_EQ(parse_entry_line(std::string(kMaxLineBytes + 1, ' ')).error().code, "line_too_long");
}

TEST(AuditEntry, SealRejectsInvalidUtf8) {
    Entry e = sample_entry();
    e.event.reason = "bad \xff byte";
    auto r = seal_entry(e);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "invalid_event");
}

TEST(AuditEntry, TimestampsAreRfc3339UtcWithMilliseconds) {
    const auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1772366400123));
    EXPECT_EQ(format_timestamp(t), "2026-03-01T12:00:00.123Z");
    EXPECT_TRUE(is_valid_timestamp("2026-03-01T12:00:00.123Z"));
    EXPECT_FALSE(is_valid_timestamp("2026-03-01T12:00:00Z"));
    EXPECT_FALSE(is_valid_timestamp("2026-03-01 12:00:00.123Z"));
}

TEST(AuditDigest, Base64AcceptsOnlyCanonicalEncoding) {
    EXPECT_EQ(base64_encode("hello"), "aGVsbG8=");
    EXPECT_EQ(base64_decode("aGVsbG8="), "hello");
    EXPECT_EQ(base64_decode("aGVsbA=="), "hell");
    EXPECT_EQ(base64_decode("aGVsbG9="), std::nullopt);  // non-zero padding bits
    EXPECT_EQ(base64_decode("aGVsbG8"), std::nullopt);
    EXPECT_EQ(base64_decode(" aGVsbG8="), std::nullopt);
    EXPECT_EQ(base64_decode("a*VsbG8="), std::nullopt);
}

TEST(AuditCheckpoint, SigningInputIsDomainSeparated) {
    EXPECT_EQ(
        checkpoint_signing_input(5, 1234, std::string(64, 'a')),
        "kars-audit-checkpoint-v1\nseq=5\nsize=1234\nhead_hash=" + std::string(64, 'a') + "\n");
}

TEST(AuditCheckpoint, SignatureVerifiesOnlyForTheSignedValues) {
    auto key = SigningKey::generate();
    ASSERT_TRUE(key.ok());
    auto cp = sign_checkpoint(*key, 9, 4096, std::string(64, 'b'), "2026-03-01T12:00:00.000Z");
    ASSERT_TRUE(cp.ok());
    EXPECT_EQ(cp->key_id, key->key_id());
    EXPECT_TRUE(checkpoint_signature_valid(*cp, key->public_key()));

    auto parsed = parse_checkpoint_line(checkpoint_line(*cp));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_TRUE(checkpoint_signature_valid(*parsed, key->public_key()));

    Checkpoint bigger = *cp;
    bigger.size = 4095;
    EXPECT_FALSE(checkpoint_signature_valid(bigger, key->public_key()));
    Checkpoint later = *cp;
    later.seq = 10;
    EXPECT_FALSE(checkpoint_signature_valid(later, key->public_key()));

    auto other = SigningKey::generate();
    ASSERT_TRUE(other.ok());
    EXPECT_NE(other->key_id(), key->key_id());
    EXPECT_FALSE(checkpoint_signature_valid(*cp, other->public_key()));
}

class AuditKeyFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("kars-audit-key-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path dir_;
};

TEST_F(AuditKeyFileTest, CreatesPrivateKeyWithMode0600AndPublicKeyBesideIt) {
    const std::string path = (dir_ / "audit.key").string();
    auto key = SigningKey::load_or_create(path);
    ASSERT_TRUE(key.ok()) << key.error().message;
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    auto pub = VerifyKey::load_pem_file(path + ".pub");
    ASSERT_TRUE(pub.ok()) << pub.error().message;
    EXPECT_EQ(pub->key_id(), key->key_id());

    auto again = SigningKey::load_or_create(path);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->key_id(), key->key_id());
}

TEST_F(AuditKeyFileTest, RejectsAFileThatIsNotAKey) {
    const std::string path = (dir_ / "audit.key").string();
    std::ofstream(path) << "not a key\n";
    auto key = SigningKey::load_or_create(path);
    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.error().code, "audit_key");
}

}  // namespace
}  // namespace kars::audit
