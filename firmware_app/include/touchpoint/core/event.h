// The event model, wire format v2 (documented in docs/events.md; v1 events are still read).
//
// An Event is a header (who, when, which sequence number) plus one typed payload. Events are
// created by the kiosk's components (ui, sensors, app), stamped by an EventStamper, given their
// sequence number by the EventStore at the moment they become durable, and carried to the hub
// as JSON (event_json.h). Plain values: copyable, no thread affinity.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace touchpoint {

// What kiosks write. Version 1 (no footfall zones, no feedback context) is accepted forever.
inline constexpr int kSchemaVersion = 2;
inline constexpr int kMinSchemaVersion = 1;

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

// The crowd around a rating (schema v2): what the camera saw when the session started.
struct FeedbackContext {
  int64_t occupancy_at_start = 0;  // confirmed people in view when the session started
  int64_t visitors_in_15min = 0;   // "in" crossings of every line in the 15 min before it
  // People in footfall.kiosk_zone when the session started; nullopt without a kiosk zone.
  std::optional<int64_t> people_at_kiosk;
  bool operator==(const FeedbackContext&) const = default;
};

struct FeedbackPayload {
  std::string survey_id;
  int survey_version = 0;
  std::string language;  // BCP 47, e.g. "en", "de-CH"
  int64_t duration_ms = 0;
  std::vector<Answer> answers;
  bool suspect = false;        // anti-spam: rapid repeated sessions are flagged, never dropped
  std::string suspect_reason;  // empty unless suspect
  // v2: nullopt when the kiosk had no counting camera (written as null); v1 events: nullopt.
  std::optional<FeedbackContext> context;
};

struct FeedbackAbandonedPayload {
  std::string survey_id;
  int survey_version = 0;
  std::string language;
  int64_t duration_ms = 0;
  int questions_total = 0;
  int questions_answered = 0;              // how far the shopper got
  std::string last_question_id;            // the question shown when the session timed out
  std::vector<Answer> answers;             // what was answered before the timeout
  std::optional<FeedbackContext> context;  // as FeedbackPayload::context
};

// ---- footfall -------------------------------------------------------------------------------

struct LineCount {
  std::string line;  // configured line name
  int64_t in = 0;
  int64_t out = 0;
};

// Inline: the sensors pipeline uses them without core's compiled code.
// Dwell histogram buckets (schema v2): bucket i counts visits with dwell < kDwellBucketUpperS[i]
// seconds (and >= the bound before it); the last bucket counts the rest (>= 3600 s). Fixed, so
// histograms of any intervals and kiosks add up (docs/metrics.md, "Dwell").
inline constexpr std::array<int, 11> kDwellBucketUpperS = {5,   10,  20,   30,   60,  120,
                                                           300, 600, 1200, 1800, 3600};
inline constexpr size_t kDwellBuckets = kDwellBucketUpperS.size() + 1;
using DwellHistogram = std::array<int64_t, kDwellBuckets>;
// The bucket a dwell of `seconds` is counted in.
inline size_t DwellBucketOf(double seconds) {
  size_t i = 0;
  while (i < kDwellBucketUpperS.size() && seconds >= kDwellBucketUpperS[i]) ++i;
  return i;
}

// The q-quantile (0..1) of the dwell times a histogram counts, interpolated linearly inside the
// bucket it falls in (the open last bucket answers its lower bound); nullopt when empty.
inline std::optional<double> DwellQuantileOf(const DwellHistogram& hist, double q) {
  int64_t n = 0;
  for (int64_t c : hist) n += c;
  if (n <= 0) return std::nullopt;
  // The rank wanted (1-based, nearest-rank) and the bucket holding it.
  const double rank = std::max(1.0, std::ceil(q * static_cast<double>(n)));
  int64_t below = 0;
  for (size_t i = 0; i < hist.size(); ++i) {
    if (hist[i] == 0) continue;
    if (static_cast<double>(below + hist[i]) >= rank) {
      const double lo = i == 0 ? 0.0 : kDwellBucketUpperS[i - 1];
      if (i == kDwellBucketUpperS.size()) return lo;
      const double hi = kDwellBucketUpperS[i];
      return lo + (hi - lo) * (rank - static_cast<double>(below)) / static_cast<double>(hist[i]);
    }
    below += hist[i];
  }
  return static_cast<double>(kDwellBucketUpperS.back());
}

// One configured zone over one interval (schema v2).
struct ZoneStats {
  std::string id;             // footfall.zones[].id
  int64_t visits = 0;         // visits that ended in the interval
  int64_t occupancy_max = 0;  // people in the zone at once, over the processed frames
  double occupancy_mean = 0;  // the mean of that over the processed frames
  std::optional<double> dwell_mean_s, dwell_p90_s;  // nullopt when dwell_n == 0
  int64_t dwell_n = 0;          // visits whose dwell is measured (== visits from a kiosk)
  DwellHistogram dwell_hist{};  // sums to dwell_n
  bool operator==(const ZoneStats&) const = default;
};

inline constexpr size_t kMaxZones = 16;

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
  std::vector<ZoneStats> zones;  // v2: per configured zone (<= kMaxZones); v1: empty
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

// The person size the camera counts with (schema v2 status): a standing person's height in
// source pixels with the feet at the top / bottom edge of the frame, and where it comes from.
struct PersonSize {
  std::string source;        // "configured", "learned" (from tracks seen) or "learning" (heights 0)
  double height_top_px = 0;  // may be negative: a straight line through the observed rows
  double height_bottom_px = 0;
  bool operator==(const PersonSize&) const = default;
};

struct StatusPayload {
  std::string software_version;
  std::string config_version;
  int64_t uptime_s = 0;
  int64_t queue_depth = 0;           // events not yet acknowledged by the hub
  int64_t oldest_pending_age_s = 0;  // 0 when nothing is pending
  std::optional<int64_t> last_hub_ack_ms;
  std::string camera_state;  // "ok", "retrying", "off", ...
  double camera_fps = 0;
  std::optional<PersonSize> camera_person_size;  // v2; nullopt: no counting camera
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
