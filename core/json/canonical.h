// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// RFC 8785 JSON Canonicalization Scheme (JCS). The audit log hashes and signs canonical bytes,
// so two parties that agree on a JSON value agree on its hash without agreeing on whitespace,
// member order or number spelling.

#include <string>

#include <boost/json/value.hpp>

#include "core/result.h"

namespace kars::json {

// Serialises `v` per RFC 8785: members sorted by the UTF-16 code units of their names, only
// the mandatory string escapes, doubles in ECMAScript Number-to-String form. Integers stored
// as int64/uint64 are printed as plain decimal (identical to JCS for |n| <= 2^53).
// Errors ("invalid_json_value"): NaN or infinite doubles, strings that are not valid UTF-8.
// Exact for the doubles it is given; note that Boost.JSON 1.81's parser may round decimal
// input one ulp off, so JCS of *parsed* non-integral numbers can differ from other
// implementations. Audit entries contain no such numbers.
Result<std::string> canonicalize(const boost::json::value& v);

// Appends `s` as a canonical JSON string (quotes and the mandatory escapes only), for callers
// that write a fixed-shape object member by member. Error ("invalid_json_value") for
// invalid UTF-8; `out` may then hold a partial string.
Status append_string(std::string_view s, std::string& out);

// ECMAScript Number::toString for a finite double (RFC 8785 section 3.2.2.3); "-0" prints "0".
// Error ("invalid_json_value") for NaN and infinities, which JSON cannot represent.
Result<std::string> format_es_number(double d);

}  // namespace kars::json
