// Private: day numbers (days since 1970-01-01) and the ISO 8601 week, for the hub's views and
// its web API. std::chrono's civil calendar does the arithmetic.
#pragma once

#include <chrono>
#include <cstdint>

namespace touchpoint::hub {

// ISO weekday (1 Monday .. 7 Sunday) of a day number (1970-01-01 was a Thursday).
inline int IsoWeekday(int64_t day) { return static_cast<int>(((day + 3) % 7 + 7) % 7) + 1; }

// ISO year and week (1..53) of the week starting on `monday` (a day number).
inline void IsoWeekOf(int64_t monday, int* year, int* week) {
  using namespace std::chrono;
  sys_days thursday{days{monday + 3}};  // the ISO year is the Thursday's year
  year_month_day ymd{thursday};
  sys_days jan1{ymd.year() / January / 1};
  *year = static_cast<int>(ymd.year());
  *week = static_cast<int>((thursday - jan1).count() / 7 + 1);
}

}  // namespace touchpoint::hub
