// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/mcp_cmd.h"

#include <filesystem>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "cli/credential_store.h"
#include "cli/terminal_text.h"
#include "core/mcp/tool_pin.h"

namespace kars::cli {

namespace {

namespace fs = std::filesystem;

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

struct Args {
    std::string name;
    std::string state_dir;
    std::string pins_file;
    std::string server;
    std::string tool;
    std::string digest;
    bool json = false;
    bool show = false;
};

[[noreturn]] void fail(const std::string& message, int code = kExitFailed) {
    std::cerr << "kars mcp: " << printable(message) << "\n";
    throw CLI::RuntimeError(code);
}

// The router of `kars dev` keeps its pins beside its audit log in the sandbox's state
// directory; a router run by hand names its file in mcp.pins_file, given here with --pins.
std::string pins_path(const Args& a) {
    if (!a.pins_file.empty()) {
        if (!fs::exists(a.pins_file)) fail("no pin file " + a.pins_file);
        return a.pins_file;
    }
    auto state = sandbox_state_dir(a.name, a.state_dir);
    if (!state.ok()) fail(state.error().message, kExitUsage);
    if (!fs::exists(*state)) fail("no sandbox named " + a.name + " (no " + state->string() + ")");
    auto path = *state / "mcp-pins.json";
    if (!fs::exists(path)) fail("sandbox " + a.name + " has pinned no MCP tools yet");
    return path.string();
}

void run_pins(const Args& a) {
    mcp::PinStore store(pins_path(a));
    auto pins = store.list();
    if (!pins.ok()) fail(pins.error().message);
    if (a.json) {
        boost::json::array out;
        for (const auto& p : *pins) {
            out.push_back(boost::json::object{{"server", p.server},
                                              {"tool", p.tool},
                                              {"digest", p.digest},
                                              {"pinned_at", p.pinned_at},
                                              {"drifted", !p.observed_digest.empty()},
                                              {"observed_digest", p.observed_digest},
                                              {"observed_at", p.observed_at},
                                              {"definition", p.definition},
                                              {"observed_definition", p.observed_definition}});
        }
        std::cout << boost::json::serialize(out) << "\n";
        return;
    }
    if (pins->empty()) {
        std::cout << "no pinned tools\n";
        return;
    }
    std::cout << fmt::format("{:<20}  {:<28}  {:<8}  {:<16}  {}\n", "SERVER", "TOOL", "STATE",
                             "DIGEST", "PINNED");
    for (const auto& p : *pins) {
        const bool drifted = !p.observed_digest.empty();
        std::cout << fmt::format("{:<20}  {:<28}  {:<8}  {:<16}  {}\n", printable(p.server),
                                 printable(p.tool), drifted ? "DRIFTED" : "pinned",
                                 p.digest.substr(0, 16), p.pinned_at);
        if (drifted) {
            std::cout << "    changed to " << p.observed_digest.substr(0, 16) << " at "
                      << p.observed_at << "; blocked until `kars mcp approve " << a.name << " "
                      << printable(p.server) << " " << printable(p.tool) << " "
                      << p.observed_digest.substr(0, 16) << "`\n";
        }
        if (a.show) {
            std::cout << "    pinned:  "
                      << printable(p.definition.empty() ? "(not recorded)" : p.definition) << "\n";
            if (drifted) {
                std::cout << "    changed: "
                          << printable(p.observed_definition.empty() ? "(not recorded)"
                                                                     : p.observed_definition)
                          << "\n";
            }
        }
    }
}

void run_approve(const Args& a) {
    mcp::PinStore store(pins_path(a));
    auto st = store.approve(a.server, a.tool, a.digest);
    if (!st.ok()) fail(st.error().message);
    std::cout << "accepted the new definition of " << printable(a.server) << "/"
              << printable(a.tool) << "; the gateway serves it again from its next tools/list\n";
}

void add_where(CLI::App* cmd, Args& a) {
    cmd->add_option("name", a.name, "sandbox name (as given to kars dev)")->required();
    cmd->add_option("--state-dir", a.state_dir, "state directory (default ~/.kars/sandboxes/NAME)");
    cmd->add_option("--pins", a.pins_file, "pin file of a router run by hand (mcp.pins_file)");
}

}  // namespace

void register_mcp_commands(CLI::App& app) {
    auto* group = app.add_subcommand("mcp", "MCP gateway: pinned tool definitions");
    group->require_subcommand(1);
    auto args = std::make_shared<Args>();

    auto* pins = group->add_subcommand("pins", "Pinned tool definitions, drifted ones flagged");
    add_where(pins, *args);
    pins->add_flag("--json", args->json, "Print JSON");
    pins->add_flag("--show", args->show, "Also print each definition (pinned and changed)");
    pins->callback([args] { run_pins(*args); });

    auto* approve = group->add_subcommand("approve", "Accept a drifted tool definition");
    add_where(approve, *args);
    approve->add_option("server", args->server, "McpServer name")->required();
    approve->add_option("tool", args->tool, "tool name as the server calls it")->required();
    approve
        ->add_option("digest", args->digest,
                     "the changed definition's digest (or its first 8+ characters) as "
                     "reviewed with `kars mcp pins --show`; if the tool changed again "
                     "since, nothing is approved")
        ->required();
    approve->callback([args] { run_approve(*args); });
}

}  // namespace kars::cli
