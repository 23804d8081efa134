// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// Shared state files: the lock excludes, replacement is whole, stamps notice another writer.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <thread>

#include <gtest/gtest.h>

#include "core/files/state_file.h"

namespace kars::files {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class StateFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("kars-state-file-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    fs::path dir_;
};

TEST_F(StateFileTest, MissingFileReadsAsNothing) {
    auto content = read_file(dir_ / "absent.json", 1024);
    ASSERT_TRUE(content.ok()) << content.error().message;
    EXPECT_FALSE(content->has_value());
    auto stamp = stamp_of(dir_ / "absent.json");
    ASSERT_TRUE(stamp.ok());
    EXPECT_FALSE(stamp->exists);
}

TEST_F(StateFileTest, ReplaceWritesOwnerOnlyAndLeavesNoTemporary) {
    const fs::path path = dir_ / "state.json";
    ASSERT_TRUE(replace_file(path, "one").ok());
    auto first = read_file(path, 1024);
    ASSERT_TRUE(first.ok() && first->has_value());
    EXPECT_EQ((*first)->bytes, "one");
    EXPECT_EQ((*first)->stamp, *stamp_of(path));

    ASSERT_TRUE(replace_file(path, "two").ok());
    auto second = read_file(path, 1024);
    ASSERT_TRUE(second.ok() && second->has_value());
    EXPECT_EQ((*second)->bytes, "two");
    // Same size, but a different file: the stamp must tell them apart.
    EXPECT_NE((*second)->stamp, (*first)->stamp);

    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++entries;
    EXPECT_EQ(entries, 1u);
}

TEST_F(StateFileTest, OversizedOrIrregularFilesAreErrors) {
    ASSERT_TRUE(replace_file(dir_ / "big", std::string(2048, 'x')).ok());
    auto big = read_file(dir_ / "big", 1024);
    ASSERT_FALSE(big.ok());
    EXPECT_EQ(big.error().code, "io_error");
    EXPECT_NE(big.error().message.find("larger than 1024 bytes"), std::string::npos);

    fs::create_directory(dir_ / "sub");
    auto dir = read_file(dir_ / "sub", 1024);
    ASSERT_FALSE(dir.ok());
    EXPECT_NE(dir.error().message.find("not a regular file"), std::string::npos);
}

TEST_F(StateFileTest, ReplaceIntoAMissingDirectoryNamesTheCall) {
    auto st = replace_file(dir_ / "no" / "such" / "file", "x");
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, "io_error");
    EXPECT_NE(st.error().message.find("mkostemp"), std::string::npos);
}

TEST_F(StateFileTest, LockExcludesASecondHolderUntilReleased) {
    const fs::path lock_path = dir_ / "state.lock";
    std::optional<FileLock> held;
    {
        auto first = FileLock::acquire(lock_path);
        ASSERT_TRUE(first.ok()) << first.error().message;
        held.emplace(std::move(*first));
    }
    std::atomic<bool> acquired{false};
    std::thread waiter([&] {
        auto second = FileLock::acquire(lock_path);
        EXPECT_TRUE(second.ok());
        acquired = true;
    });
    std::this_thread::sleep_for(200ms);
    EXPECT_FALSE(acquired.load()) << "the second acquire did not wait for the first holder";
    held.reset();
    waiter.join();
    EXPECT_TRUE(acquired.load());
}

}  // namespace
}  // namespace kars::files
