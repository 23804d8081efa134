// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "cli/eval_cmd.h"

#include <stdlib.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "cli/eval_corpus.h"
#include "cli/eval_runner.h"

namespace kars::cli {

namespace {

namespace fs = std::filesystem;

constexpr int kExitMiss = 1;
constexpr int kExitUsage = 2;

struct EvalArgs {
    std::vector<std::string> corpora;
    std::string manifest;
    std::string name;
    std::string cassette = KARS_DEFAULT_CASSETTE;
    std::vector<std::string> profiles;
    bool json = false;
    bool keep = false;
};

struct CaseResult {
    std::string corpus;
    const EvalCase* c = nullptr;
    Observed got;
    std::string problem;  // empty: pass
    bool errored = false;
};

[[noreturn]] void fail_usage(const std::string& message) {
    std::cerr << "kars eval: " << message << "\n";
    throw CLI::RuntimeError(kExitUsage);
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail_usage("cannot read " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string cell(std::string text, std::size_t width) {
    if (text.size() > width) text = text.substr(0, width - 1) + "~";
    return fmt::format("{:<{}}", text, width);
}

void print_table(const std::vector<CaseResult>& results) {
    std::cout << cell("CASE", 34) << " " << cell("KIND", 15) << " " << cell("WANT", 26) << " "
              << cell("GOT", 26) << " RESULT\n";
    for (const auto& r : results) {
        const auto& c = *r.c;
        std::string want =
            c.want_decision + (c.want_policy_kind.empty() ? "" : "/" + c.want_policy_kind);
        std::string got = r.errored ? "-" : r.got.decision + "/" + r.got.policy_kind;
        std::string verdict = r.errored ? "ERROR" : r.problem.empty() ? "pass" : "FAIL";
        std::cout << cell(c.id, 34) << " " << cell(c.kind, 15) << " " << cell(want, 26) << " "
                  << cell(got, 26) << " " << verdict << "\n";
        if (!r.problem.empty()) std::cout << "    " << r.problem << "\n";
    }
}

void print_json(const std::vector<CaseResult>& results, std::size_t passed) {
    boost::json::array cases;
    for (const auto& r : results) {
        cases.push_back(boost::json::object{
            {"corpus", r.corpus},
            {"id", r.c->id},
            {"kind", r.c->kind},
            {"result", r.errored           ? "error"
                       : r.problem.empty() ? "pass"
                                           : "fail"},
            {"expected",
             {{"decision", r.c->want_decision}, {"byPolicyKind", r.c->want_policy_kind}}},
            {"observed",
             {{"decision", r.got.decision},
              {"policyKind", r.got.policy_kind},
              {"reason", r.got.reason}}},
            {"problem", r.problem}});
    }
    boost::json::object out{{"total", results.size()},
                            {"passed", passed},
                            {"failed", results.size() - passed},
                            {"cases", std::move(cases)}};
    std::cout << boost::json::serialize(out) << "\n";
}

void run_eval(const EvalArgs& args) {
    std::vector<std::pair<std::string, EvalCorpus>> corpora;
    for (const auto& path : args.corpora) {
        auto corpus = parse_corpus(read_text(path), path);
        if (!corpus.ok()) fail_usage(corpus.error().message);
        corpora.emplace_back(path, std::move(*corpus));
    }
    std::string tmpl = (fs::temp_directory_path() / "kars-eval-").string() + std::string(6, 'X');
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) == nullptr) fail_usage("cannot create a work directory in /tmp");
    const fs::path work(buf.data());

    EvalSetup setup;
    setup.manifest = args.manifest;
    setup.sandbox_name = args.name;
    setup.cassette = args.cassette;
    for (const auto& p : args.profiles) setup.profiles.emplace_back(p);
    setup.work_dir = work;
    auto runner = std::make_unique<EvalRunner>();
    auto st = runner->start(setup);
    if (!st.ok()) {
        std::error_code ec;
        if (!args.keep) fs::remove_all(work, ec);
        fail_usage("could not start kars-router for the evaluation: " + st.error().message);
    }

    std::vector<CaseResult> results;
    std::size_t passed = 0;
    for (const auto& [path, corpus] : corpora) {
        for (const auto& c : corpus.cases) {
            CaseResult r{corpus.name, &c, {}, {}, false};
            auto got = runner->run(c);
            if (!got.ok()) {
                r.errored = true;
                r.problem = got.error().message;
            } else {
                r.got = std::move(*got);
                r.problem = compare(c, r.got);
            }
            if (r.problem.empty()) ++passed;
            results.push_back(std::move(r));
        }
    }
    runner->stop();
    if (args.json) {
        print_json(results, passed);
    } else {
        print_table(results);
        std::cout << fmt::format("\n{} of {} cases passed against sandbox {} ({} corpora).\n",
                                 passed, results.size(), runner->sandbox(), corpora.size());
        if (args.keep) std::cout << "router config, log and audit trail kept in " << work << "\n";
    }
    std::error_code ec;
    if (!args.keep) fs::remove_all(work, ec);
    if (passed != results.size()) throw CLI::RuntimeError(kExitMiss);
}

}  // namespace

void register_eval_commands(CLI::App& app) {
    auto* eval = app.add_subcommand("eval", "Check policy decisions against evaluation corpora");
    eval->require_subcommand(1);
    auto args = std::make_shared<EvalArgs>();
    auto* run = eval->add_subcommand(
        "run", "Run corpora against a kars-router built from a manifest; exit 1 on any miss");
    run->add_option("corpus", args->corpora, "Corpus files (JSON, schemaVersion v1)")
        ->required()
        ->check(CLI::ExistingFile);
    run->add_option("-f,--file", args->manifest, "Manifest with the KarsSandbox and its policies")
        ->required()
        ->check(CLI::ExistingFile);
    run->add_option("--name", args->name, "The KarsSandbox to evaluate when there are several");
    run->add_option("--cassette", args->cassette,
                    "Replay cassette for ChatCompletion cases (default: the demo cassette)");
    run->add_option("--profile", args->profiles,
                    "Governance profile file (repeatable; default: the built-in profile)")
        ->check(CLI::ExistingFile);
    run->add_flag("--json", args->json, "Print results as JSON");
    run->add_flag("--keep", args->keep, "Keep the router's config, log and audit trail");
    run->callback([args] { run_eval(*args); });
}

}  // namespace kars::cli
