// Aggregation of stored events into local-time hourly buckets: visitors in/out, responses,
// CSAT / NPS / effort, reasons. Used by the dashboard and the CSV export. Pure, no ImGui.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "touchpoint/core/event.h"

namespace touchpoint::ui {

struct ScoreSums {
  int64_t csat_sum = 0, csat_n = 0, csat_satisfied = 0;  // satisfied: 4 or 5
  int64_t nps_promoters = 0, nps_detractors = 0, nps_n = 0;
  int64_t effort_sum = 0, effort_n = 0;
  void Add(const ScoreSums& o);
  double CsatMean() const { return csat_n ? static_cast<double>(csat_sum) / csat_n : 0; }
  double CsatPercent() const { return csat_n ? 100.0 * csat_satisfied / csat_n : 0; }
  // -100..100
  double Nps() const {
    return nps_n ? 100.0 * static_cast<double>(nps_promoters - nps_detractors) / nps_n : 0;
  }
  double EffortMean() const { return effort_n ? static_cast<double>(effort_sum) / effort_n : 0; }
};

struct Bucket {
  int64_t visitors_in = 0, visitors_out = 0;
  int64_t responses = 0;  // feedback events not flagged suspect
  int64_t flagged = 0;    // feedback flagged suspect (kept out of the scores)
  int64_t abandoned = 0;
  ScoreSums scores;
  void Add(const Bucket& o);
};

// Key: local time of the hour's start, as ms since the epoch in local "wall" terms
// (utc_ms + offset), floored to the hour.
class HourlyStats {
 public:
  void Add(const Event& e);
  const std::map<int64_t, Bucket>& hours() const { return hours_; }
  const std::map<std::string, int64_t>& reasons() const { return reasons_; }
  // Sum over local hours in [from_local_ms, to_local_ms).
  Bucket Sum(int64_t from_local_ms, int64_t to_local_ms) const;
  // Reason counts of non-suspect feedback in a local time range.
  std::map<std::string, int64_t> Reasons(int64_t from_local_ms, int64_t to_local_ms) const;

 private:
  std::map<int64_t, Bucket> hours_;
  std::map<std::string, int64_t> reasons_;
  std::vector<std::pair<int64_t, std::string>> reason_log_;  // (local ms, tag) for ranges
};

inline constexpr int64_t kHourMs = 3'600'000;
inline constexpr int64_t kDayMs = 24 * kHourMs;

// Local midnight (in local-ms terms) of the day containing local_ms.
inline int64_t LocalDayStart(int64_t local_ms) {
  int64_t d = local_ms / kDayMs;
  if (local_ms < 0 && local_ms % kDayMs != 0) --d;
  return d * kDayMs;
}

// "2026-11-23" and the hour 0..23 of a local-ms time.
std::string LocalDate(int64_t local_ms);
int LocalHour(int64_t local_ms);

}  // namespace touchpoint::ui
