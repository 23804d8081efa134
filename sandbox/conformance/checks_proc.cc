// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// Process and kernel escapes: namespaces, ptrace, signals, /proc, io_uring, kernel images
// and modules, terminal injection, foreign syscall ABIs, privileges. Anything that would
// change the calling process runs in a forked child (run_in_child).

#include <dirent.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "sandbox/conformance/checks.h"

namespace kars::sandbox::conformance {
namespace {

// A child that reports success as exit 0 and failure as exit <errno>.
Outcome child_outcome(const std::string& what, const std::function<int()>& fn) {
    int status = run_in_child(fn);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return escaped(what + " succeeded");
    }
    if (WIFSIGNALED(status)) {
        return refused(what + ": killed by signal " + std::to_string(WTERMSIG(status)));
    }
    return refused(what + ": " + errno_text(WEXITSTATUS(status)));
}

int errno_or_zero(long rc) {
    return rc < 0 ? errno : 0;
}

Outcome unshare_flags(unsigned long flags, const char* what) {
    return child_outcome(what, [flags] { return errno_or_zero(syscall(SYS_unshare, flags)); });
}

// clone() with namespace flags; the upper-bits variant checks the filter compares only the
// low 32 bits the kernel reads (kernel/fork.c takes lower_32_bits of the flags).
Outcome clone_flags(unsigned long flags, const char* what) {
    return child_outcome(what, [flags] {
        long pid = syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
        if (pid == 0) {
            _exit(0);
        }
        if (pid < 0) {
            return errno;
        }
        waitpid(static_cast<pid_t>(pid), nullptr, 0);
        return 0;
    });
}

Outcome clone3_newuser(const Options&) {
    return child_outcome("clone3(CLONE_NEWUSER)", [] {
        clone_args args{};
        args.flags = CLONE_NEWUSER;
        args.exit_signal = SIGCHLD;
        long pid = syscall(SYS_clone3, &args, sizeof(args));
        if (pid == 0) {
            _exit(0);
        }
        if (pid < 0) {
            return errno;
        }
        waitpid(static_cast<pid_t>(pid), nullptr, 0);
        return 0;
    });
}

Outcome setns_net(const Options& o) {
    std::string path = o.outside_pid != 0 && !o.confined
                           ? "/proc/" + std::to_string(o.outside_pid) + "/ns/net"
                           : "/proc/self/ns/net";
    return child_outcome("setns(" + path + ")", [path] {
        int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            return errno;
        }
        return errno_or_zero(setns(fd, CLONE_NEWNET));
    });
}

Outcome ptrace_outside(const Options& o) {
    if (o.outside_pid == 0) {
        return not_tested("no --outside-pid given");
    }
    pid_t target = o.outside_pid;
    // PTRACE_SEIZE does not stop the tracee; the child's exit detaches it again.
    return child_outcome("ptrace(SEIZE, " + std::to_string(target) + ")", [target] {
        return errno_or_zero(ptrace(PTRACE_SEIZE, target, nullptr, nullptr));
    });
}

Outcome kill_outside(const Options& o) {
    if (o.outside_pid == 0) {
        return not_tested("no --outside-pid given");
    }
    // Signal 0 performs the existence and permission checks and delivers nothing.
    if (kill(o.outside_pid, 0) == 0) {
        return escaped("kill(" + std::to_string(o.outside_pid) + ", 0) allowed");
    }
    return refused("kill(" + std::to_string(o.outside_pid) + ", 0): " + errno_text(errno));
}

Outcome proc_pids(const Options& o) {
    int count = 0;
    if (DIR* dir = opendir("/proc")) {
        while (dirent* d = readdir(dir)) {
            count += (d->d_name[0] >= '1' && d->d_name[0] <= '9') ? 1 : 0;
        }
        closedir(dir);
    }
    std::string detail = std::to_string(count) + " pids visible";
    if (o.outside_pid != 0) {
        bool visible = access(("/proc/" + std::to_string(o.outside_pid)).c_str(), F_OK) == 0;
        // Inside, a small pid number may exist in the sandbox's own namespace; compare the
        // process's start: its cmdline must be the outside one's only when visible at all.
        if (visible && count > 10) {
            return escaped(detail + ", including " + std::to_string(o.outside_pid));
        }
        return refused(detail + ", outside pid " + std::to_string(o.outside_pid) + " not visible");
    }
    return count > 10 ? escaped(detail) : refused(detail);
}

Outcome read_environ(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!data.empty()) {
        return escaped("read " + std::to_string(data.size()) + " bytes of " + path);
    }
    return refused(path + " unreadable or empty");
}

Outcome proc_environ(const Options& o) {
    Outcome first = read_environ("/proc/1/environ");
    if (first.verdict == Verdict::kEscaped || o.outside_pid == 0) {
        return first;
    }
    Outcome outside = read_environ("/proc/" + std::to_string(o.outside_pid) + "/environ");
    if (outside.verdict == Verdict::kEscaped) {
        return outside;
    }
    return refused(first.detail + "; " + outside.detail);
}

Outcome io_uring(const Options&) {
    io_uring_params params{};
    long fd = syscall(SYS_io_uring_setup, 1, &params);
    if (fd >= 0) {
        close(static_cast<int>(fd));
        return escaped("io_uring_setup returned a ring");
    }
    return refused("io_uring_setup: " + errno_text(errno));
}

// These calls check the capability before their arguments, so anything but EPERM means the
// caller got past the privilege check (a bad fd or a missing module name is then harmless).
Outcome privileged_call(const char* what, long rc) {
    int err = rc < 0 ? errno : 0;
    if (err == ENOSYS) {
        // The kernel lacks the call (e.g. CONFIG_MODULES=n): nothing to measure here, and
        // inside the sandbox the filter would have answered EPERM first.
        return not_tested(std::string(what) + ": " + errno_text(err) + " (not in this kernel)");
    }
    if (rc >= 0 || err != EPERM) {
        return escaped(std::string(what) + " passed the privilege check (" +
                       (rc >= 0 ? std::string("ok") : errno_text(err)) + ")");
    }
    return refused(std::string(what) + ": " + errno_text(err));
}

Outcome tiocsti(const Options&) {
    // Outside: a pty of our own (never the user's terminal) made our controlling terminal in
    // a child, then one injected byte. Inside there is no /dev/ptmx and no terminal, so the
    // ioctl is tried on stdin, where only the filter's answer (EPERM) differs from ENOTTY.
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master >= 0) {
        grantpt(master);
        unlockpt(master);
        const char* slave = ptsname(master);
        std::string slave_path = slave ? slave : "";
        Outcome r = child_outcome("ioctl(TIOCSTI) on own pty", [&] {
            setsid();
            int fd = open(slave_path.c_str(), O_RDWR);
            if (fd < 0) {
                return errno;
            }
            char c = '\n';
            return errno_or_zero(ioctl(fd, TIOCSTI, &c));
        });
        close(master);
        return r;
    }
    char c = '\n';
    if (ioctl(0, TIOCSTI, &c) == 0) {
        return escaped("ioctl(0, TIOCSTI) injected a byte");
    }
    int err = errno;
    if (err == EPERM) {
        return refused("ioctl(0, TIOCSTI): " + errno_text(err) + " (seccomp)");
    }
    return refused("no terminal reachable; ioctl(0, TIOCSTI): " + errno_text(err));
}

Outcome foreign_abi_i386(const Options&) {
#if defined(__x86_64__)
    return child_outcome("int 0x80 getpid (i386 ABI)", [] {
        long ret = 20;  // __NR_getpid on i386
        asm volatile("int $0x80" : "+a"(ret) : : "memory");
        return ret > 0 ? 0 : static_cast<int>(-ret);
    });
#else
    return not_tested("not an x86_64 build");
#endif
}

Outcome foreign_abi_x32(const Options& o) {
#if defined(__x86_64__)
    constexpr long kX32Bit = 0x40000000;
    Outcome r =
        child_outcome("x32 getpid", [] { return errno_or_zero(syscall(kX32Bit | SYS_getpid)); });
    if (!o.confined && r.verdict == Verdict::kRefused &&
        r.detail.find("ENOSYS") != std::string::npos) {
        return not_tested("this kernel has no x32 ABI (ENOSYS outside)");
    }
    return r;
#else
    (void)o;
    return not_tested("not an x86_64 build");
#endif
}

Outcome status_field(const char* field, bool escaped_when_zero) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(field, 0) == 0) {
            std::string value = line.substr(line.find(':') + 1);
            value.erase(0, value.find_first_not_of(" \t"));
            bool zero = value.find_first_not_of('0') == std::string::npos;
            bool open = escaped_when_zero ? zero : !zero;
            return open ? escaped(std::string(field) + " " + value)
                        : refused(std::string(field) + " " + value);
        }
    }
    return not_tested(std::string(field) + " not in /proc/self/status");
}

}  // namespace

std::vector<Check> process_checks() {
    return {
        {"unshare_user",
         [](const Options&) { return unshare_flags(CLONE_NEWUSER, "unshare(CLONE_NEWUSER)"); }},
        {"unshare_net",
         [](const Options&) { return unshare_flags(CLONE_NEWNET, "unshare(CLONE_NEWNET)"); }},
        {"clone_newuser",
         [](const Options&) { return clone_flags(CLONE_NEWUSER, "clone(CLONE_NEWUSER)"); }},
        {"clone_newuser_high_bits",
         [](const Options&) {
             return clone_flags(0xffffffff00000000UL | CLONE_NEWUSER,
                                "clone(high bits|CLONE_NEWUSER)");
         }},
        {"clone3_newuser", clone3_newuser},
        {"setns", setns_net},
        {"ptrace_outside", ptrace_outside},
        {"kill_outside", kill_outside},
        {"proc_host_pids", proc_pids},
        {"proc_environ", proc_environ},
        {"io_uring_setup", io_uring},
        {"kexec_file_load",
         [](const Options&) {
             return privileged_call("kexec_file_load",
                                    syscall(SYS_kexec_file_load, -1, -1, 0, "", 0));
         }},
        {"finit_module",
         [](const Options&) {
             return privileged_call("finit_module", syscall(SYS_finit_module, -1, "", 0));
         }},
        {"delete_module",
         [](const Options&) {
             return privileged_call("delete_module",
                                    syscall(SYS_delete_module, "kars_no_such_module", O_NONBLOCK));
         }},
        {"userfaultfd",
         [](const Options&) {
             long fd = syscall(SYS_userfaultfd, O_CLOEXEC);
             if (fd >= 0) {
                 close(static_cast<int>(fd));
             }
             return privileged_call("userfaultfd", fd);
         }},
        {"tiocsti", tiocsti},
        {"foreign_abi_i386", foreign_abi_i386},
        {"foreign_abi_x32", foreign_abi_x32},
        {"setuid_root",
         [](const Options&) {
             return child_outcome("setuid(0)", [] { return errno_or_zero(setuid(0)); });
         }},
        {"capabilities", [](const Options&) { return status_field("CapEff", false); }},
        {"no_new_privs", [](const Options&) { return status_field("NoNewPrivs", true); }},
    };
}

}  // namespace kars::sandbox::conformance
