// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "sandbox/contain.h"

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <functional>

#include "sandbox/caps.h"
#include "sandbox/fds.h"
#include "sandbox/landlock.h"
#include "sandbox/listen_sockets.h"
#include "sandbox/mounts.h"
#include "sandbox/net_ns.h"
#include "sandbox/seccomp_filter.h"
#include "sandbox/sys_error.h"
#include "sandbox/user_ns.h"

namespace kars::sandbox {
namespace {

[[noreturn]] void fail(int control, const std::string& step, const Error& error) {
    (void)send_message(control, "error " + step + ": " + error.message, {});
    _exit(kSetupFailedExit);
}

// If the supervisor dies, so does the sandbox: PID 1 gets SIGKILL and the kernel then kills
// every process of the PID namespace (pid_namespaces(7)). The go byte doubles as the check
// that the supervisor did not die before the death signal was armed.
Status wait_for_supervisor(int go_read) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
        return sys_error("prctl", "PR_SET_PDEATHSIG");
    }
    char go = 0;
    ssize_t n = retry_eintr([&] { return read(go_read, &go, 1); });
    if (n != 1) {
        return setup_error("the supervisor went away before the sandbox started");
    }
    close(go_read);
    return ok_status();
}

// The kernel clears the parent-death signal whenever the credentials change (commit_creds()
// in kernel/cred.c; prctl(2), PR_SET_PDEATHSIG), and PID 1 changes them twice (namespace
// root, then the agent's uid). Without re-arming it, a killed supervisor would leave the
// sandbox running with nobody to tear it down. A supervisor that died before this point is
// seen as the status pipe losing its reader (poll(2) reports POLLERR on the write end).
Status rearm_supervisor_death(int status_write) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
        return sys_error("prctl", "PR_SET_PDEATHSIG");
    }
    pollfd p{status_write, POLLOUT, 0};
    if (poll(&p, 1, 0) < 0) {
        return sys_error("poll", "status pipe");
    }
    if ((p.revents & (POLLERR | POLLHUP)) != 0) {
        return setup_error("the supervisor went away while the sandbox was being set up");
    }
    return ok_status();
}

// Unshared only now, after the supervisor moved us into the sandbox's cgroup, so that the
// sandbox's cgroup is the root of its cgroup namespace (cgroup_namespaces(7)).
Status enter_cgroup_namespace() {
    if (unshare(CLONE_NEWCGROUP) < 0) {
        return sys_error("unshare", "CLONE_NEWCGROUP");
    }
    return ok_status();
}

Status set_hostname(const std::string& name) {
    if (sethostname(name.c_str(), name.size()) < 0) {
        return sys_error("sethostname", name);
    }
    return ok_status();
}

Status pass_listen_sockets(const SandboxSpec& spec, int control) {
    auto fds = create_listen_sockets(spec.listen_sockets);
    if (!fds) {
        return fds.error();
    }
    Status sent = send_message(control, "sockets", *fds);
    for (int fd : *fds) {
        close(fd);  // the agent must not hold the listeners: only the router accepts
    }
    return sent;
}

Status build_filesystem(const SandboxSpec& spec) {
    if (auto s = make_mounts_private(); !s) {
        return s;
    }
    auto plan = snapshot_root(spec);
    if (!plan) {
        return plan.error();
    }
    const std::function<Status()> steps[] = {
        [] { return mount_staging_root(); },
        [&] { return attach_root_entries(*plan); },
        [&] { return mount_writable_paths(spec, *plan); },
        [&] { return hide_paths(*plan); },
        [] { return mount_fresh_proc(); },
        [] { return mount_minimal_dev(); },
        [] { return seal_staging_root(); },
        [] { return pivot_into_staging_root(); },
    };
    for (const auto& step : steps) {
        if (auto s = step(); !s) {
            return s;
        }
    }
    return ok_status();
}

// setsid(2): a new session has no controlling terminal, so the agent cannot reach the
// caller's terminal through /dev/tty or job-control signals.
Status start_new_session() {
    if (setsid() < 0) {
        return sys_error("setsid", "");
    }
    return ok_status();
}

[[noreturn]] void exec_agent(const ChildPlan& plan, int control) {
    const SandboxSpec& spec = *plan.spec;
    auto argv = exec_array(spec.argv);
    auto envp = exec_array(plan.envp);
    std::string path = find_executable(spec.argv[0], plan.envp);
    if (chdir(spec.working_dir.c_str()) < 0) {
        fail(control, "chdir", sys_error("chdir", spec.working_dir));
    }
    // The control channel is O_CLOEXEC: a successful execve closes it, which is how the
    // caller learns the agent is running; a failed one reports over it.
    execve(path.c_str(), argv.data(), envp.data());
    fail(control, "exec", sys_error("execve", path));
}

// PID 1 of the sandbox stays as the reaper of orphans (a namespace's init must wait for
// them) and reports the agent's own wait status, so a signal that killed the agent is told
// apart from a normal exit. When the agent is gone PID 1 exits, which kills whatever the
// agent left running.
[[noreturn]] void run_init(const ChildPlan& plan, ChildChannels channels) {
    pid_t agent = fork();
    if (agent < 0) {
        fail(channels.control, "fork", sys_error("fork", "agent"));
    }
    if (agent == 0) {
        close(channels.status_write);
        exec_agent(plan, channels.control);
    }
    close(channels.control);
    // Not dumpable: the agent (same uid) cannot read this process's memory through
    // /proc/1/mem or ptrace it (ptrace(2), "Ptrace access mode checking").
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    for (;;) {
        int status = 0;
        pid_t pid = wait(&status);
        if (pid < 0 && errno == EINTR) {
            continue;
        }
        if (pid == agent || pid < 0) {
            if (pid == agent) {
                (void)!write(channels.status_write, &status, sizeof(status));
            }
            _exit(0);
        }
    }
}

}  // namespace

std::vector<char*> exec_array(const std::vector<std::string>& strings) {
    std::vector<char*> out;
    out.reserve(strings.size() + 1);
    for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

std::string find_executable(const std::string& name, const std::vector<std::string>& envp) {
    if (name.find('/') != std::string::npos) {
        return name;
    }
    std::string path = "/usr/local/bin:/usr/bin:/bin";
    for (const auto& e : envp) {
        if (e.rfind("PATH=", 0) == 0) {
            path = e.substr(5);
        }
    }
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find(':', start);
        std::string dir =
            path.substr(start, end == std::string::npos ? std::string::npos : end - start);
        std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
        if (access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
        if (end == std::string::npos) {
            break;
        }
        start = end + 1;
    }
    return name;
}

// Limits only ever go down: the host lacks CAP_SYS_RESOURCE in our user namespace, and a
// sandbox should not get more than its launcher had anyway.
Status apply_rlimits(const ResourceLimits& limits) {
    auto lower = [](int resource, rlim_t value, const char* name) -> Status {
        rlimit current{};
        if (getrlimit(resource, &current) < 0) {
            return sys_error("getrlimit", name);
        }
        rlimit wanted{std::min(value, current.rlim_max), std::min(value, current.rlim_max)};
        if (setrlimit(resource, &wanted) < 0) {
            return sys_error("setrlimit", name);
        }
        return ok_status();
    };
    if (auto s = lower(RLIMIT_CORE, 0, "RLIMIT_CORE"); !s) {
        return s;  // a core dump would land the agent's memory (secrets) on disk
    }
    if (limits.open_files != 0) {
        if (auto s = lower(RLIMIT_NOFILE, limits.open_files, "RLIMIT_NOFILE"); !s) {
            return s;
        }
    }
    return ok_status();
}

void run_sandbox_child(const ChildPlan& plan, ChildChannels channels) {
    const SandboxSpec& spec = *plan.spec;
    int control = channels.control;
    if (auto s = wait_for_supervisor(channels.go_read); !s) {
        _exit(kSetupFailedExit);
    }
    if (auto s = arrange_fds(spec.stdin_fd, spec.stdout_fd, spec.stderr_fd,
                             {&channels.control, &channels.status_write});
        !s) {
        fail(control, "fds", s.error());
    }
    control = channels.control;
    struct Step {
        const char* name;
        std::function<Status()> run;
    };
    const Step steps[] = {
        {"user_ns", [] { return become_namespace_root(); }},
        {"cgroup_ns", [] { return enter_cgroup_namespace(); }},
        {"uts_ns", [&] { return set_hostname(spec.name); }},
        {"net_ns", [] { return bring_up_loopback(); }},
        {"listen_sockets", [&] { return pass_listen_sockets(spec, control); }},
        {"mounts", [&] { return build_filesystem(spec); }},
        {"rlimits", [&] { return apply_rlimits(spec.limits); }},
        {"session", [] { return start_new_session(); }},
        {"caps", [&] { return drop_capabilities(spec.uid, spec.gid); }},
        {"parent_death", [&] { return rearm_supervisor_death(channels.status_write); }},
        {"no_new_privs", [] { return set_no_new_privs(); }},
        {"landlock",
         [&] {
             if (plan.landlock_abi == 0) {
                 return ok_status();  // degraded mode, refused earlier unless allowed
             }
             LandlockPolicy policy{plan.landlock_abi, {}};
             for (const auto& w : spec.writable_paths) {
                 policy.writable_paths.push_back(w.path);
             }
             return apply_landlock(policy);
         }},
        {"seccomp", [&] { return load_sandbox_filters(plan.profile, plan.seccomp_context); }},
    };
    for (const auto& step : steps) {
        if (auto s = step.run(); !s) {
            fail(control, step.name, s.error());
        }
    }
    run_init(plan, channels);
}

}  // namespace kars::sandbox
