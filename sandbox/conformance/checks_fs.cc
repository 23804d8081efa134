// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// Filesystem escapes: reading hidden paths, writing outside the writable paths, mounting.
// Outside, writes only target the directory the test handed over and mounts are undone.

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "sandbox/conformance/checks.h"

namespace kars::sandbox::conformance {
namespace {

Outcome read_hidden(const Options& o) {
    if (o.hidden_file.empty()) {
        return not_tested("no --hidden-file given");
    }
    int fd = open(o.hidden_file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return refused("open " + o.hidden_file + ": " + errno_text(errno));
    }
    char buffer[64];
    ssize_t n = read(fd, buffer, sizeof(buffer));
    int err = errno;
    close(fd);
    if (n > 0) {
        return escaped("read " + std::to_string(n) + " bytes of " + o.hidden_file);
    }
    return refused("read " + o.hidden_file + ": " + (n == 0 ? "empty" : errno_text(err)));
}

Outcome create_file_in(const std::string& dir) {
    std::string path = dir + "/kars-conformance-probe-" + std::to_string(getpid());
    int fd = open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) {
        return refused("create in " + dir + ": " + errno_text(errno));
    }
    close(fd);
    unlink(path.c_str());
    return escaped("created and removed " + path);
}

Outcome write_readonly_dir(const Options& o) {
    if (!o.readonly_dir.empty()) {
        return create_file_in(o.readonly_dir);
    }
    if (!o.confined) {
        return not_tested("no --readonly-dir given; host system directories are not written");
    }
    return create_file_in("/usr");
}

Outcome write_root(const Options& o) {
    if (!o.confined) {
        return not_tested("the host root is not written outside");
    }
    return create_file_in("");
}

Outcome write_etc_file(const Options& o) {
    if (!o.confined) {
        return not_tested("host /etc is not written outside");
    }
    int fd = open("/etc/hostname", O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd >= 0) {
        close(fd);
        return escaped("/etc/hostname opened for writing");
    }
    return refused("open /etc/hostname O_WRONLY: " + errno_text(errno));
}

Outcome proc_sys_write(const Options&) {
    // Opening for write is the permission check; nothing is written.
    int fd = open("/proc/sys/kernel/hostname", O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        close(fd);
        return escaped("/proc/sys/kernel/hostname opened for writing");
    }
    return refused("open /proc/sys/kernel/hostname O_WRONLY: " + errno_text(errno));
}

Outcome try_mount(const Options&) {
    // mkdtemp(3) replaces the six trailing 'X's.
    std::string dir = "/tmp/kars-conformance-mnt-" + std::string(6, 'X');
    if (mkdtemp(dir.data()) == nullptr) {
        return refused(std::string("mkdtemp: ") + errno_text(errno));
    }
    Outcome result = refused("");
    // In a child with its own mount namespace when allowed, so an outside run never changes
    // the host's mount table even for a moment; the mount(2) attempt is the check itself.
    int status = run_in_child([&] {
        (void)unshare(CLONE_NEWNS);
        (void)mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr);
        if (mount("kars-probe", dir.c_str(), "tmpfs", 0, "size=4k") == 0) {
            umount2(dir.c_str(), MNT_DETACH);
            return 0;
        }
        return errno;
    });
    rmdir(dir.c_str());
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return escaped(std::string("mounted tmpfs on ") + dir);
    }
    int err = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
    return refused("mount(tmpfs): " + (err ? errno_text(err) : std::string("child died")));
}

Outcome sandbox_writable(const Options& o) {
    if (!o.confined) {
        return not_tested("only meaningful inside");
    }
    Outcome r = create_file_in("/sandbox");
    if (r.verdict == Verdict::kEscaped) {
        return {Verdict::kHealthy, "/sandbox is writable"};
    }
    return {Verdict::kBroken, "/sandbox is not writable: " + r.detail};
}

}  // namespace

std::vector<Check> filesystem_checks() {
    return {
        {"read_hidden_file", read_hidden},
        {"write_outside_writable", write_readonly_dir},
        {"write_root", write_root},
        {"write_etc", write_etc_file},
        {"write_proc_sys", proc_sys_write},
        {"mount", try_mount},
        {"sandbox_writable", sandbox_writable},
    };
}

}  // namespace kars::sandbox::conformance
