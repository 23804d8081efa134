// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include <array>
#include <utility>

#include "core/manifest/sandbox.h"

namespace kars::manifest {
namespace {

struct Variant {
    RuntimeKind kind;
    std::string_view wire_name;  // spec.runtime.kind value
    std::string_view block;      // sibling key holding the variant's settings
};

constexpr std::array<Variant, 9> kVariants = {{
    {RuntimeKind::kOpenClaw, "OpenClaw", "openclaw"},
    {RuntimeKind::kOpenAIAgents, "OpenAIAgents", "openaiAgents"},
    {RuntimeKind::kMicrosoftAgentFramework, "MicrosoftAgentFramework", "microsoftAgentFramework"},
    {RuntimeKind::kSemanticKernel, "SemanticKernel", "semanticKernel"},
    {RuntimeKind::kLangGraph, "LangGraph", "langGraph"},
    {RuntimeKind::kAnthropic, "Anthropic", "anthropic"},
    {RuntimeKind::kPydanticAi, "PydanticAi", "pydanticAi"},
    {RuntimeKind::kHermes, "Hermes", "hermes"},
    {RuntimeKind::kByo, "BYO", "byo"},
}};

std::optional<AgentCode> read_agent_code(FieldReader& r, const Field& f) {
    if (!r.mapping(f)) return std::nullopt;
    AgentCode code;
    Field oci = f.at("oci");
    if (r.mapping(oci)) code.oci_image = r.required_string(oci.at("image"));
    Field git = f.at("git");
    if (r.mapping(git)) {
        GitSource src;
        src.url = r.required_string(git.at("url"));
        src.ref = r.string(git.at("ref")).value_or("");
        src.path = r.string(git.at("path")).value_or("");
        code.git = std::move(src);
    }
    if (r.ok() && code.oci_image.has_value() == code.git.has_value()) {
        r.fail(f.path, "must set exactly one of oci or git");
    }
    return code;
}

// Fields shared by the language-runtime variants (everything except OpenClaw and BYO).
void read_language_runtime(FieldReader& r, const Field& block, RuntimeSpec& out) {
    out.version = r.string(block.at("version"));
    out.language = r.string(block.at("language"));
    out.python_version = r.string(block.at("pythonVersion"));
    out.agent_code = read_agent_code(r, block.at("agentCode"));
    out.entrypoint = r.string_list(block.at("entrypoint"));
    out.extra_env = r.scalar_map(block.at("extraEnv"));
}

void read_openclaw(FieldReader& r, const Field& block, RuntimeSpec& out) {
    out.version = r.string(block.at("version"));
    out.image = r.string(block.at("image"));
    Field config = block.at("config");
    if (r.mapping(config)) out.openclaw_config = to_json(config.node);
    out.extra_env = r.scalar_map(block.at("extraEnv"));
}

void read_byo(FieldReader& r, const Field& block, RuntimeSpec& out) {
    // The CRD requires the byo block, its image and its contract version: a silent default
    // would defeat the declared-contract check the launcher performs.
    if (!r.require(block) || !r.mapping(block)) return;
    out.image = r.required_string(block.at("image"));
    out.contract_version = r.required_string(block.at("contractVersion"));
    out.entrypoint = r.string_list(block.at("command"));
    out.args = r.string_list(block.at("args"));
    Field env = block.at("env");
    if (r.sequence(env)) out.byo_env = to_json(env.node);
}

}  // namespace

std::string_view runtime_kind_name(RuntimeKind kind) {
    for (const auto& v : kVariants) {
        if (v.kind == kind) return v.wire_name;
    }
    return "unknown";
}

RuntimeSpec read_runtime(FieldReader& r, const Field& runtime) {
    RuntimeSpec out;
    if (!r.require(runtime) || !r.mapping(runtime)) return out;

    std::vector<std::string> names;
    for (const auto& v : kVariants) names.emplace_back(v.wire_name);
    Field kind_field = runtime.at("kind");
    r.require(kind_field);
    auto kind = r.enumerated(kind_field, names);
    if (!kind) return out;

    const Variant* selected = nullptr;
    for (const auto& v : kVariants) {
        if (v.wire_name == *kind) selected = &v;
    }
    out.kind = selected->kind;

    // Only the block matching kind may be set; a leftover block would otherwise be ignored
    // silently while its author believes it is in effect.
    for (const auto& v : kVariants) {
        if (&v != selected && runtime.at(v.block).present()) {
            r.fail(runtime.at(v.block).path,
                   "set, but spec.runtime.kind is " + std::string(selected->wire_name));
            return out;
        }
    }

    Field block = runtime.at(selected->block);
    switch (selected->kind) {
        case RuntimeKind::kByo:
            read_byo(r, block, out);
            break;
        case RuntimeKind::kOpenClaw:
            if (r.mapping(block)) read_openclaw(r, block, out);
            break;
        default:
            if (r.mapping(block)) read_language_runtime(r, block, out);
            break;
    }
    return out;
}

}  // namespace kars::manifest
