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
// The same, and when the event is refused *claimed_seq is the seq it claims if it is valid JSON
// with a seq in range (for the reject record: one pass, the text is not parsed again), else 0.
Result<Event> DecodeEvent(std::string_view json, uint64_t* claimed_seq);
// The same into *out, which a caller decoding many events keeps and passes again (the hub's
// decode threads): no Event is built, moved and destroyed per call. On success every field of
// *out is set from `json`; on error *out holds a partly decoded event.
Status DecodeEventInto(std::string_view json, Event* out, uint64_t* claimed_seq = nullptr);

// Limits DecodeEvent enforces (docs/events.md). An event's text is refused whole above
// kMaxEventBytes, before any parsing.
inline constexpr size_t kMaxEventBytes = 1024 * 1024;
// compacted_seqs: the kiosk merges at most one hour of intervals of >= 1 s into one event
// (event_store.cc, MergeHour), so 3,600; the cap leaves room for that and no more.
inline constexpr size_t kMaxCompactedSeqs = 10000;

// RFC 3339 UTC with milliseconds, e.g. "2026-11-23T10:15:00.250Z".
std::string FormatUtcMs(int64_t ms);
std::optional<int64_t> ParseUtcMs(std::string_view text);

}  // namespace touchpoint
