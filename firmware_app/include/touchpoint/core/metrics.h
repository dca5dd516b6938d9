// One definition of every feedback and footfall metric (docs/metrics.md), used by the kiosk's
// dashboard and by the hub's journey map alike, so that the same events give the same figures
// on the kiosk and centrally.
//
// `Sums` is additive: it is what a dashboard bucket or a hub rollup cell keeps, and any range
// of buckets or cells is summed with Add(). `Compute` turns sums into the figures shown.
// Plain values; thread-compatible.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "touchpoint/core/event.h"
#include "touchpoint/core/flat_map.h"

namespace touchpoint::metrics {

// The answers to one scored question (or the headline of one question type): a count per score
// 0..10 (csat uses 1..5, effort 1..7, nps 0..10).
struct ScoreDist {
  std::array<int64_t, 11> counts{};

  void AddScore(int score);  // a score outside 0..10 is ignored
  void Add(const ScoreDist& o);
  int64_t n() const;
  int64_t sum() const;
  int64_t CountIn(int lo, int hi) const;  // answers with lo <= score <= hi
  std::optional<double> Mean() const;     // nullopt without answers
  // CSAT: % of answers 4 or 5.
  std::optional<double> SatisfiedPct() const;
  // NPS: % promoters (9-10) minus % detractors (0-6), -100..100.
  std::optional<double> Nps() const;
  bool operator==(const ScoreDist&) const = default;
};

// Dwell in one zone (docs/metrics.md, "Dwell"): additive over intervals and kiosks. The mean is
// exact (sum / n); p90 comes from the summed fixed-bucket histogram.
struct DwellSums {
  int64_t n = 0;
  int64_t sum_ms = 0;  // the n visits' dwell, ms (integer: sums in any order are equal)
  DwellHistogram hist{};

  void Add(const DwellSums& o);
  void AddZone(const ZoneStats& z);  // a footfall event's zone (v2)
  DwellSums Negated() const;         // to take a zone's dwell back out of a sum
  std::optional<double> MeanS() const;
  std::optional<double> P90S() const;
  bool operator==(const DwellSums&) const = default;
};

// Crowding bands of a rating's context.occupancy_at_start: 0, 1-2, 3-5, 6-10, 11 and more.
inline constexpr std::array<int64_t, 4> kCrowdBandMax = {0, 2, 5, 10};
inline constexpr size_t kCrowdBands = kCrowdBandMax.size() + 1;
const char* CrowdBandName(size_t band);  // "0", "1-2", "3-5", "6-10", "11+"
size_t CrowdBandOf(int64_t occupancy);

// A scored question as the survey asked it (by question id).
struct QuestionSums {
  QuestionType type = QuestionType::kCsat;
  ScoreDist scores;
  bool operator==(const QuestionSums&) const = default;
};

// Feedback sessions of one kind (not suspect, or flagged suspect by the anti-spam rules).
struct SessionSums {
  int64_t sessions = 0;
  // Headline scores: the FIRST question of each type in a session (the survey's order), so a
  // survey with two CSAT questions contributes one headline CSAT per session.
  ScoreDist csat, nps, effort;
  // Every scored question by its id (a survey may ask several CSAT questions).
  FlatMap<QuestionSums> questions;
  // Per reason (tag id): sessions naming it, and of those the unhappy ones (headline CSAT 1-2,
  // or, without a CSAT answer, headline NPS 0-6). Pain points rank reasons by the latter.
  FlatMap<int64_t> reasons, reasons_unhappy;
  int64_t unhappy = 0;  // sessions that are unhappy by the rule above
  // Crowding (schema v2 context): sessions that carry a context, and their headline CSAT by the
  // band of people in view when they started (CSAT by occupancy band).
  int64_t with_context = 0;
  std::array<ScoreDist, kCrowdBands> csat_by_crowd{};

  void Add(const SessionSums& o);
  void AddFeedback(const FeedbackPayload& f);
  // The same for one session given by its answers and context alone (AddFeedback adds those of
  // f): the hub keeps a feedback event's answers and context, not the whole payload.
  void AddAnswers(const std::vector<Answer>& answers,
                  const std::optional<FeedbackContext>& context = std::nullopt);
  bool operator==(const SessionSums&) const = default;
};

struct Sums {
  // footfall (every line of the kiosk's camera summed)
  int64_t visitors_in = 0, visitors_out = 0;
  int64_t counted_s = 0;  // seconds the camera counted (footfall intervals)
  // feedback
  SessionSums ok;         // sessions not flagged suspect
  SessionSums suspect;    // flagged suspect: kept and counted apart, out of scores by default
  int64_t abandoned = 0;  // feedback_abandoned sessions (never scored)
  // footfall v2: dwell per zone id, every footfall event's zones summed
  FlatMap<DwellSums> dwell;

  void Add(const Sums& o);
  // Adds a footfall event's zones (AddEvent does; the hub's cells call it themselves).
  void AddZones(const std::vector<ZoneStats>& zones);
  // Adds one event: feedback, feedback_abandoned and footfall count; other types are ignored.
  void AddEvent(const Event& e);
  bool operator==(const Sums&) const = default;
};

// The store-local hour an instant belongs to (docs/metrics.md, "Time"): whole hours since
// 1970-01-01T00:00 of the local wall clock, for a UTC time and the offset in force then.
int64_t LocalHourOf(int64_t utc_ms, int32_t offset_min);
// The local hour an event is counted in: its time (a footfall event's: the interval start)
// plus its utc_offset_min. The dashboard's buckets and the hub's cells both use it.
int64_t LocalHourOf(const Event& e);

// The figures shown for a set of sums.
struct Figures {
  int64_t responses = 0;  // scored sessions (suspect ones only when included)
  int64_t suspect = 0;    // sessions flagged suspect (always reported)
  int64_t abandoned = 0;
  int64_t visitors_in = 0, visitors_out = 0;
  std::optional<double> response_rate;  // responses / visitors_in; nullopt without visitors
  SessionSums scored;                   // the sessions the scores come from
  std::optional<double> csat_mean, csat_satisfied_pct, nps, effort_mean;
  int64_t csat_n = 0, nps_n = 0, effort_n = 0;
  // Dwell over every zone together, and per zone id.
  std::optional<double> dwell_mean_s, dwell_p90_s;
  int64_t dwell_n = 0;
  struct ZoneDwell {
    std::optional<double> mean_s, p90_s;
    int64_t n = 0;
  };
  std::map<std::string, ZoneDwell> dwell_by_zone;
  // Crowding: % satisfied (CSAT 4-5) and answers per occupancy band of the scored sessions.
  std::array<std::optional<double>, kCrowdBands> csat_satisfied_pct_by_crowd{};
  std::array<int64_t, kCrowdBands> csat_n_by_crowd{};
};

// Suspect sessions are left out of every score, of `responses` and of the response rate
// unless `include_suspect`.
Figures Compute(const Sums& s, bool include_suspect = false);

}  // namespace touchpoint::metrics
