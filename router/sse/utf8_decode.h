// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
#pragma once

// The WHATWG Encoding "UTF-8 decode" step that the HTML event-stream parser applies to its
// input, done one complete line at a time. CR, LF and ':' are never part of a multi-byte
// sequence, so decoding a line after splitting gives the same text as decoding the stream
// before splitting, and a chunk boundary inside a character cannot change the result.

#include <string>
#include <string_view>

namespace kars::router::sse {

// Appends `bytes` to `out`, copying well-formed UTF-8 sequences unchanged and writing one
// U+FFFD for each maximal ill-formed subpart (WHATWG Encoding, section 8.1.1).
void append_utf8_decoded(std::string& out, std::string_view bytes);

}  // namespace kars::router::sse
