// JSON encoding and strict decoding of events (wire format v1, docs/events.md).
// Thread-safe: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "touchpoint/core/event.h"
#include "touchpoint/core/status.h"

namespace touchpoint {

// One compact JSON object, no trailing newline.
std::string EncodeEvent(const Event& e);

// Strict: every required field present with the right type and range, no unknown fields,
// schema_version == 1. On error the Status (kInvalidArgument) names the field path and why,
// e.g. "data.answers[2].score: 11 is out of range 1..5 for csat".
Result<Event> DecodeEvent(std::string_view json);

// RFC 3339 UTC with milliseconds, e.g. "2026-11-23T10:15:00.250Z".
std::string FormatUtcMs(int64_t ms);
std::optional<int64_t> ParseUtcMs(std::string_view text);

}  // namespace touchpoint
