// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/yaml/parser_traps.h"

#include <iconv.h>

#include <array>
#include <cerrno>
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

// YAML text is Unicode (YAML 1.2 section 5.2); yaml-cpp 0.7 can loop on malformed UTF-8.
// glibc's iconv does the validation: converting UTF-8 to UTF-8 stops at the first bad
// sequence.
bool valid_utf8(std::string_view text) {
    iconv_t cd = ::iconv_open("UTF-8", "UTF-8");
    if (cd == reinterpret_cast<iconv_t>(-1)) return false;
    char* in = const_cast<char*>(text.data());
    std::size_t in_left = text.size();
    std::array<char, 4096> buf{};
    bool ok = true;
    while (in_left > 0) {
        char* out = buf.data();
        std::size_t out_left = buf.size();
        if (::iconv(cd, &in, &in_left, &out, &out_left) == static_cast<std::size_t>(-1) &&
            errno != E2BIG) {
            ok = false;  // EILSEQ: invalid sequence; EINVAL: truncated at the end
            break;
        }
    }
    ::iconv_close(cd);
    return ok;
}

}  // namespace

Status reject_parser_traps(std::string_view text) {
    if (!valid_utf8(text)) {
        return make_error("invalid_yaml", "the text is not valid UTF-8");
    }
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
    std::size_t open_line = 0;  // where the outermost open quote or flow collection began
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
        // Set when a quoted scalar or flow collection closed in block context on this line:
        // a ',' after it (before a ':' starts a value) is invalid YAML, and yaml-cpp loops
        // on "'a',b" and "[a],".
        bool after_quoted = false;
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
                after_quoted = false;
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
                        after_quoted = flow_depth == 0;
                    }
                }
                continue;
            }
            if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
                content_end = i;
                break;
            }
            if (c == ',' && after_quoted && flow_depth == 0) {
                return make_error("invalid_yaml", "line " + std::to_string(line_no) +
                                                      ": ',' cannot follow a quoted scalar "
                                                      "outside a flow collection");
            }
            if ((c == '"' || c == '\'') &&
                (i == indent ||
                 std::string_view(" \t[{,:-").find(line[i - 1]) != std::string_view::npos)) {
                quote = c;
                if (flow_depth == 0) open_line = line_no;
            } else if (c == '[' || c == '{') {
                if (flow_depth == 0) open_line = line_no;
                ++flow_depth;
            } else if ((c == ']' || c == '}') && flow_depth > 0) {
                --flow_depth;
                after_quoted = flow_depth == 0;  // "[a], b" loops like "'a', b"
            }
        }
        if (quote == 0 && flow_depth == 0 && opens_block_scalar(line.substr(0, content_end))) {
            block_indent = indent;
        }
        if (end == text.size()) break;
    }
    if (flow_depth > 0 || quote != 0) {
        // yaml-cpp 0.7 can loop looking for the end of an unclosed collection or quote.
        return make_error("invalid_yaml", "line " + std::to_string(open_line) +
                                              ": invalid YAML: the " +
                                              (quote != 0 ? "quoted scalar" : "flow collection") +
                                              " opened here is never closed");
    }
    return ok_status();
}

}  // namespace kars::yaml
