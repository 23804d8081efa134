// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/manifest/manifest.h"
#include "core/yaml/parser_traps.h"

#include <fstream>
#include <iterator>
#include <map>
#include <tuple>
#include <utility>

#include <yaml-cpp/yaml.h>

namespace kars::manifest {
namespace {

struct Loader {
    std::string file;
    Manifest manifest;
    // (canonical kind, namespace, name) -> first document declaring it.
    std::map<std::tuple<std::string, std::string, std::string>, std::size_t> seen;
};

Error located(const Loader& l, std::size_t document, const Error& e) {
    return make_error(e.code, l.file + ": document " + std::to_string(document) + ": " + e.message);
}

Error located(const Loader& l, std::size_t document, std::string code, const std::string& msg) {
    return located(l, document, make_error(std::move(code), msg));
}

bool is_kars_kind(std::string_view kind) {
    return kind == kSandboxKind || kind == kLegacySandboxKind || kind == kInferencePolicyKind ||
           kind == kToolPolicyKind || kind == kEgressApprovalKind || kind == kMcpServerKind;
}

// Reads apiVersion or kind, which every Kubernetes document must carry as a string.
Result<std::string> header_string(const YAML::Node& doc, std::string_view key) {
    Field f = Field{doc, ""}.at(key);
    if (!f.present()) return make_error("invalid_manifest", f.path + ": required field is missing");
    ValueType t = value_type(f.node);
    if (t != ValueType::kString) {
        return make_error("invalid_manifest",
                          f.path + ": expected string, got " + std::string(type_name(t)));
    }
    return f.node.Scalar();
}

Status check_unique(Loader& l, std::size_t document, std::string_view kind, const ObjectMeta& m) {
    std::string canonical(kind == kLegacySandboxKind ? kSandboxKind : kind);
    auto [it, inserted] = l.seen.emplace(std::tuple{canonical, m.namespace_name, m.name}, document);
    if (inserted) return ok_status();
    return located(l, document, "invalid_manifest",
                   canonical + "/" + m.name + ": duplicate of document " +
                       std::to_string(it->second) + " (same kind, namespace and name)");
}

// Parses one kars.azure.com/v1alpha1 document of a kind kars reads.
Status load_kars_resource(Loader& l, const YAML::Node& doc, std::size_t document,
                          const std::string& kind) {
    FieldReader reader(resource_label(doc, kind));
    Field root{doc, ""};
    SourceRef source{l.file, document};
    ObjectMeta meta;

    if (kind == kSandboxKind || kind == kLegacySandboxKind) {
        KarsSandbox s = read_sandbox(reader, root);
        s.source = source;
        s.kind = kind;
        meta = s.metadata;
        if (reader.ok()) l.manifest.sandboxes.push_back(std::move(s));
    } else if (kind == kInferencePolicyKind) {
        InferencePolicyResource p = read_inference_policy(reader, root);
        p.source = source;
        meta = p.metadata;
        if (reader.ok()) l.manifest.inference_policies.push_back(std::move(p));
    } else if (kind == kEgressApprovalKind) {
        EgressApproval a = read_egress_approval(reader, root);
        a.source = source;
        meta = a.metadata;
        if (reader.ok()) l.manifest.egress_approvals.push_back(std::move(a));
    } else {
        OpaqueResource o{source, read_object_meta(reader, root), nullptr};
        Field spec = root.at("spec");
        if (spec.present()) o.spec = to_json(spec.node);
        meta = o.metadata;
        auto& target = kind == kToolPolicyKind ? l.manifest.tool_policies : l.manifest.mcp_servers;
        if (reader.ok()) target.push_back(std::move(o));
    }
    if (!reader.ok()) return located(l, document, reader.error());
    return check_unique(l, document, kind, meta);
}

Status load_document(Loader& l, const YAML::Node& doc, std::size_t document) {
    if (!doc.IsDefined() || doc.IsNull()) return ok_status();  // "---" with nothing after it
    if (Status s = check_document(doc); !s.ok()) return located(l, document, s.error());
    if (!doc.IsMap()) {
        return located(l, document, "invalid_manifest",
                       "expected a mapping with apiVersion and kind, got " +
                           std::string(type_name(value_type(doc))));
    }
    auto api_version = header_string(doc, "apiVersion");
    if (!api_version.ok()) return located(l, document, api_version.error());
    auto kind = header_string(doc, "kind");
    if (!kind.ok()) return located(l, document, kind.error());

    std::string_view api = *api_version;
    std::size_t slash = api.find('/');
    std::string_view group =
        slash == std::string_view::npos ? std::string_view() : api.substr(0, slash);
    bool kars_group = group == kGroup;
    if ((kars_group || is_kars_kind(*kind)) && api != kApiVersion) {
        // A kars kind under another group, or another version of the kars group: reading it
        // with v1alpha1 rules would guess at a schema we do not know.
        return located(l, document, "unsupported_api_version",
                       resource_label(doc, *kind) + ": apiVersion: expected " +
                           std::string(kApiVersion) + ", got \"" + *api_version + "\"");
    }
    if (kars_group && is_kars_kind(*kind)) return load_kars_resource(l, doc, document, *kind);

    ForeignResource f{{l.file, document}, *api_version, *kind, "", to_json(doc)};
    Field name = Field{doc, ""}.at("metadata").at("name");
    if (value_type(name.node) == ValueType::kString) f.name = name.node.Scalar();
    l.manifest.other.push_back(std::move(f));
    return ok_status();
}

}  // namespace

Result<Manifest> load_manifest_string(std::string_view text, std::string_view source_name) {
    Loader l;
    l.file = std::string(source_name);
    if (text.size() > kMaxManifestBytes) {
        return make_error("invalid_manifest",
                          l.file + ": larger than " + std::to_string(kMaxManifestBytes) + " bytes");
    }
    if (auto trap = yaml::reject_parser_traps(text); !trap.ok()) {
        return make_error("invalid_yaml", l.file + ": " + trap.error().message);
    }
    // yaml-cpp reports syntax errors, depth overruns and bad conversions by throwing; they
    // stop here so callers only ever see a Result.
    try {
        std::vector<YAML::Node> docs = YAML::LoadAll(std::string(text));
        for (std::size_t i = 0; i < docs.size(); ++i) {
            if (Status s = load_document(l, docs[i], i + 1); !s.ok()) return s.error();
        }
    } catch (const YAML::Exception& e) {
        std::string where = e.mark.is_null()
                                ? std::string()
                                : "line " + std::to_string(e.mark.line + 1) + ", column " +
                                      std::to_string(e.mark.column + 1) + ": ";
        return make_error("invalid_yaml", l.file + ": " + where + "invalid YAML: " + e.msg);
    } catch (const std::exception& e) {
        return make_error("invalid_yaml", l.file + ": cannot load manifest: " + e.what());
    }
    return std::move(l.manifest);
}

Result<Manifest> load_manifest_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error("invalid_manifest", path.string() + ": cannot open file");
    std::string text;
    char buffer[64 * 1024];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        text.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (text.size() > kMaxManifestBytes) {
            return make_error("invalid_manifest", path.string() + ": larger than " +
                                                      std::to_string(kMaxManifestBytes) + " bytes");
        }
    }
    if (in.bad()) return make_error("invalid_manifest", path.string() + ": read error");
    return load_manifest_string(text, path.string());
}

}  // namespace kars::manifest
