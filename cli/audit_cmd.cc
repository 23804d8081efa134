// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/audit_cmd.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "cli/terminal_text.h"
#include "core/audit/entry.h"
#include "core/audit/line_reader.h"
#include "core/audit/verify.h"
#include "core/json/parse.h"

namespace kars::cli {
namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

boost::json::value finding_json(const audit::Finding& f) {
    return boost::json::object{{"line", f.line}, {"code", f.code}, {"message", f.message}};
}

boost::json::object report_json(const std::string& path, const audit::VerifyReport& r) {
    boost::json::object o;
    o["log"] = path;
    o["ok"] = r.ok();
    boost::json::object integrity{
        {"ok", r.integrity_ok}, {"lines", r.lines}, {"entries", r.entries}};
    if (r.head) {
        integrity["head_seq"] = r.head->seq;
        integrity["head_hash"] = r.head->hash;
    }
    if (r.integrity_failure) integrity["failure"] = finding_json(*r.integrity_failure);
    integrity["partial_tail_bytes"] = r.partial_tail_bytes;
    o["integrity"] = std::move(integrity);

    boost::json::object completeness{{"ok", r.completeness_ok},
                                     {"checkpoints", r.checkpoints},
                                     {"signatures", audit::to_string(r.signatures)}};
    if (!r.key_id.empty()) completeness["key_id"] = r.key_id;
    if (!r.key_source.empty()) completeness["key_source"] = r.key_source;
    if (r.last_checkpoint) {
        completeness["last_checkpoint"] =
            boost::json::object{{"seq", r.last_checkpoint->seq},
                                {"size", r.last_checkpoint->size},
                                {"head_hash", r.last_checkpoint->head_hash}};
    }
    boost::json::array failures;
    for (const auto& f : r.completeness_failures) failures.push_back(finding_json(f));
    completeness["failures"] = std::move(failures);
    o["completeness"] = std::move(completeness);
    return o;
}

void print_report(const std::string& path, const audit::VerifyReport& r) {
    std::cout << "audit log:    " << printable(path) << "\n";
    if (r.integrity_ok) {
        std::cout << fmt::format("integrity:    PASS ({} entries", r.entries);
        if (r.head) std::cout << fmt::format(", head seq {} hash {}", r.head->seq, r.head->hash);
        std::cout << ")\n";
    } else {
        const auto& f = *r.integrity_failure;
        std::cout << fmt::format("integrity:    FAIL at line {}: {}: {}\n", f.line, f.code,
                                 printable(f.message));
    }
    if (r.partial_tail_bytes > 0) {
        std::cout << fmt::format(
            "partial tail: WARNING {} bytes after the last newline (a write torn by a crash; "
            "never acknowledged, not tampering)\n",
            r.partial_tail_bytes);
    }

    if (r.checkpoints == 0) {
        std::cout << "checkpoints:  none (removal of the newest entries would go unnoticed)";
    } else {
        std::cout << fmt::format("checkpoints:  {} read, signatures {}", r.checkpoints,
                                 audit::to_string(r.signatures));
    }
    if (!r.key_id.empty()) {
        std::cout << fmt::format(" (key {} from {})", r.key_id, printable(r.key_source));
    } else if (r.checkpoints > 0) {
        std::cout << " (no public key: pass --public-key to check signatures)";
    }
    std::cout << "\n";
    if (r.completeness_ok) {
        std::cout << "completeness: PASS";
        if (r.last_checkpoint) {
            std::cout << fmt::format(" (last checkpoint seq {}, {} bytes)", r.last_checkpoint->seq,
                                     r.last_checkpoint->size);
        }
        std::cout << "\n";
    } else {
        std::cout << "completeness: FAIL\n";
        for (const auto& f : r.completeness_failures) {
            std::cout << fmt::format("  checkpoints line {}: {}: {}\n", f.line, f.code,
                                     printable(f.message));
        }
    }
    std::cout << "result:       " << (r.ok() ? "OK" : "FAILED") << "\n";
}

struct VerifyArgs {
    std::string file;
    std::string public_key;
    std::string checkpoints;
    bool json = false;
};

void run_verify(const VerifyArgs& args) {
    auto report =
        audit::verify_log(audit::VerifyOptions{args.file, args.checkpoints, args.public_key});
    if (!report) {
        std::cerr << "kars audit verify: " << printable(report.error().message) << "\n";
        throw CLI::RuntimeError(kExitUsage);
    }
    if (args.json) {
        std::cout << json::to_string(report_json(args.file, *report)) << "\n";
    } else {
        print_report(args.file, *report);
    }
    if (!report->ok()) throw CLI::RuntimeError(kExitFailed);
}

std::string tail_line(const audit::Entry& e) {
    return fmt::format("{} #{} {} {} {} {}", e.ts, e.seq, printable(e.event.sandbox),
                       printable(e.event.decision), printable(e.event.action),
                       printable(e.event.reason));
}

struct TailArgs {
    std::string file;
    std::size_t lines = 10;
    bool follow = false;
};

// Prints the entry on `line`, or a note on stderr if it is not a valid entry. Tail is for
// reading; `audit verify` is what checks the chain.
std::optional<std::string> render(const audit::LineReader::Line& line) {
    if (line.too_long) {
        std::cerr << fmt::format("line {}: longer than the maximum entry size\n", line.number);
        return std::nullopt;
    }
    auto e = audit::parse_entry_line(line.text);
    if (!e) {
        std::cerr << fmt::format("line {}: not a valid entry ({})\n", line.number, e.error().code);
        return std::nullopt;
    }
    return tail_line(*e);
}

void run_tail(const TailArgs& args) {
    std::unique_ptr<std::FILE, decltype(&std::fclose)> file(std::fopen(args.file.c_str(), "rb"),
                                                            std::fclose);
    if (!file) {
        std::cerr << fmt::format("kars audit tail: cannot open {}: {}\n", printable(args.file),
                                 std::strerror(errno));
        throw CLI::RuntimeError(kExitUsage);
    }
    audit::LineReader reader(file.get(), audit::kMaxLineBytes);
    std::deque<audit::LineReader::Line> last;
    while (auto line = reader.next()) {
        last.push_back(std::move(*line));
        if (last.size() > args.lines) last.pop_front();
    }
    for (const auto& line : last) {
        if (auto text = render(line)) std::cout << *text << "\n";
    }
    std::cout.flush();
    if (!args.follow) return;

    // Polling keeps this portable and needs no inotify; a quarter second is below what a
    // person watching notices.
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        while (auto line = reader.next()) {
            if (auto text = render(*line)) std::cout << *text << std::endl;
        }
    }
}

}  // namespace

void register_audit_commands(CLI::App& app) {
    auto* audit = app.add_subcommand("audit", "Verify and read tamper-evident audit logs");
    audit->require_subcommand(1);

    auto verify_args = std::make_shared<VerifyArgs>();
    auto* verify = audit->add_subcommand(
        "verify", "Check a log's hash chain (integrity) and signed checkpoints (completeness)");
    verify->add_option("file", verify_args->file, "Audit log file")->required();
    verify->add_option("--public-key", verify_args->public_key,
                       "PEM Ed25519 public key for checkpoint signatures (default: <file>.key.pub "
                       "if present)");
    verify->add_option("--checkpoints", verify_args->checkpoints,
                       "Checkpoints file (default: <file>.checkpoints)");
    verify->add_flag("--json", verify_args->json, "Print the report as JSON");
    verify->callback([verify_args] { run_verify(*verify_args); });

    auto tail_args = std::make_shared<TailArgs>();
    auto* tail = audit->add_subcommand("tail", "Print the newest entries of an audit log");
    tail->add_option("file", tail_args->file, "Audit log file")->required();
    tail->add_option("-n,--lines", tail_args->lines, "Number of entries to print")
        ->capture_default_str();
    tail->add_flag("-f,--follow", tail_args->follow, "Keep printing entries as they are added");
    tail->callback([tail_args] { run_tail(*tail_args); });
}

}  // namespace kars::cli
