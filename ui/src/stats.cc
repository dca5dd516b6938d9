#include "stats.h"

#include <cstdio>
#include <ctime>

namespace touchpoint::ui {

void HourlyStats::Add(const Event& e) {
  int64_t offset_ms = static_cast<int64_t>(e.utc_offset_min) * 60'000;
  int64_t local = e.time_ms + offset_ms;
  if (const auto* ff = std::get_if<FootfallPayload>(&e.payload)) {
    local = ff->interval_start_ms + offset_ms;
  }
  int64_t hour = LocalDayStart(local) + (local - LocalDayStart(local)) / kHourMs * kHourMs;
  hours_[hour].AddEvent(e);
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
