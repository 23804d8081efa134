// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/files/state_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace kars::files {
namespace {

namespace fs = std::filesystem;

Error io_error(std::string_view call, const fs::path& path, int err) {
    return make_error("io_error",
                      std::string(call) + " " + path.string() + ": " + std::strerror(err));
}

// Closes a descriptor on every return path; the close result only matters after writes,
// where the caller checks it explicitly through release().
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }
    int release() {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }

private:
    int fd_;
};

std::int64_t to_ns(const struct timespec& t) {
    return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

FileStamp to_stamp(const struct stat& st) {
    FileStamp s;
    s.exists = true;
    s.device = static_cast<std::uint64_t>(st.st_dev);
    s.inode = static_cast<std::uint64_t>(st.st_ino);
    s.size = static_cast<std::uint64_t>(st.st_size);
    s.mtime_ns = to_ns(st.st_mtim);
    s.ctime_ns = to_ns(st.st_ctim);
    return s;
}

Status write_all(int fd, std::string_view bytes, const fs::path& path) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return io_error("write", path, errno);
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return ok_status();
}

Status fsync_directory(const fs::path& dir) {
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) return io_error("open", dir, errno);
    if (::fsync(fd.get()) != 0) return io_error("fsync", dir, errno);
    return ok_status();
}

}  // namespace

Result<FileLock> FileLock::acquire(const fs::path& lock_path) {
    int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return io_error("open", lock_path, errno);
    while (::flock(fd, LOCK_EX) != 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        return io_error("flock", lock_path, err);
    }
    return FileLock(fd);
}

FileLock::~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

Result<FileStamp> stamp_of(const fs::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return FileStamp{};
        return io_error("stat", path, errno);
    }
    return to_stamp(st);
}

Result<std::optional<FileContent>> read_file(const fs::path& path, std::size_t max_bytes) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0 && errno == ENOENT) return std::optional<FileContent>();
    if (fd.get() < 0) return io_error("open", path, errno);

    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return io_error("fstat", path, errno);
    if (!S_ISREG(st.st_mode)) return make_error("io_error", path.string() + ": not a regular file");
    if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
        return make_error("io_error",
                          path.string() + ": larger than " + std::to_string(max_bytes) + " bytes");
    }

    FileContent content;
    content.stamp = to_stamp(st);
    std::vector<char> buffer(std::size_t{16} * 1024);
    for (;;) {
        ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return io_error("read", path, errno);
        if (n == 0) break;
        content.bytes.append(buffer.data(), static_cast<std::size_t>(n));
        // Someone appending in place (not through replace_file) must not make us read
        // without bound.
        if (content.bytes.size() > max_bytes) {
            return make_error("io_error", path.string() + ": grew past " +
                                              std::to_string(max_bytes) + " bytes while read");
        }
    }
    return std::optional<FileContent>(std::move(content));
}

Status replace_file(const fs::path& path, std::string_view bytes) {
    // mkostemp: O_EXCL creation under a fresh name with mode 0600, so a stale temporary of a
    // crashed writer or a planted symlink is never written through.
    // mkostemp replaces the trailing six 'X's with a unique suffix.
    std::string tmpl = path.string() + ".tmp." + std::string(6, 'X');
    Fd fd(::mkostemp(tmpl.data(), O_CLOEXEC));
    if (fd.get() < 0) return io_error("mkostemp", tmpl, errno);
    const fs::path tmp = tmpl;

    Status s = write_all(fd.get(), bytes, tmp);
    if (s.ok() && ::fchmod(fd.get(), 0600) != 0) s = io_error("fchmod", tmp, errno);
    if (s.ok() && ::fsync(fd.get()) != 0) s = io_error("fsync", tmp, errno);
    if (::close(fd.release()) != 0 && s.ok()) s = io_error("close", tmp, errno);
    if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) s = io_error("rename", tmp, errno);
    if (!s.ok()) {
        ::unlink(tmp.c_str());
        return s;
    }
    fs::path dir = path.parent_path();
    return fsync_directory(dir.empty() ? fs::path(".") : dir);
}

}  // namespace kars::files
