// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/audit/durable_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

namespace kars::audit {
namespace {

Error sys_error(std::string_view call, const std::string& path, int err) {
    return make_error("audit_io", fmt::format("{}({}) failed: {}", call, path, std::strerror(err)));
}

Status sync_parent_dir(const std::string& path) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    if (dir.empty()) dir = ".";
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return sys_error("open", dir, errno);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return sys_error("fsync", dir, err);
    return ok_status();
}

}  // namespace

Result<int> open_append(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
    if (fd >= 0) return fd;
    if (errno != ENOENT) return sys_error("open", path, errno);

    fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return sys_error("open", path, errno);
    // A new file is only durable once the directory that names it is.
    if (auto s = sync_parent_dir(path); !s) {
        ::close(fd);
        return s.error();
    }
    return fd;
}

Status lock_exclusive(int fd, const std::string& path) {
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) {
            return make_error("audit_log_locked", path + " is already open by another writer");
        }
        return sys_error("flock", path, errno);
    }
    return ok_status();
}

Status write_all(int fd, std::string_view data, const std::string& path) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return sys_error("write", path, errno);
        }
        done += static_cast<std::size_t>(n);
    }
    return ok_status();
}

Status sync_data(int fd, const std::string& path) {
    if (::fdatasync(fd) != 0) return sys_error("fdatasync", path, errno);
    return ok_status();
}

Status truncate_to(int fd, std::uint64_t size, const std::string& path) {
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) return sys_error("ftruncate", path, errno);
    return sync_data(fd, path);
}

Result<std::uint64_t> file_size(int fd, const std::string& path) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return sys_error("fstat", path, errno);
    return static_cast<std::uint64_t>(st.st_size);
}

Result<std::string> read_at(int fd, std::uint64_t offset, std::size_t len,
                            const std::string& path) {
    std::string out(len, '\0');
    std::size_t done = 0;
    while (done < len) {
        const ssize_t n =
            ::pread(fd, out.data() + done, len - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return sys_error("pread", path, errno);
        }
        if (n == 0) return make_error("audit_io", "unexpected end of " + path);
        done += static_cast<std::size_t>(n);
    }
    return out;
}

}  // namespace kars::audit
