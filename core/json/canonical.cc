// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#include "core/json/canonical.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace kars::json {
namespace {

// Decodes UTF-8 into UTF-16 code units. RFC 8785 section 3.2.3 orders member names by their
// UTF-16 form, which differs from byte order for characters above U+FFFF. Returns nullopt for
// ill-formed UTF-8 (overlong forms, encoded surrogates, code points above U+10FFFF), which
// Boost.JSON may hold when a value was built in memory rather than parsed.
// Walks the UTF-8 of `s`, handing each UTF-16 code unit to `emit`; false when ill-formed.
template <typename Emit>
bool decode_utf16(std::string_view s, Emit&& emit) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        std::uint32_t cp = 0;
        std::size_t len = 0;
        std::uint32_t min = 0;
        if (b0 < 0x80) {
            cp = b0, len = 1, min = 0;
        } else if ((b0 & 0xE0) == 0xC0) {
            cp = b0 & 0x1F, len = 2, min = 0x80;
        } else if ((b0 & 0xF0) == 0xE0) {
            cp = b0 & 0x0F, len = 3, min = 0x800;
        } else if ((b0 & 0xF8) == 0xF0) {
            cp = b0 & 0x07, len = 4, min = 0x10000;
        } else {
            return false;
        }
        if (i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (b & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            emit(static_cast<char16_t>(0xD800 + (cp >> 10)));
            emit(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
        } else {
            emit(static_cast<char16_t>(cp));
        }
        i += len;
    }
    return true;
}

std::optional<std::u16string> to_utf16(std::string_view s) {
    std::u16string out;
    out.reserve(s.size());
    if (!decode_utf16(s, [&out](char16_t u) { out.push_back(u); })) return std::nullopt;
    return out;
}

bool valid_utf8(std::string_view s) {
    bool ascii = true;
    for (char c : s) ascii &= static_cast<unsigned char>(c) < 0x80;
    return ascii || decode_utf16(s, [](char16_t) {});
}

// Below U+E000, UTF-16 code units equal code points, and UTF-8 byte order is code point
// order; the orders part only when a name holds U+E000 and above, whose UTF-8 lead bytes are
// 0xEE and up (continuation bytes never reach 0xEE). Most names are ASCII, so the UTF-16
// copy is made only when it matters.
bool byte_order_is_utf16_order(std::string_view s) {
    for (char c : s) {
        if (static_cast<unsigned char>(c) >= 0xEE) return false;
    }
    return true;
}

Error invalid(std::string message) {
    return make_error("invalid_json_value", std::move(message));
}

// RFC 8785 section 3.2.2.2: only '"', '\\' and control characters are escaped; the short forms
// are used where JSON has them, otherwise \u00xx with lower-case hex. Everything else, including
// U+007F and non-ASCII, is emitted as raw UTF-8.
Status write_string(std::string_view s, std::string& out) {
    if (!valid_utf8(s)) return invalid("string is not valid UTF-8");
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out.push_back(kHex[c >> 4]);
                    out.push_back(kHex[c & 0xF]);
                } else {
                    out.push_back(ch);
                }
        }
    }
    out.push_back('"');
    return ok_status();
}

Status write_value(const boost::json::value& v, std::string& out);

Status write_members(const std::vector<const boost::json::key_value_pair*>& members,
                     std::string& out) {
    out.push_back('{');
    bool first = true;
    for (const auto* kv : members) {
        if (!first) out.push_back(',');
        first = false;
        if (auto s = write_string(kv->key(), out); !s) return s;
        out.push_back(':');
        if (auto s = write_value(kv->value(), out); !s) return s;
    }
    out.push_back('}');
    return ok_status();
}

Status write_object(const boost::json::object& obj, std::string& out) {
    std::vector<const boost::json::key_value_pair*> members;
    members.reserve(obj.size());
    bool bytewise = true;
    for (const auto& kv : obj) {
        members.push_back(&kv);
        bytewise = bytewise && byte_order_is_utf16_order(kv.key());
    }
    if (bytewise) {
        std::sort(members.begin(), members.end(),
                  [](const auto* a, const auto* b) { return a->key() < b->key(); });
        return write_members(members, out);
    }
    std::vector<std::pair<std::u16string, const boost::json::key_value_pair*>> keyed;
    keyed.reserve(members.size());
    for (const auto* kv : members) {
        auto key16 = to_utf16(kv->key());
        if (!key16) return invalid("member name is not valid UTF-8");
        keyed.emplace_back(std::move(*key16), kv);
    }
    std::sort(keyed.begin(), keyed.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < keyed.size(); ++i) members[i] = keyed[i].second;
    return write_members(members, out);
}

Status write_value(const boost::json::value& v, std::string& out) {
    switch (v.kind()) {
        case boost::json::kind::null:
            out += "null";
            return ok_status();
        case boost::json::kind::bool_:
            out += v.get_bool() ? "true" : "false";
            return ok_status();
        case boost::json::kind::int64:
            out += std::to_string(v.get_int64());
            return ok_status();
        case boost::json::kind::uint64:
            out += std::to_string(v.get_uint64());
            return ok_status();
        case boost::json::kind::double_: {
            auto n = format_es_number(v.get_double());
            if (!n) return n.error();
            out += *n;
            return ok_status();
        }
        case boost::json::kind::string:
            return write_string(v.get_string(), out);
        case boost::json::kind::array: {
            out.push_back('[');
            bool first = true;
            for (const auto& e : v.get_array()) {
                if (!first) out.push_back(',');
                first = false;
                if (auto s = write_value(e, out); !s) return s;
            }
            out.push_back(']');
            return ok_status();
        }
        case boost::json::kind::object:
            return write_object(v.get_object(), out);
    }
    return invalid("unknown JSON value kind");
}

}  // namespace

Status append_string(std::string_view s, std::string& out) {
    return write_string(s, out);
}

Result<std::string> format_es_number(double d) {
    if (std::isnan(d) || std::isinf(d)) return invalid("NaN and Infinity have no JSON form");
    if (d == 0) return std::string("0");  // covers -0, which ECMAScript prints as "0"

    // std::to_chars without a precision gives the shortest digit string that round-trips,
    // which is the digit selection ECMAScript Number::toString (ECMA-262 7.1.12.1) requires;
    // only the placement of the decimal point and exponent differs, handled below.
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof(buf), std::fabs(d), std::chars_format::scientific);
    if (res.ec != std::errc()) return invalid("number formatting failed");
    std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
    const auto e_pos = sci.find('e');
    std::string digits;
    for (char c : sci.substr(0, e_pos)) {
        if (c != '.') digits.push_back(c);
    }
    int exp10 = 0;
    std::from_chars(sci.data() + e_pos + 1 + (sci[e_pos + 1] == '+' ? 1 : 0),
                    sci.data() + sci.size(), exp10);

    // ECMA-262 names: k digits, value = 0.digits * 10^n.
    const int k = static_cast<int>(digits.size());
    const int n = exp10 + 1;
    std::string out = d < 0 ? "-" : "";
    if (k <= n && n <= 21) {
        out += digits;
        out.append(static_cast<std::size_t>(n - k), '0');
    } else if (0 < n && n <= 21) {
        out += digits.substr(0, static_cast<std::size_t>(n));
        out.push_back('.');
        out += digits.substr(static_cast<std::size_t>(n));
    } else if (-6 < n && n <= 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-n), '0');
        out += digits;
    } else {
        out.push_back(digits[0]);
        if (k > 1) {
            out.push_back('.');
            out += digits.substr(1);
        }
        out.push_back('e');
        out.push_back(n - 1 < 0 ? '-' : '+');
        out += std::to_string(std::abs(n - 1));
    }
    return out;
}

Result<std::string> canonicalize(const boost::json::value& v) {
    std::string out;
    if (auto s = write_value(v, out); !s) return s.error();
    return out;
}

}  // namespace kars::json
