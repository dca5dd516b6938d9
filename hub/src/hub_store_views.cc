// The views over the rollup cells (HubStore::View): cells only, read per dim by primary key
// range (dim_key, hour_local), so a store-month reads that store's month and nothing else; views
// by day, week, store or in total over whole local days read the day level (24x fewer rows).
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <unordered_set>

#include "calendar.h"
#include "hub_store_queries.h"
#include "rollups.h"

namespace touchpoint::hub {

namespace {

using rollups::FloorDiv;
using rollups::kHourMs;

int64_t CeilDiv(int64_t a, int64_t b) { return -FloorDiv(-a, b); }

// Offsets are within +-14 h (the event decoder's range): a UTC range is widened by this many
// hours to find its local hours, then each cell is checked exactly.
constexpr int64_t kOffsetSlackHours = 15;
constexpr int64_t kUnbounded = int64_t{1} << 50;  // hours; far beyond any valid event time

// Asks for transparent huge pages for the whole 2 MiB pages of a large buffer about to be filled
// (the map's rows over every store: ~200k rows of ~2 KB): one page fault per 2 MiB rather than
// per 4 KiB, which was a third of that view's time. Advice only: ignored where unsupported.
void AdviseHugePages(void* data, size_t bytes) {
#ifdef MADV_HUGEPAGE
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  if (bytes < 4 * kHuge) return;
  auto begin = reinterpret_cast<uintptr_t>(data);
  uintptr_t first = (begin + kHuge - 1) & ~(kHuge - 1), last = (begin + bytes) & ~(kHuge - 1);
  if (last > first) (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

struct StmtDeleter {
  void operator()(sqlite3_stmt* st) const { sqlite3_finalize(st); }
};

}  // namespace

std::vector<ReasonRow> PainPoints(const metrics::Sums& sums, bool include_suspect) {
  metrics::SessionSums s = sums.ok;
  if (include_suspect) s.Add(sums.suspect);
  std::vector<ReasonRow> out;
  for (const auto& [reason, n] : s.reasons) {
    auto u = s.reasons_unhappy.find(reason);
    out.push_back({reason, n, u == s.reasons_unhappy.end() ? 0 : u->second});
  }
  std::sort(out.begin(), out.end(), [](const ReasonRow& a, const ReasonRow& b) {
    if (a.unhappy != b.unhappy) return a.unhappy > b.unhappy;
    if (a.sessions != b.sessions) return a.sessions > b.sessions;
    return a.reason < b.reason;
  });
  return out;
}

namespace queries {

Result<std::vector<ViewRow>> View(sql::Database* db, const ViewFilter& f, ViewBy by) {
  struct Dim {
    int64_t key;
    std::string store, touchpoint, stage;
  };
  // Over every store, the views that do not keep stores apart read the chain levels (one dim per
  // touchpoint x stage): their sums are those of every store's cells.
  bool chain = f.stores.empty() && by != ViewBy::kCell && by != ViewBy::kStore;
  std::vector<Dim> dims;
  {
    std::unordered_set<std::string> stores(f.stores.begin(), f.stores.end());
    auto st = db->Prepare(
        chain ? "SELECT chain_key, '', touchpoint, stage FROM chain_dims ORDER BY touchpoint, stage"
              : "SELECT dim_key, store, touchpoint, stage FROM dims "
                "ORDER BY store, touchpoint, stage");
    if (!st.ok()) return st.status();
    Status rows = st->ForEachRow([&] {
      Dim d{st->ColumnInt(0), st->ColumnText(1), st->ColumnText(2), st->ColumnText(3)};
      if (!stores.empty() && !stores.count(d.store)) return;
      if (!f.touchpoint.empty() && d.touchpoint != f.touchpoint) return;
      if (!f.stage.empty() && d.stage != f.stage) return;
      dims.push_back(std::move(d));
    });
    if (!rows.ok()) return rows;
  }
  bool utc = f.basis == ViewFilter::Basis::kUtc;
  int64_t lo = -kUnbounded, hi = kUnbounded;  // local hours [lo, hi)
  // Far beyond any event time either way (and no overflow below).
  auto bounded = [](int64_t t) { return std::clamp<int64_t>(t, -kUnbounded, kUnbounded); };
  if (f.from_ms) {
    int64_t from = bounded(*f.from_ms);
    lo = utc ? FloorDiv(from, kHourMs) - kOffsetSlackHours : CeilDiv(from, kHourMs);
  }
  if (f.to_ms) {
    int64_t to = bounded(*f.to_ms);
    hi = utc ? CeilDiv(to, kHourMs) + kOffsetSlackHours : CeilDiv(to, kHourMs);
  }
  sqlite3_stmt* raw = nullptr;
  // Views by day, week, store or in total over whole local days read the day level.
  auto whole_day = [](const std::optional<int64_t>& t) { return !t || *t % (24 * kHourMs) == 0; };
  bool days = !utc && whole_day(f.from_ms) && whole_day(f.to_ms) &&
              (by == ViewBy::kLocalDay || by == ViewBy::kIsoWeek || by == ViewBy::kStore ||
               by == ViewBy::kJourney || by == ViewBy::kTotal);
  const char* table =
      rollups::kLevelTables[(chain ? rollups::kChainHourLevel : 0) + (days ? 1 : 0)];
  std::string q = std::string("SELECT hour_local, utc_offset_min, ") + rollups::kCellValueColumns +
                  " FROM " + table +
                  " WHERE dim_key = ?1 AND hour_local >= ?2 AND hour_local < ?3 "
                  "ORDER BY hour_local, utc_offset_min";
  int rc = sqlite3_prepare_v2(db->handle(), q.c_str(), -1, &raw, nullptr);
  std::unique_ptr<sqlite3_stmt, StmtDeleter> st(raw);
  if (rc != SQLITE_OK) return sql::FromSqlite(rc, "prepare cells view", db->handle());

  std::vector<ViewRow> cells;                                           // kCell
  std::map<std::pair<std::string, int64_t>, rollups::CellSums> groups;  // the other views
  if (by == ViewBy::kCell) {
    // A ViewRow is large (~1 KB: the sums' distributions): count the rows first and build them
    // in place, rather than moving every row on each growth of the vector.
    sqlite3_stmt* raw_count = nullptr;
    std::string count = std::string("SELECT COUNT(*) FROM ") + table +
                        " WHERE dim_key = ?1 AND hour_local >= ?2 AND hour_local < ?3";
    rc = sqlite3_prepare_v2(db->handle(), count.c_str(), -1, &raw_count, nullptr);
    std::unique_ptr<sqlite3_stmt, StmtDeleter> counter(raw_count);
    if (rc != SQLITE_OK) return sql::FromSqlite(rc, "prepare cells count", db->handle());
    size_t rows = 0;
    for (const Dim& d : dims) {
      sqlite3_reset(counter.get());
      rc = sqlite3_bind_int64(counter.get(), 1, d.key);
      if (rc == SQLITE_OK) rc = sqlite3_bind_int64(counter.get(), 2, lo);
      if (rc == SQLITE_OK) rc = sqlite3_bind_int64(counter.get(), 3, hi);
      if (rc != SQLITE_OK) return sql::FromSqlite(rc, "cells count: bind", nullptr);
      rc = sqlite3_step(counter.get());
      if (rc != SQLITE_ROW) return sql::FromSqlite(rc, "cells count", db->handle());
      rows += static_cast<size_t>(sqlite3_column_int64(counter.get(), 0));
    }
    cells.reserve(rows);
    AdviseHugePages(cells.data(), cells.capacity() * sizeof(ViewRow));
  }
  // Consecutive cells mostly fall in the same group (a store's cells, a day's hours).
  std::pair<std::string, int64_t> last_key;
  rollups::CellSums* last = nullptr;
  auto group = [&](const std::string& store, int64_t k) {
    if (!last || last_key.second != k || last_key.first != store) {
      last_key = {store, k};
      last = &groups[last_key];
    }
    return last;
  };
  static const std::string kNone;
  for (const Dim& d : dims) {
    sqlite3_reset(st.get());
    rc = sqlite3_bind_int64(st.get(), 1, d.key);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st.get(), 2, lo);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st.get(), 3, hi);
    if (rc != SQLITE_OK) return sql::FromSqlite(rc, "cells view: bind", nullptr);
    while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
      int64_t hour = sqlite3_column_int64(st.get(), 0);
      auto offset = static_cast<int32_t>(sqlite3_column_int64(st.get(), 1));
      if (utc) {
        int64_t start = hour * kHourMs - int64_t{offset} * rollups::kMinuteMs;
        if ((f.from_ms && start < *f.from_ms) || (f.to_ms && start >= *f.to_ms)) continue;
      }
      int64_t day = FloorDiv(hour, 24);
      auto corrupt = [&](const Status& s) {
        return Status::Corruption(std::string(table) + " of " +
                                  (chain ? std::string("every store") : d.store) + "/" +
                                  d.touchpoint + "/" + d.stage + " at local hour " +
                                  std::to_string(hour) + ": " + s.message());
      };
      if (by == ViewBy::kCell) {  // built in place (dims in name order, cells in key order)
        ViewRow& r = cells.emplace_back();
        r.store = d.store;
        r.touchpoint = d.touchpoint;
        r.stage = d.stage;
        r.local_ms = hour * kHourMs;
        r.utc_offset_min = offset;
        r.weekday = IsoWeekday(day);
        r.hour = static_cast<int>(hour - day * 24);
        if (Status s = rollups::AddCellRow(st.get(), 2, &r.sums, &r.gap_s); !s.ok()) {
          return corrupt(s);
        }
        continue;
      }
      rollups::CellSums* to = nullptr;
      switch (by) {
        case ViewBy::kCell:
          break;
        case ViewBy::kLocalDay:
          to = group(kNone, day);
          break;
        case ViewBy::kIsoWeek:
          to = group(kNone, day - (IsoWeekday(day) - 1));
          break;
        case ViewBy::kWeekdayHour:
          to = group(kNone, IsoWeekday(day) * 24 + (hour - day * 24));
          break;
        case ViewBy::kStore:
          to = group(d.store, 0);
          break;
        case ViewBy::kJourney:
          to = group(d.touchpoint + '\x1f' + d.stage, 0);  // ids never hold control characters
          break;
        case ViewBy::kTotal:
          to = group(kNone, 0);
          break;
      }
      if (f.gaps_only) {
        // kCellValueColumns from column 2: visitors_in, visitors_out, counted_s, gap_s, ...
        to->gap_s += sqlite3_column_int64(st.get(), 5);
        continue;
      }
      if (Status s = rollups::AddCellRow(st.get(), 2, to); !s.ok()) return corrupt(s);
    }
    if (rc != SQLITE_DONE) return sql::FromSqlite(rc, "cells view", db->handle());
  }
  if (by == ViewBy::kCell) return cells;  // dims in name order, cells in key order
  std::vector<ViewRow> out;
  for (auto& [key, c] : groups) {
    ViewRow r;
    switch (by) {
      case ViewBy::kLocalDay:
        r.local_ms = key.second * 24 * kHourMs;
        break;
      case ViewBy::kIsoWeek:
        r.local_ms = key.second * 24 * kHourMs;
        IsoWeekOf(key.second, &r.iso_year, &r.iso_week);
        break;
      case ViewBy::kWeekdayHour:
        r.weekday = static_cast<int>(key.second / 24);
        r.hour = static_cast<int>(key.second % 24);
        break;
      case ViewBy::kStore:
        r.store = key.first;
        break;
      case ViewBy::kJourney: {
        size_t sep = key.first.find('\x1f');
        r.touchpoint = key.first.substr(0, sep);
        r.stage = key.first.substr(sep + 1);
        break;
      }
      case ViewBy::kCell:
      case ViewBy::kTotal:
        break;
    }
    r.sums = std::move(c.sums);
    r.gap_s = c.gap_s;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace queries

}  // namespace touchpoint::hub
