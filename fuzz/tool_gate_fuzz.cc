// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
// Fuzzes the tool gates with upstream-shaped JSON. Input: a dialect byte, then events
// separated by '\n' (each "type\tjson", the type may be empty). Beyond "no crash", it
// checks the property the router relies on: with every tool denied, no event the stream
// gate releases, and no complete answer after gating, still carries a tool call in a form
// the SDKs would run (chat tool_calls with a name, a tool_use block, a function_call item).

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/serialize.hpp>

#include "core/json/parse.h"
#include "router/tools/offered_tools.h"
#include "router/tools/proposed_tools.h"
#include "router/tools/stream_gate.h"

namespace {

using namespace kars::router::tools;

ToolVerdict deny_all(std::string_view, ToolPhase) {
    return {false, "fuzz"};
}

bool carries_tool_call(const boost::json::value& v, int depth = 0) {
    if (depth > 64) return false;
    if (const auto* o = v.if_object()) {
        if (const auto* t = o->if_contains("type"); t && t->is_string()) {
            const auto& type = t->as_string();
            if ((type == "tool_use" || type == "function_call") && o->contains("name")) return true;
        }
        if (const auto* calls = o->if_contains("tool_calls"); calls && calls->is_array()) {
            for (const auto& c : calls->as_array()) {
                const auto* fn = c.is_object() ? c.as_object().if_contains("function") : nullptr;
                if (fn && fn->is_object() && fn->as_object().contains("name")) return true;
            }
        }
        for (const auto& [k, child] : *o) {
            (void)k;
            if (carries_tool_call(child, depth + 1)) return true;
        }
    } else if (const auto* a = v.if_array()) {
        for (const auto& child : *a) {
            if (carries_tool_call(child, depth + 1)) return true;
        }
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const auto dialect = static_cast<Dialect>(data[0] % 3);
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);

    ToolStreamGate gate(dialect, deny_all);
    std::vector<GatedEvent> out;
    while (!rest.empty()) {
        auto nl = rest.find('\n');
        auto line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        auto tab = line.find('\t');
        std::string_view type =
            tab == std::string_view::npos ? std::string_view() : line.substr(0, tab);
        std::string_view body = tab == std::string_view::npos ? line : line.substr(tab + 1);
        auto parsed = kars::json::parse(body);
        if (!parsed.ok()) continue;

        auto whole = *parsed;  // the same JSON as a complete answer
        gate_proposed_tools(whole, dialect, deny_all);
        if (dialect == Dialect::kMessages && whole.is_object()) {
            if (const auto* content = whole.as_object().if_contains("content");
                content && content->is_array()) {
                for (const auto& b : content->as_array()) {
                    auto t = kars::json::string_field(b, "type");
                    if (t && *t == "tool_use") std::abort();
                }
            }
        }
        if (dialect == Dialect::kChat && whole.is_object()) {
            if (const auto* choices = whole.as_object().if_contains("choices");
                choices && choices->is_array()) {
                for (const auto& c : choices->as_array()) {
                    const auto* m = c.is_object() ? c.as_object().if_contains("message") : nullptr;
                    if (!m || !m->is_object()) continue;
                    const auto* calls = m->as_object().if_contains("tool_calls");
                    const auto* legacy = m->as_object().if_contains("function_call");
                    if ((calls && calls->is_array()) || (legacy && legacy->is_object())) {
                        std::abort();
                    }
                }
            }
        }
        if (whole.is_object()) {
            auto request = whole;
            (void)filter_offered_tools(request.as_object(), dialect, deny_all);
        }

        gate.on_event(type, std::move(*parsed), body, out);
    }
    gate.finish(out);
    if (dialect == Dialect::kChat) {
        for (const auto& e : out) {
            const auto* choices =
                e.data.is_object() ? e.data.as_object().if_contains("choices") : nullptr;
            if (!choices || !choices->is_array()) continue;
            for (const auto& c : choices->as_array()) {
                const auto* delta = c.is_object() ? c.as_object().if_contains("delta") : nullptr;
                if (delta && carries_tool_call(*delta)) std::abort();
            }
        }
    }
    return 0;
}
