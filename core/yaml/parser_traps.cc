// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/yaml/parser_traps.h"

#include <cstddef>
#include <string>

namespace kars::yaml {

namespace {

std::size_t indent_of(std::string_view line) {
    std::size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    return i;
}

// Whether a line (comment stripped, trailing space trimmed) ends by opening a block scalar
// (`key: |`, `- >-`, `|2`): the lines after it that are more indented are literal text.
bool opens_block_scalar(std::string_view line) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    std::size_t i = line.size();
    while (i > 0 && (std::isdigit(static_cast<unsigned char>(line[i - 1])) || line[i - 1] == '-' ||
                     line[i - 1] == '+')) {
        --i;
    }
    if (i == 0 || (line[i - 1] != '|' && line[i - 1] != '>')) return false;
    return i == 1 || line[i - 2] == ' ' || line[i - 2] == '\t';
}

}  // namespace

Status reject_parser_traps(std::string_view text) {
    // YAML allows no C0 control character but tab, LF and CR (YAML 1.2 section 5.1), and
    // yaml-cpp 0.7 loops forever on some that hide a trap from the line scan below
    // ("\0,\0", found by the manifest fuzzer).
    std::size_t control_line = 1;
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '\n') ++control_line;
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
            return make_error("invalid_yaml", "line " + std::to_string(control_line) +
                                                  ": control character " + std::to_string(c) +
                                                  " is not allowed in YAML");
        }
    }
    int flow_depth = 0;
    char quote = 0;
    std::size_t block_indent = std::string::npos;  // set while inside a block scalar
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++line_no;

        const std::size_t indent = indent_of(line);
        const bool blank = indent == line.size() || line[indent] == '\r';
        if (block_indent != std::string::npos) {
            if (blank || indent > block_indent) continue;  // literal content
            block_indent = std::string::npos;
        }
        if (blank) continue;
        std::size_t content_end = line.size();
        // True where a block node's content may start: the line start, after "- ", "? ",
        // ": ", or after an anchor or tag. A ',' there is what sends yaml-cpp into a loop.
        bool at_node_start = quote == 0 && flow_depth == 0;
        for (std::size_t i = indent; i < line.size(); ++i) {
            const char c = line[i];
            if (at_node_start && quote == 0 && flow_depth == 0) {
                const bool spaced =
                    i + 1 >= line.size() || line[i + 1] == ' ' || line[i + 1] == '\t';
                if (c == ',') {
                    return make_error("invalid_yaml", "line " + std::to_string(line_no) +
                                                          ": a node cannot start with ','");
                }
                if (c == ' ' || c == '\t') continue;
                if ((c == '-' || c == '?' || c == ':') && spaced) continue;
                if (c == '&' || c == '!') {
                    // Anchor and tag names exclude the flow indicators (YAML 1.2, 6.9.2 and
                    // 6.8.1); yaml-cpp loops on one that holds a ','.
                    while (i + 1 < line.size() && line[i + 1] != ' ' && line[i + 1] != '\t') {
                        ++i;
                        if (std::string_view(",[]{}").find(line[i]) != std::string_view::npos) {
                            return make_error("invalid_yaml",
                                              "line " + std::to_string(line_no) +
                                                  ": an anchor or tag cannot contain ',[]{}'");
                        }
                    }
                    continue;
                }
                at_node_start = false;
            } else if (quote == 0 && flow_depth == 0 && c == ':' &&
                       (i + 1 >= line.size() || line[i + 1] == ' ' || line[i + 1] == '\t')) {
                at_node_start = true;
                continue;
            }
            if (quote != 0) {
                if (quote == '"' && c == '\\') {
                    ++i;
                } else if (c == quote) {
                    if (quote == '\'' && i + 1 < line.size() && line[i + 1] == '\'') {
                        ++i;  // '' is an escaped quote inside single quotes
                    } else {
                        quote = 0;
                    }
                }
                continue;
            }
            if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
                content_end = i;
                break;
            }
            if ((c == '"' || c == '\'') &&
                (i == indent ||
                 std::string_view(" \t[{,:-").find(line[i - 1]) != std::string_view::npos)) {
                quote = c;
            } else if (c == '[' || c == '{') {
                ++flow_depth;
            } else if ((c == ']' || c == '}') && flow_depth > 0) {
                --flow_depth;
            }
        }
        if (quote == 0 && flow_depth == 0 && opens_block_scalar(line.substr(0, content_end))) {
            block_indent = indent;
        }
        if (end == text.size()) break;
    }
    return ok_status();
}

}  // namespace kars::yaml
