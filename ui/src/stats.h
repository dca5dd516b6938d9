// Aggregation of stored events into local-time hourly buckets of the core metric sums. Used by
// the dashboard and the CSV export. Pure, no ImGui.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "touchpoint/core/event.h"
#include "touchpoint/core/metrics.h"

namespace touchpoint::ui {

// Key: local time of the hour's start, as ms since the epoch in local "wall" terms
// (utc_ms + offset), floored to the hour. Each bucket holds the core metric sums
// (touchpoint/core/metrics.h), the same the hub's rollup cells hold.
class HourlyStats {
 public:
  void Add(const Event& e);
  const std::map<int64_t, metrics::Sums>& hours() const { return hours_; }
  // Sum over local hours in [from_local_ms, to_local_ms).
  metrics::Sums Sum(int64_t from_local_ms, int64_t to_local_ms) const;

 private:
  std::map<int64_t, metrics::Sums> hours_;
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
