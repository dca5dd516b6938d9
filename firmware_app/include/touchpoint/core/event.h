// The event model, wire format v1 (documented in docs/events.md).
//
// An Event is a header (who, when, which sequence number) plus one typed payload. Events are
// created by the kiosk's components (ui, sensors, app), stamped by an EventStamper, given their
// sequence number by the EventStore at the moment they become durable, and carried to the hub
// as JSON (event_json.h). Plain values: copyable, no thread affinity.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace touchpoint {

inline constexpr int kSchemaVersion = 1;

enum class EventType { kFeedback, kFeedbackAbandoned, kFootfall, kCoverage, kStatus };
const char* EventTypeName(EventType t);  // "feedback", "feedback_abandoned", ...
std::optional<EventType> ParseEventType(const std::string& name);

// ---- feedback -------------------------------------------------------------------------------

enum class QuestionType { kCsat, kNps, kEffort, kTags, kText };
const char* QuestionTypeName(QuestionType t);  // "csat", "nps", "effort", "tags", "text"
std::optional<QuestionType> ParseQuestionType(const std::string& name);

// Valid answer range of a scored question type: csat 1..5, nps 0..10, effort 1..7.
struct ScoreRange {
  int min;
  int max;
};
std::optional<ScoreRange> ScoreRangeOf(QuestionType t);

struct Answer {
  std::string question_id;
  QuestionType type = QuestionType::kCsat;
  std::optional<int> score;       // csat / nps / effort
  std::vector<std::string> tags;  // tags: ids of the chosen reasons
  std::string text;               // text: only when the survey enables free text
};

struct FeedbackPayload {
  std::string survey_id;
  int survey_version = 0;
  std::string language;  // BCP 47, e.g. "en", "de-CH"
  int64_t duration_ms = 0;
  std::vector<Answer> answers;
  bool suspect = false;        // anti-spam: rapid repeated sessions are flagged, never dropped
  std::string suspect_reason;  // empty unless suspect
};

struct FeedbackAbandonedPayload {
  std::string survey_id;
  int survey_version = 0;
  std::string language;
  int64_t duration_ms = 0;
  int questions_total = 0;
  int questions_answered = 0;    // how far the shopper got
  std::string last_question_id;  // the question shown when the session timed out
  std::vector<Answer> answers;   // what was answered before the timeout
};

// ---- footfall -------------------------------------------------------------------------------

struct LineCount {
  std::string line;  // configured line name
  int64_t in = 0;
  int64_t out = 0;
};

struct FootfallPayload {
  int64_t interval_start_ms = 0;  // UTC, ms since the Unix epoch
  int32_t interval_s = 60;
  std::vector<LineCount> lines;
  int64_t occupancy_min = 0;
  int64_t occupancy_max = 0;
  int64_t occupancy_end = 0;
  // Set when the store merged finer intervals into this one to stay within its disk budget:
  // the sequence numbers of the footfall events it replaces (the hub drops those if it has them).
  std::vector<uint64_t> compacted_seqs;
};

// ---- coverage -------------------------------------------------------------------------------

// An interval during which a source was NOT counting, so that the hub can tell a real zero
// from missing data.
struct CoveragePayload {
  std::string source;  // "camera" or "kiosk"
  int64_t start_ms = 0;
  int64_t end_ms = 0;  // > start_ms
  std::string reason;  // e.g. "camera_open_failed", "kiosk_down", "frame_timeout"
};

// ---- status ---------------------------------------------------------------------------------

struct StatusPayload {
  std::string software_version;
  std::string config_version;
  int64_t uptime_s = 0;
  int64_t queue_depth = 0;           // events not yet acknowledged by the hub
  int64_t oldest_pending_age_s = 0;  // 0 when nothing is pending
  std::optional<int64_t> last_hub_ack_ms;
  std::string camera_state;  // "ok", "retrying", "off", ...
  double camera_fps = 0;
  int64_t db_bytes = 0;
  int64_t disk_budget_bytes = 0;
  int64_t feedback_lost = 0;          // feedback that could not be stored (disk full, I/O)
  int64_t events_lost = 0;            // any event that could not be stored
  int64_t events_pruned = 0;          // acknowledged events removed for the disk budget
  int64_t footfall_compacted = 0;     // footfall intervals merged for the disk budget
  std::vector<std::string> problems;  // human-readable, e.g. "database was corrupt: moved to ..."
};

using Payload = std::variant<FeedbackPayload, FeedbackAbandonedPayload, FootfallPayload,
                             CoveragePayload, StatusPayload>;

struct Event {
  int schema_version = kSchemaVersion;
  std::string id;  // UUIDv7, lower-case canonical form
  std::string kiosk_id;
  std::string store_id;
  std::string touchpoint;     // where the kiosk stands, e.g. "checkout"
  std::string journey_stage;  // e.g. "purchase"
  uint64_t seq = 0;           // per-kiosk, monotonic, never reused; 0 = not yet stored
  uint32_t boot_count = 0;
  int64_t time_ms = 0;         // event time, UTC ms since the Unix epoch
  int32_t utc_offset_min = 0;  // local offset at event time
  bool clock_synced = false;   // whether the clock was NTP-synced when stamped
  Payload payload;

  EventType type() const { return static_cast<EventType>(payload.index()); }
};

}  // namespace touchpoint
