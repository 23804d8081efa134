// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/approvals_cmd.h"

#include <iostream>
#include <memory>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "cli/credential_store.h"
#include "cli/egress_approve.h"
#include "cli/terminal_text.h"
#include "core/approvals/approval_store.h"

namespace kars::cli {

namespace {

namespace fs = std::filesystem;
using approvals::Approval;
using approvals::ApprovalStore;
using approvals::State;

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

struct Args {
    std::string name;
    std::string state_dir;
    std::string id;
    std::string note;
    std::string ttl = "15m";
    bool all = false;
    bool json = false;
};

[[noreturn]] void fail(const std::string& message, int code = kExitFailed) {
    std::cerr << "kars approvals: " << printable(message) << "\n";
    throw CLI::RuntimeError(code);
}

fs::path approvals_dir(const Args& a) {
    auto state = sandbox_state_dir(a.name, a.state_dir);
    if (!state.ok()) fail(state.error().message, kExitUsage);
    if (!fs::exists(*state)) {
        fail("no sandbox named " + a.name + " (no " + state->string() + ")");
    }
    return *state / "approvals";
}

std::string when(std::int64_t unix_seconds) {
    if (unix_seconds <= 0) return "-";
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                       fmt::gmtime(static_cast<std::time_t>(unix_seconds)));
}

boost::json::object to_json(const Approval& a) {
    return {{"id", a.id},
            {"sandbox", a.sandbox},
            {"action", a.action},
            {"rule", a.rule},
            {"reason", a.reason},
            {"state", approvals::to_string(a.state)},
            {"created_at", a.created_at},
            {"expires_at", a.expires_at},
            {"decided_at", a.decided_at},
            {"note", a.note}};
}

void run_list(const Args& a) {
    ApprovalStore store(approvals_dir(a));
    auto all = store.list(approvals::Clock::now());
    if (!all.ok()) fail(all.error().message);
    std::vector<Approval> shown;
    for (auto& x : *all) {
        if (a.all || x.state == State::kPending || x.state == State::kApproved) shown.push_back(x);
    }
    if (a.json) {
        boost::json::array out;
        for (const auto& x : shown) out.push_back(to_json(x));
        std::cout << boost::json::serialize(out) << "\n";
        return;
    }
    if (shown.empty()) {
        std::cout << (a.all ? "no approval requests\n" : "no pending approvals\n");
        return;
    }
    std::cout << fmt::format("{:<32}  {:<8}  {:<20}  {}\n", "ID", "STATE", "EXPIRES", "ACTION");
    for (const auto& x : shown) {
        std::cout << fmt::format("{:<32}  {:<8}  {:<20}  {}\n", x.id, approvals::to_string(x.state),
                                 when(x.expires_at), printable(x.action));
        std::cout << "    " << printable(x.rule) << ": " << printable(x.reason) << "\n";
    }
}

void run_decide(const Args& a, bool approve) {
    auto ttl = parse_ttl(a.ttl);
    if (!ttl.ok()) fail(ttl.error().message, kExitUsage);
    ApprovalStore store(approvals_dir(a));
    auto decided = store.decide(a.id, approve, a.note, *ttl, approvals::Clock::now());
    if (!decided.ok()) fail(decided.error().message);
    if (approve) {
        std::cout << fmt::format("approved {} for one use of {} until {}\n", decided->id,
                                 printable(decided->action), when(decided->expires_at));
    } else {
        std::cout << fmt::format("denied {} ({})\n", decided->id, printable(decided->action));
    }
}

void add_where(CLI::App* cmd, Args& a) {
    cmd->add_option("name", a.name, "sandbox name (as given to kars dev)")->required();
    cmd->add_option("--state-dir", a.state_dir, "state directory (default ~/.kars/sandboxes/NAME)");
}

}  // namespace

void register_approvals_commands(CLI::App& app) {
    auto* group = app.add_subcommand("approvals", "Answer actions held for approval");
    group->require_subcommand(1);
    auto args = std::make_shared<Args>();

    auto* list = group->add_subcommand("list", "Pending (or, with --all, every) request");
    add_where(list, *args);
    list->add_flag("--all", args->all, "Also show answered, used and expired requests");
    list->add_flag("--json", args->json, "Print JSON");
    list->callback([args] { run_list(*args); });

    auto* approve = group->add_subcommand("approve", "Approve one use of a pending action");
    add_where(approve, *args);
    approve->add_option("id", args->id, "approval id (from `kars approvals list`)")->required();
    approve->add_option("--ttl", args->ttl, "how long the approval may wait to be used")
        ->capture_default_str();
    approve->add_option("--note", args->note, "recorded with the decision");
    approve->callback([args] { run_decide(*args, true); });

    auto* deny = group->add_subcommand("deny", "Refuse a pending action");
    add_where(deny, *args);
    deny->add_option("id", args->id, "approval id")->required();
    deny->add_option("--note", args->note, "recorded with the decision");
    deny->callback([args] { run_decide(*args, false); });
}

}  // namespace kars::cli
