// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/lifecycle_cmd.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "cli/run_record.h"
#include "cli/teardown.h"

namespace kars::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr int kExitFailed = 1;
constexpr auto kFollowPoll = std::chrono::milliseconds(100);

[[noreturn]] void fail(const std::string& verb, const std::string& message) {
    std::cerr << "kars " << verb << ": " << message << "\n";
    throw CLI::RuntimeError(kExitFailed);
}

struct Loaded {
    fs::path dir;
    RunRecord record;
};

Loaded load(const std::string& verb, const std::string& name) {
    auto dir = run_dir(name);
    if (!dir.ok()) fail(verb, dir.error().message);
    std::error_code ec;
    if (!fs::exists(record_path(*dir), ec)) {
        fail(verb, "no sandbox named " + name +
                       " (`kars list` shows them; `kars dev -d -f FILE` "
                       "starts one)");
    }
    auto record = read_run_record(*dir);
    if (!record.ok()) fail(verb, record.error().message);
    return {*dir, std::move(*record)};
}

std::string age(std::int64_t since) {
    const std::int64_t s = std::max<std::int64_t>(0, unix_now() - since);
    if (s < 120) return std::to_string(s) + "s";
    if (s < 7200) return std::to_string(s / 60) + "m";
    if (s < 172800) return std::to_string(s / 3600) + "h";
    return std::to_string(s / 86400) + "d";
}

std::string join_text(const std::vector<std::string>& items, const std::string& sep) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
    return out;
}

void list() {
    const auto names = list_run_names();
    std::cout << fmt::format("{:<24} {:<10} {:>6} {:>8}\n", "NAME", "STATE", "AGE", "PID");
    for (const auto& name : names) {
        auto dir = run_dir(name);
        auto record = dir.ok() ? read_run_record(*dir) : Result<RunRecord>(dir.error());
        if (!record.ok()) {
            std::cout << fmt::format("{:<24} {:<10} {:>6} {:>8}\n", name, "unreadable", "-", "-");
            continue;
        }
        const ObservedState seen = observe(*record, *dir);
        const std::string pid = seen.ended() || record->supervisor.pid <= 0
                                    ? "-"
                                    : std::to_string(record->supervisor.pid);
        std::cout << fmt::format("{:<24} {:<10} {:>6} {:>8}\n", name, seen.state,
                                 age(record->created_at), pid);
    }
}

json::object process_json(const sandbox::ProcessIdentity& p) {
    return {{"pid", p.pid}, {"running", sandbox::process_is_running(p)}};
}

json::object status_json(const Loaded& l, const ObservedState& seen, pid_t agent) {
    const RunRecord& r = l.record;
    json::object out{{"name", r.name},
                     {"state", seen.state},
                     {"description", seen.describe()},
                     {"detail", seen.detail},
                     {"created_at", r.created_at},
                     {"detached", r.detached},
                     {"manifest", r.manifest.string()},
                     {"state_dir", r.state_dir.string()},
                     {"audit_log", r.audit_log.string()},
                     {"router_log", r.router_log.string()},
                     {"agent_log", r.agent_log.string()},
                     {"run_dir", l.dir.string()},
                     {"processes",
                      {{"dev", process_json(r.dev)},
                       {"supervisor", process_json(r.supervisor)},
                       {"init", process_json(r.init)},
                       {"router", process_json(r.router)},
                       {"agent", agent}}}};
    json::array cgroups;
    for (const auto& c : r.cgroup_dirs) cgroups.emplace_back(c);
    out["cgroup_dirs"] = cgroups;
    json::array addresses;
    for (const auto& a : r.router_addresses) addresses.emplace_back(a);
    out["router_addresses"] = addresses;
    if (seen.state == "exited") out["exit_code"] = seen.exit_code;
    if (seen.state == "killed") {
        out["signal"] = seen.signal;
        if (seen.signal != 0) out["signal_name"] = signal_name(seen.signal);
    }
    return out;
}

void status(const std::string& name, bool as_json) {
    const Loaded l = load("status", name);
    const RunRecord& r = l.record;
    const ObservedState seen = observe(r, l.dir);
    const pid_t agent = seen.ended() ? -1 : find_agent_pid(r.init);
    if (as_json) {
        std::cout << json::serialize(status_json(l, seen, agent)) << "\n";
        return;
    }
    auto pid_text = [](const sandbox::ProcessIdentity& p) {
        if (p.pid <= 0) return std::string("-");
        return std::to_string(p.pid) + (sandbox::process_is_running(p) ? "" : " (gone)");
    };
    std::cout << "name:        " << r.name << "\n"
              << "state:       " << seen.describe() << "\n";
    if (!seen.detail.empty() && seen.state != "failed") {
        std::cout << "detail:      " << seen.detail << "\n";
    }
    std::cout << "age:         " << age(r.created_at) << (r.detached ? "" : " (foreground)") << "\n"
              << "pids:        kars dev " << pid_text(r.dev) << ", supervisor "
              << pid_text(r.supervisor) << ", sandbox init " << pid_text(r.init) << ", agent "
              << (agent > 0 ? std::to_string(agent) : "-") << ", router " << pid_text(r.router)
              << "\n"
              << "router:      " << join_text(r.router_addresses, ", ")
              << " inside the sandbox (inference, egress proxy)\n"
              << "manifest:    " << r.manifest.string() << "\n"
              << "agent log:   "
              << (r.agent_log.empty() ? "(foreground: the terminal of kars dev)"
                                      : r.agent_log.string())
              << "\n"
              << "router log:  " << r.router_log.string() << "\n"
              << "audit log:   " << r.audit_log.string() << "\n";
}

// Copies what the file gained since `offset` to stdout; returns the new offset.
off_t copy_from(int fd, off_t offset) {
    char buf[8192];
    for (;;) {
        const ssize_t n = pread(fd, buf, sizeof buf, offset);
        if (n <= 0) break;
        std::cout.write(buf, n);
        offset += n;
    }
    std::cout.flush();
    return offset;
}

void logs(const std::string& name, bool follow) {
    const Loaded l = load("logs", name);
    if (l.record.agent_log.empty()) {
        fail("logs", "sandbox " + name +
                         " runs in the foreground: its output goes to the terminal of `kars dev` "
                         "(start it with `kars dev -d` to capture a log)");
    }
    const int fd = open(l.record.agent_log.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("logs", "cannot open " + l.record.agent_log.string());
    off_t offset = copy_from(fd, 0);
    // Re-reads the record each round: the end is written there (or in supervisor.exit).
    while (follow) {
        auto record = read_run_record(l.dir);
        const bool ended = !record.ok() || observe(*record, l.dir).ended();
        offset = copy_from(fd, offset);
        if (ended) break;
        std::this_thread::sleep_for(kFollowPoll);
    }
    close(fd);
}

void destroy(const std::string& name, double grace_seconds, bool missing_ok) {
    auto dir = run_dir(name);
    if (!dir.ok()) fail("destroy", dir.error().message);
    std::error_code ec;
    if (missing_ok && !fs::exists(*dir, ec)) return;
    const Loaded l = load("destroy", name);
    auto report = tear_down(l.dir, l.record,
                            std::chrono::milliseconds(static_cast<long>(grace_seconds * 1000)));
    if (!report.ok()) fail("destroy", report.error().message);
    std::cout << "destroyed " << name << " in "
              << fmt::format("{:.1f}", static_cast<double>(report->elapsed.count()) / 1000.0)
              << " ms" << (report->needed_sigkill ? " (SIGKILL after the grace period)" : "")
              << "; audit log kept at " << l.record.audit_log.string() << "\n";
}

}  // namespace

void register_lifecycle_commands(CLI::App& app) {
    app.add_subcommand("list", "list sandboxes started by kars dev")->callback([] { list(); });

    auto status_name = std::make_shared<std::string>();
    auto status_json_flag = std::make_shared<bool>(false);
    CLI::App* st = app.add_subcommand("status", "show one sandbox: state, pids, logs");
    st->add_option("name", *status_name, "sandbox name")->required();
    st->add_flag("--json", *status_json_flag, "machine-readable output");
    st->callback([=] { status(*status_name, *status_json_flag); });

    auto logs_name = std::make_shared<std::string>();
    auto follow = std::make_shared<bool>(false);
    CLI::App* lg = app.add_subcommand("logs", "print the agent's output (detached sandboxes)");
    lg->add_option("name", *logs_name, "sandbox name")->required();
    lg->add_flag("-f,--follow", *follow, "keep printing until the sandbox ends");
    lg->callback([=] { logs(*logs_name, *follow); });

    auto destroy_name = std::make_shared<std::string>();
    auto grace = std::make_shared<double>(5.0);
    auto missing_ok = std::make_shared<bool>(false);
    CLI::App* ds = app.add_subcommand(
        "destroy", "stop a sandbox (SIGTERM, then SIGKILL after --grace) and remove it");
    ds->add_option("name", *destroy_name, "sandbox name")->required();
    ds->add_option("--grace", *grace, "seconds between SIGTERM and SIGKILL (default 5)")
        ->check(CLI::Range(0.0, 600.0));
    ds->add_flag("--missing-ok", *missing_ok, "succeed quietly when there is no such sandbox");
    ds->callback([=] { destroy(*destroy_name, *grace, *missing_ok); });
}

}  // namespace kars::cli
