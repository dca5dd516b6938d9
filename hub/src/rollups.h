// The rollup cells (schema v5, docs/hub.md): one row per (dim_key, local hour, UTC offset) in
// `cells`, holding everything metrics::Sums needs, and three more levels of the same columns
// (`cells_day`, `cells_chain`, `cells_chain_day`: see Levels). The writer accumulates per-cell
// deltas of a whole HubWrite in a CellMap (no SQL per event) and then reads, adds and writes
// each touched cell of each level once (Levels::Flush), inside its transaction.
//
// Threads: a CellTable belongs to the connection of its store (one thread at a time).
#pragma once

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "touchpoint/core/metrics.h"
#include "touchpoint/core/sqlite.h"
#include "touchpoint/core/status.h"
#include "touchpoint/hub/hub_store.h"

namespace touchpoint::hub::rollups {

constexpr int64_t kHourMs = 3600 * 1000;
constexpr int64_t kMinuteMs = 60 * 1000;
// A coverage interval is split over at most this many hours (400 days); beyond, it is cut.
constexpr int64_t kMaxCoverageHours = 24 * 400;

// Floor division (towards minus infinity) for b > 0.
inline int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && a < 0 ? 1 : 0); }

// The local hour of an instant, as the dashboard buckets it (one definition, core metrics.h).
using metrics::LocalHourOf;

struct CellKey {
  int64_t dim_key = 0;
  int64_t hour_local = 0;
  int32_t offset_min = 0;
  bool operator==(const CellKey&) const = default;
};

struct CellKeyHash {
  size_t operator()(const CellKey& k) const {
    uint64_t h = static_cast<uint64_t>(k.dim_key) * 0x9E3779B97F4A7C15ull;
    h ^= static_cast<uint64_t>(k.hour_local) + 0x7F4A7C159E3779B9ull + (h << 6) + (h >> 2);
    h ^= static_cast<uint64_t>(static_cast<uint32_t>(k.offset_min)) * 0xC2B2AE3D27D4EB4Full;
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

// A cell's contents (or a delta to add to one: footfall may be negative when a compaction
// supersedes originals already counted).
struct CellSums {
  metrics::Sums sums;
  int64_t gap_s = 0;
  bool Empty() const { return gap_s == 0 && sums == metrics::Sums{}; }
  void Add(const CellSums& o) {
    sums.Add(o.sums);
    gap_s += o.gap_s;
  }
};

using CellMap = std::unordered_map<CellKey, CellSums, CellKeyHash>;

// The day level (`cells_day`, same columns): per dim and local day, every offset together;
// `hour_local` is the day's first local hour (day x 24), `utc_offset_min` is 0. Views by day,
// week, store or in total over whole local days read it: 24x fewer rows than hours.
inline CellKey DayOf(const CellKey& hour) {
  return {hour.dim_key, FloorDiv(hour.hour_local, 24) * 24, 0};
}
// Adds every hour delta of `hours` to its day in *days.
void AddDays(const CellMap& hours, CellMap* days);

// Adds what one held, not superseded, in-range event contributes (footfall, feedback,
// feedback_abandoned, camera/kiosk coverage; status adds nothing).
void AddEvent(CellMap* cells, int64_t dim_key, const HubEvent& e);
// Adds sign x one footfall interval (sign -1: a compaction supersedes it), with its zones' dwell.
void AddFootfall(CellMap* cells, int64_t dim_key, int64_t start_ms, int32_t offset_min, int64_t in,
                 int64_t out, int64_t interval_s, int sign,
                 const std::vector<ZoneStats>& zones = {});

// The per-session detail of a cell (distributions, per-question scores, reasons, unhappy) as a
// compact canonical blob; empty when there is none.
std::string EncodeDetail(const metrics::Sums& s);
// Adds a blob's detail to *s.
Status DecodeDetail(std::string_view blob, metrics::Sums* s);

// A cell as stored (the `cell` column, schema version 8): its seven integer figures
// (visitors_in, visitors_out, counted_s, gap_s, abandoned, ok_sessions, suspect_sessions) as
// zigzag LEB128 varints, then its detail blob (EncodeDetail). One column rather than eight:
// reading a month of every store's hour cells steps SQLite over ~210k rows, and each column
// read costs about as much as the row itself. Canonical: equal cells give equal blobs.
std::string EncodeCell(const CellSums& c);
// The figures as EncodeCell writes them, before the detail (for a cell written from columns).
std::string EncodeCellValues(const std::array<int64_t, 7>& values);

// The column every cell query reads after the key columns.
inline constexpr const char* kCellValueColumns = "cell";
// A cell as read from a row (kCellValueColumns): the stored blob (pointing into the row or a
// copy of it).
struct CellValues {
  std::string_view cell;
};
// The values of a row whose cell column is `col` (valid until the next step).
CellValues CellValuesOf(sqlite3_stmt* st, int col);
// Adds a cell's values to *sums and *gap_s.
Status AddCellValues(const CellValues& v, metrics::Sums* sums, int64_t* gap_s);
// Adds a cell's coverage gap alone to *gap_s.
Status AddCellGap(const CellValues& v, int64_t* gap_s);
// What one row read cell after cell (ReadCellValues) keeps between cells; it belongs to that
// row's sums: always pass the two together. The detail last read and where each of its sections
// (ok and suspect sessions, their crowd bands, dwell) ended: a section whose bytes come again is
// already in the row and is not decoded again (the encoding is self-delimiting: the same bytes
// decode to the same figures). Most cells have no suspect sessions, and many no feedback or no
// crowd context. (The row's maps are refilled in place: metrics::Sums keeps them in vectors.)
struct RowReuse {
  std::string last_detail;  // without its version byte
  std::array<size_t, 5> last_ends{};
  bool last_valid = false;
};
Status ReadCellValues(const CellValues& v, metrics::Sums* sums, int64_t* gap_s,
                      RowReuse* reuse = nullptr);
inline Status AddCellRow(sqlite3_stmt* st, int col, metrics::Sums* sums, int64_t* gap_s) {
  return AddCellValues(CellValuesOf(st, col), sums, gap_s);
}
inline Status AddCellRow(sqlite3_stmt* st, int col, CellSums* to) {
  return AddCellRow(st, col, &to->sums, &to->gap_s);
}

// Read-modify-write of cells in one table ("cells", or the rebuild's scratch table).
class CellTable {
 public:
  CellTable(sqlite3* db, std::string table) : db_(db), table_(std::move(table)) {}
  ~CellTable();
  CellTable(const CellTable&) = delete;
  CellTable& operator=(const CellTable&) = delete;

  // Adds every delta to its cell (a cell that becomes empty is deleted), then clears *deltas.
  // REQUIRES: inside a write transaction.
  Status Flush(CellMap* deltas);

 private:
  Status Prepare();
  sqlite3* db_;
  std::string table_;
  sqlite3_stmt *select_ = nullptr, *upsert_ = nullptr, *delete_ = nullptr;
};

// The levels of cells, each a table with the columns of CellsTableSql: per dim (store x
// touchpoint x stage) by local hour and by local day, and per chain dim (touchpoint x stage over
// every store, `chain_dims`) by local hour and by local day. Views over all stores read the
// chain levels: a month of them is a few thousand rows however many stores there are.
enum Level { kHourLevel = 0, kDayLevel = 1, kChainHourLevel = 2, kChainDayLevel = 3 };
inline constexpr int kLevels = 4;
inline constexpr const char* kLevelTables[kLevels] = {"cells", "cells_day", "cells_chain",
                                                      "cells_chain_day"};

// The table of chain dims (schema v5).
inline constexpr const char* kChainDimsSql =
    "CREATE TABLE IF NOT EXISTS chain_dims(chain_key INTEGER PRIMARY KEY, "
    "touchpoint TEXT NOT NULL, stage TEXT NOT NULL, UNIQUE(touchpoint, stage));";

// Every level's cells kept together: Flush adds per-dim hour deltas to their hour, day, chain
// hour and chain day cells. The chain dim of a dim is read from the database when first needed
// (and created if missing), so keys learnt in a transaction that rolled back must be forgotten.
class Levels {
 public:
  // `suffix` names the tables (e.g. "_rebuild": the rebuild's scratch tables).
  Levels(sqlite3* db, const std::string& suffix = "");
  ~Levels();
  Levels(const Levels&) = delete;
  Levels& operator=(const Levels&) = delete;

  // Adds every hour delta to its cells of every level, then clears *hours.
  // REQUIRES: inside a write transaction.
  Status Flush(CellMap* hours);
  // Forgets the dim -> chain dim keys read so far (after a rollback).
  void ForgetKeys() { chain_of_.clear(); }

 private:
  Result<int64_t> ChainOf(int64_t dim_key);
  sqlite3* db_;
  std::unique_ptr<CellTable> tables_[kLevels];
  CellMap days_, chain_hours_, chain_days_;
  std::unordered_map<int64_t, int64_t> chain_of_;
  sqlite3_stmt *insert_chain_ = nullptr, *select_chain_ = nullptr;
};

// Fills the chain levels from the per-dim hour cells (migration from version 4): creates the
// chain dim of every dim and sums its stores' cells.
// REQUIRES: inside a write transaction; the chain tables exist and are empty.
Status FillChainLevels(sql::Database* db);

// Recomputes every cell (every level) from the held events' JSON (also fills
// events.utc_offset_min where it is unknown, as after a migration from version 3).
// REQUIRES: inside a write transaction.
Result<RollupRebuild> Rebuild(sql::Database* db);

// The schema of a cells table.
std::string CellsTableSql(const std::string& table);
// Version 7 -> 8: every level's table still in the column layout gets one `cell` blob per row
// (EncodeCell); tables that do not exist or are packed already are left alone.
// REQUIRES: inside a write transaction.
Status PackCellTables(sql::Database* db);

}  // namespace touchpoint::hub::rollups
