// Limits that hold before untrusted text is parsed, and safe echoing of that text in messages.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "touchpoint/core/status.h"

namespace touchpoint {

// Input text quoted in an error message or log line: at most max_bytes of it, with control
// characters (C0, DEL and C1) written as \u00XX and bytes that are not UTF-8 as \xNN, so a
// reject reason cannot carry a newline or a terminal escape. Longer text ends in "...".
std::string EscapeForMessage(std::string_view text, size_t max_bytes = 80);

// "\"<escaped>\"".
std::string QuoteForMessage(std::string_view text, size_t max_bytes = 80);

// A linear scan, no allocation, before a JSON text is handed to a parser: kInvalidArgument
// "<what>: <n> bytes exceeds the limit of <max_bytes>" or "<what>: nested deeper than
// <max_depth> levels" (arrays and objects, strings skipped). Says nothing about the rest of
// the syntax: the parser still checks that.
Status CheckJsonBounds(std::string_view text, size_t max_bytes, int max_depth,
                       std::string_view what);

}  // namespace touchpoint
