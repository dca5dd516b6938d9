// The views over the rollup cells (HubStore::View): cells only, read per dim by primary key
// range (dim_key, hour_local), so a store-month reads that store's month and nothing else; views
// by day, week, store or in total over whole local days read the day level (24x fewer rows).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
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

namespace {

// A dim (store x touchpoint x stage, or touchpoint x stage over every store) a view reads.
struct Dim {
  int64_t key;
  std::string store, touchpoint, stage;
};

// What a view reads: its dims in name order, the local hours [lo, hi) of each, from which level.
struct Scan {
  std::vector<Dim> dims;
  int64_t lo = -kUnbounded, hi = kUnbounded;
  bool utc = false, chain = false;
  const char* table = nullptr;
};

Result<Scan> PlanScan(sql::Database* db, const ViewFilter& f, ViewBy by) {
  Scan scan;
  // Over every store, the views that do not keep stores apart read the chain levels (one dim per
  // touchpoint x stage): their sums are those of every store's cells.
  scan.chain = f.stores.empty() && by != ViewBy::kCell && by != ViewBy::kStore;
  {
    std::unordered_set<std::string> stores(f.stores.begin(), f.stores.end());
    auto st = db->Prepare(
        scan.chain
            ? "SELECT chain_key, '', touchpoint, stage FROM chain_dims ORDER BY touchpoint, stage"
            : "SELECT dim_key, store, touchpoint, stage FROM dims "
              "ORDER BY store, touchpoint, stage");
    if (!st.ok()) return st.status();
    Status rows = st->ForEachRow([&] {
      Dim d{st->ColumnInt(0), st->ColumnText(1), st->ColumnText(2), st->ColumnText(3)};
      if (!stores.empty() && !stores.count(d.store)) return;
      if (!f.touchpoint.empty() && d.touchpoint != f.touchpoint) return;
      if (!f.stage.empty() && d.stage != f.stage) return;
      scan.dims.push_back(std::move(d));
    });
    if (!rows.ok()) return rows;
  }
  scan.utc = f.basis == ViewFilter::Basis::kUtc;
  // Far beyond any event time either way (and no overflow below).
  auto bounded = [](int64_t t) { return std::clamp<int64_t>(t, -kUnbounded, kUnbounded); };
  if (f.from_ms) {
    int64_t from = bounded(*f.from_ms);
    scan.lo = scan.utc ? FloorDiv(from, kHourMs) - kOffsetSlackHours : CeilDiv(from, kHourMs);
  }
  if (f.to_ms) {
    int64_t to = bounded(*f.to_ms);
    scan.hi = scan.utc ? CeilDiv(to, kHourMs) + kOffsetSlackHours : CeilDiv(to, kHourMs);
  }
  // Views by day, week, store or in total over whole local days read the day level.
  auto whole_day = [](const std::optional<int64_t>& t) { return !t || *t % (24 * kHourMs) == 0; };
  bool days = !scan.utc && whole_day(f.from_ms) && whole_day(f.to_ms) &&
              (by == ViewBy::kLocalDay || by == ViewBy::kIsoWeek || by == ViewBy::kStore ||
               by == ViewBy::kJourney || by == ViewBy::kTotal);
  scan.table = rollups::kLevelTables[(scan.chain ? rollups::kChainHourLevel : 0) + (days ? 1 : 0)];
  return scan;
}

// Steps over the selected cells of every dim of `scan`, in key order: row(dim, local hour,
// offset, statement) for each cell in the filter's range, its value columns
// (rollups::kCellValueColumns) from column 2. A row's error stops the scan, located by cell.
template <typename Row>
Status ScanCells(sql::Database* db, const Scan& scan, const ViewFilter& f, Row&& row) {
  sqlite3_stmt* raw = nullptr;
  std::string q = std::string("SELECT hour_local, utc_offset_min, ") + rollups::kCellValueColumns +
                  " FROM " + scan.table +
                  " WHERE dim_key = ?1 AND hour_local >= ?2 AND hour_local < ?3 "
                  "ORDER BY hour_local, utc_offset_min";
  int rc = sqlite3_prepare_v2(db->handle(), q.c_str(), -1, &raw, nullptr);
  std::unique_ptr<sqlite3_stmt, StmtDeleter> st(raw);
  if (rc != SQLITE_OK) return sql::FromSqlite(rc, "prepare cells view", db->handle());
  for (const Dim& d : scan.dims) {
    sqlite3_reset(st.get());
    rc = sqlite3_bind_int64(st.get(), 1, d.key);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st.get(), 2, scan.lo);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st.get(), 3, scan.hi);
    if (rc != SQLITE_OK) return sql::FromSqlite(rc, "cells view: bind", nullptr);
    while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
      int64_t hour = sqlite3_column_int64(st.get(), 0);
      auto offset = static_cast<int32_t>(sqlite3_column_int64(st.get(), 1));
      if (scan.utc) {
        int64_t start = hour * kHourMs - int64_t{offset} * rollups::kMinuteMs;
        if ((f.from_ms && start < *f.from_ms) || (f.to_ms && start >= *f.to_ms)) continue;
      }
      if (Status s = row(d, hour, offset, st.get()); !s.ok()) {
        return Status::Corruption(std::string(scan.table) + " of " +
                                  (scan.chain ? std::string("every store") : d.store) + "/" +
                                  d.touchpoint + "/" + d.stage + " at local hour " +
                                  std::to_string(hour) + ": " + s.message());
      }
    }
    if (rc != SQLITE_DONE) return sql::FromSqlite(rc, "cells view", db->handle());
  }
  return Status::Ok();
}

}  // namespace

Status ForEachCell(sql::Database* db, const ViewFilter& f,
                   const std::function<Status(const ViewRow&)>& fn) {
  auto scan = PlanScan(db, f, ViewBy::kCell);
  if (!scan.ok()) return scan.status();
  // One row, reused: its keys change with the dim, its sums are cleared per cell.
  ViewRow r;
  const Dim* dim = nullptr;
  Status caller;
  auto row = [&](const Dim& d, int64_t hour, int32_t offset, sqlite3_stmt* st) {
    if (dim != &d) {
      dim = &d;
      r.store = d.store;
      r.touchpoint = d.touchpoint;
      r.stage = d.stage;
    }
    int64_t day = FloorDiv(hour, 24);
    r.local_ms = hour * kHourMs;
    r.utc_offset_min = offset;
    r.weekday = IsoWeekday(day);
    r.hour = static_cast<int>(hour - day * 24);
    if (Status bad = rollups::ReadCellRow(st, 2, &r.sums, &r.gap_s); !bad.ok()) return bad;
    caller = fn(r);
    return caller;
  };
  Status s = ScanCells(db, *scan, f, row);
  return caller.ok() ? s : caller;  // the caller's own error as it gave it
}

Result<std::vector<ViewRow>> View(sql::Database* db, const ViewFilter& f, ViewBy by) {
  if (by == ViewBy::kCell) {
    std::vector<ViewRow> cells;  // dims in name order, cells in key order
    Status s = ForEachCell(db, f, [&](const ViewRow& r) {
      cells.push_back(r);
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return cells;
  }
  auto scan = PlanScan(db, f, by);
  if (!scan.ok()) return scan.status();
  std::map<std::pair<std::string, int64_t>, rollups::CellSums> groups;
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
  Status s =
      ScanCells(db, *scan, f, [&](const Dim& d, int64_t hour, int32_t, sqlite3_stmt* st) -> Status {
        int64_t day = FloorDiv(hour, 24);
        rollups::CellSums* to = nullptr;
        switch (by) {
          case ViewBy::kCell:
          case ViewBy::kTotal:
            to = group(kNone, 0);
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
        }
        if (f.gaps_only) {
          // kCellValueColumns from column 2: visitors_in, visitors_out, counted_s, gap_s, ...
          to->gap_s += sqlite3_column_int64(st, 5);
          return Status::Ok();
        }
        return rollups::AddCellRow(st, 2, to);
      });
  if (!s.ok()) return s;
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
