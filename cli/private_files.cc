// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/private_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kars::cli {

namespace fs = std::filesystem;

Status make_private_dir(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        return make_error("io_error", "cannot create " + dir.string() + ": " + ec.message());
    }
    if (chmod(dir.c_str(), 0700) != 0) {
        return make_error("io_error", "chmod 0700 " + dir.string() + ": " + std::strerror(errno));
    }
    return ok_status();
}

Status write_private_file(const fs::path& path, const std::string& content, bool durable) {
    const fs::path tmp = path.string() + ".tmp." + std::to_string(getpid());
    const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        return make_error("io_error",
                          "cannot create " + tmp.string() + ": " + std::strerror(errno));
    }
    const bool written =
        write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
        (!durable || fsync(fd) == 0);
    close(fd);
    if (!written || rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        unlink(tmp.c_str());
        return make_error("io_error", "cannot write " + path.string() + ": " + why);
    }
    return ok_status();
}

}  // namespace kars::cli
