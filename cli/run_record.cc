// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/run_record.h"

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "cli/credential_store.h"
#include "cli/private_files.h"

namespace kars::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr std::size_t kMaxNameLength = 63;

json::object process_json(const sandbox::ProcessIdentity& p) {
    return {{"pid", p.pid}, {"start_time", p.start_time}};
}

json::array string_array(const std::vector<std::string>& items) {
    json::array out;
    for (const auto& item : items) out.emplace_back(item);
    return out;
}

json::object to_json(const RunRecord& r) {
    json::object join{{"uid", r.join.uid},
                      {"gid", r.join.gid},
                      {"writable_paths", string_array(r.join.writable_paths)},
                      {"seccomp_profile", r.join.seccomp_profile},
                      {"allow_degraded", r.join.allow_degraded},
                      {"working_dir", r.join.working_dir},
                      {"open_files", r.join.open_files},
                      {"env", string_array(r.join.env)}};
    json::object out{{"name", r.name},
                     {"manifest", r.manifest.string()},
                     {"state_dir", r.state_dir.string()},
                     {"audit_log", r.audit_log.string()},
                     {"router_log", r.router_log.string()},
                     {"agent_log", r.agent_log.string()},
                     {"dev_log", r.dev_log.string()},
                     {"detached", r.detached},
                     {"created_at", r.created_at},
                     {"processes",
                      {{"dev", process_json(r.dev)},
                       {"supervisor", process_json(r.supervisor)},
                       {"init", process_json(r.init)},
                       {"router", process_json(r.router)}}},
                     {"cgroup_dirs", string_array(r.cgroup_dirs)},
                     {"router_addresses", string_array(r.router_addresses)},
                     {"join", join}};
    if (r.end) {
        out["end"] = {{"state", r.end->state},
                      {"exit_code", r.end->exit_code},
                      {"signal", r.end->signal},
                      {"detail", r.end->detail},
                      {"ended_at", r.end->ended_at}};
    }
    return out;
}

// Readers are lenient about missing fields (a record written while starting has no pids
// yet) and strict about types: a hand-edited record with a string pid is refused.
class Reader {
public:
    explicit Reader(const json::object& o) : o_(o) {}

    std::string text(const char* key) const {
        const auto* v = o_.if_contains(key);
        return v && v->is_string() ? std::string(v->as_string()) : std::string();
    }
    std::int64_t integer(const char* key) const {
        const auto* v = o_.if_contains(key);
        if (v && v->is_int64()) return v->as_int64();
        if (v && v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
        return 0;
    }
    bool flag(const char* key) const {
        const auto* v = o_.if_contains(key);
        return v && v->is_bool() && v->as_bool();
    }
    std::vector<std::string> strings(const char* key) const {
        std::vector<std::string> out;
        const auto* v = o_.if_contains(key);
        if (v && v->is_array()) {
            for (const auto& item : v->as_array()) {
                if (item.is_string()) out.emplace_back(item.as_string());
            }
        }
        return out;
    }
    json::object object(const char* key) const {
        const auto* v = o_.if_contains(key);
        return v && v->is_object() ? v->as_object() : json::object();
    }

private:
    const json::object& o_;
};

sandbox::ProcessIdentity process_from(const json::object& processes, const char* key) {
    const json::object o = Reader(processes).object(key);
    const Reader r(o);
    return {static_cast<pid_t>(r.integer("pid")),
            static_cast<std::uint64_t>(r.integer("start_time"))};
}

RunRecord from_json(const json::object& o) {
    const Reader r(o);
    RunRecord rec;
    rec.name = r.text("name");
    rec.manifest = r.text("manifest");
    rec.state_dir = r.text("state_dir");
    rec.audit_log = r.text("audit_log");
    rec.router_log = r.text("router_log");
    rec.agent_log = r.text("agent_log");
    rec.dev_log = r.text("dev_log");
    rec.detached = r.flag("detached");
    rec.created_at = r.integer("created_at");
    const json::object processes = r.object("processes");
    rec.dev = process_from(processes, "dev");
    rec.supervisor = process_from(processes, "supervisor");
    rec.init = process_from(processes, "init");
    rec.router = process_from(processes, "router");
    rec.cgroup_dirs = r.strings("cgroup_dirs");
    rec.router_addresses = r.strings("router_addresses");
    const json::object join = r.object("join");
    const Reader j(join);
    rec.join.uid = static_cast<std::uint32_t>(j.integer("uid"));
    rec.join.gid = static_cast<std::uint32_t>(j.integer("gid"));
    rec.join.writable_paths = j.strings("writable_paths");
    rec.join.seccomp_profile = j.text("seccomp_profile");
    rec.join.allow_degraded = j.flag("allow_degraded");
    rec.join.working_dir = j.text("working_dir");
    rec.join.open_files = static_cast<std::uint64_t>(j.integer("open_files"));
    rec.join.env = j.strings("env");
    if (o.contains("end")) {
        const json::object end = r.object("end");
        const Reader e(end);
        rec.end = SandboxEnd{e.text("state"), static_cast<int>(e.integer("exit_code")),
                             static_cast<int>(e.integer("signal")), e.text("detail"),
                             e.integer("ended_at")};
    }
    return rec;
}

std::string slurp(const fs::path& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

ObservedState from_end(const SandboxEnd& end) {
    return {end.state, end.exit_code, end.signal, end.detail};
}

}  // namespace

std::string ObservedState::describe() const {
    if (state == "exited") return "exited (code " + std::to_string(exit_code) + ")";
    if (state == "killed") {
        return signal != 0 ? "killed (" + signal_name(signal) + ")" : "killed (signal unknown)";
    }
    if (state == "failed") return detail.empty() ? "failed" : "failed: " + detail;
    return state;
}

bool valid_sandbox_name(const std::string& name) {
    if (name.empty() || name.size() > kMaxNameLength) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

Result<fs::path> run_root() {
    auto home = kars_home();
    if (!home.ok()) return home.error();
    return *home / "run";
}

Result<fs::path> run_dir(const std::string& name) {
    if (!valid_sandbox_name(name)) {
        return make_error("bad_name", "'" + name + "' is not a sandbox name ([a-z0-9-], 1..63)");
    }
    auto root = run_root();
    if (!root.ok()) return root.error();
    return *root / name;
}

fs::path record_path(const fs::path& dir) {
    return dir / "record.json";
}

fs::path supervisor_exit_path(const fs::path& dir) {
    return dir / "supervisor.exit";
}

Status write_run_record(const fs::path& dir, const RunRecord& record) {
    // Not fsync'ed: the record describes processes, which do not survive a reboot either.
    return write_private_file(record_path(dir), json::serialize(to_json(record)) + "\n", false);
}

Result<RunRecord> read_run_record(const fs::path& dir) {
    const std::string text = slurp(record_path(dir));
    if (text.empty()) {
        return make_error("no_record", "no run record in " + dir.string());
    }
    std::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) {
        return make_error("bad_record", record_path(dir).string() + " is not a run record: " +
                                            (ec ? ec.message() : "not a JSON object"));
    }
    return from_json(v.as_object());
}

std::vector<std::string> list_run_names() {
    std::vector<std::string> names;
    auto root = run_root();
    std::error_code ec;
    if (!root.ok() || !fs::is_directory(*root, ec)) return names;
    for (const auto& entry : fs::directory_iterator(*root, ec)) {
        const std::string name = entry.path().filename().string();
        if (valid_sandbox_name(name) && fs::exists(record_path(entry.path()), ec)) {
            names.push_back(name);
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::string signal_name(int signal) {
    const char* abbrev = sigabbrev_np(signal);
    return abbrev != nullptr ? std::string("SIG") + abbrev : "signal " + std::to_string(signal);
}

SandboxEnd end_from_wait_status(int wait_status) {
    SandboxEnd end;
    end.ended_at = unix_now();
    if (WIFSIGNALED(wait_status)) {
        end.state = "killed";
        end.signal = WTERMSIG(wait_status);
    } else {
        end.state = "exited";
        end.exit_code = WEXITSTATUS(wait_status);
    }
    return end;
}

ObservedState observe(const RunRecord& record, const fs::path& dir) {
    if (record.end) return from_end(*record.end);
    const std::string exit_line = slurp(supervisor_exit_path(dir));
    const bool dev_running = sandbox::process_is_running(record.dev);
    if (exit_line.rfind("exit ", 0) == 0 && !dev_running) {
        ObservedState s = from_end(end_from_wait_status(std::atoi(exit_line.c_str() + 5)));
        s.detail = "kars dev (pid " + std::to_string(record.dev.pid) +
                   ") ended without recording it; the supervisor recorded the agent's end";
        return s;
    }
    if (dev_running || sandbox::process_is_running(record.supervisor)) {
        return {record.supervisor.pid > 0 ? "running" : "starting", 0, 0, ""};
    }
    return {"failed", 0, 0,
            "kars dev (pid " + std::to_string(record.dev.pid) +
                ") and the supervisor ended without recording how the sandbox ended"};
}

pid_t find_agent_pid(const sandbox::ProcessIdentity& init) {
    if (!sandbox::process_is_running(init)) return -1;
    const std::string id = std::to_string(init.pid);
    std::istringstream children(slurp("/proc/" + id + "/task/" + id + "/children"));
    pid_t first = -1;
    children >> first;
    return first > 0 ? first : -1;
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace kars::cli
