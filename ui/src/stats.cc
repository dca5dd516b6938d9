#include "stats.h"

#include <cstdio>
#include <ctime>

namespace touchpoint::ui {

void HourlyStats::Add(const Event& e) {
  // The same local hour the hub's rollup cells use (metrics::LocalHourOf).
  hours_[metrics::LocalHourOf(e) * kHourMs].AddEvent(e);
}

metrics::Sums HourlyStats::Sum(int64_t from_local_ms, int64_t to_local_ms) const {
  metrics::Sums total;
  for (auto it = hours_.lower_bound(from_local_ms); it != hours_.end() && it->first < to_local_ms;
       ++it) {
    total.Add(it->second);
  }
  return total;
}

std::string LocalDate(int64_t local_ms) {
  time_t secs = static_cast<time_t>(LocalDayStart(local_ms) / 1000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

int LocalHour(int64_t local_ms) {
  return static_cast<int>((local_ms - LocalDayStart(local_ms)) / kHourMs);
}

}  // namespace touchpoint::ui
