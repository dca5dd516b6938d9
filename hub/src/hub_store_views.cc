// The views over the rollup cells (HubStore::View): cells only, read per dim by primary key
// range (dim_key, hour_local), so a store-month reads that store's month and nothing else; views
// by day, week, store or in total over whole local days read the day level (24x fewer rows).
#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
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

// A view's reads, its dims (PlanScan) and then every dim's cells (ScanCells), in one read
// transaction unless the caller has one open: the view is one snapshot however many commits land
// meanwhile, and SQLite takes its WAL read lock once rather than for each statement.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(sql::Database* db) : db_(db) {}
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;
  ~ReadSnapshot() {
    if (open_) db_->RollbackQuietly();  // it wrote nothing: ending it is all it does
  }
  Status Begin() {
    if (!sqlite3_get_autocommit(db_->handle())) return Status::Ok();
    Status s = db_->Exec("BEGIN");
    open_ = s.ok();
    return s;
  }

 private:
  sql::Database* db_;
  bool open_ = false;
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

// A cell that cannot be read, with where.
Status Located(const Scan& scan, const Dim& d, int64_t hour, const Status& s) {
  return Status::Corruption(
      std::string(scan.table) + " of " + (scan.chain ? std::string("every store") : d.store) + "/" +
      d.touchpoint + "/" + d.stage + " at local hour " + std::to_string(hour) + ": " + s.message());
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
      if (Status s = row(d, hour, offset, st.get()); !s.ok()) return Located(scan, d, hour, s);
    }
    if (rc != SQLITE_DONE) return sql::FromSqlite(rc, "cells view", db->handle());
  }
  return Status::Ok();
}

// The one row ForEachCell hands over, filled cell after cell.
class CellRow {
 public:
  Status Fill(const Dim& d, int64_t hour, int32_t offset, const rollups::CellValues& v) {
    if (dim_ != &d) {
      dim_ = &d;
      r_.store = d.store;
      r_.touchpoint = d.touchpoint;
      r_.stage = d.stage;
    }
    int64_t day = FloorDiv(hour, 24);
    r_.local_ms = hour * kHourMs;
    r_.utc_offset_min = offset;
    r_.weekday = IsoWeekday(day);
    r_.hour = static_cast<int>(hour - day * 24);
    return rollups::ReadCellValues(v, &r_.sums, &r_.gap_s, &reuse_);
  }
  const ViewRow& row() const { return r_; }

 private:
  ViewRow r_;
  rollups::RowReuse reuse_;
  const Dim* dim_ = nullptr;
};

// Over many dims (a month of every store: ~210k cells), ForEachCell reads on two threads: a
// reading thread steps SQLite and copies each cell's blob into chunks, the caller's thread
// decodes them into the row and calls fn. Decoding costs more than SQLite's part, so when the
// caller is behind (two chunks already wait for it) the reading thread decodes the chunk it just
// filled itself, into rows kept in the chunk, and the caller only hands those to fn: both cores
// stay busy. The connection is used by the reading thread alone until it is joined (the caller
// waits in ForEachCell).
constexpr size_t kTwoThreadsFromDims = 64;
constexpr size_t kChunkCells = 1024;
constexpr size_t kChunks = 4;  // in flight at most: memory stays bounded (~10 MB with rows)

struct RawCell {
  const Dim* dim;
  int64_t hour;
  int32_t offset;
  size_t cell_at, cell_size;  // in Chunk::blobs
};
struct Chunk {
  std::vector<RawCell> cells;
  std::string blobs;
  // Decoded by the reading thread: rows[i] is cells[i]'s for i < decoded; `bad` is the error of
  // cells[decoded] when decoding stopped there.
  std::vector<CellRow> rows;
  size_t decoded = 0;
  bool by_reader = false;
  Status bad;

  rollups::CellValues Values(const RawCell& c) const {
    return {std::string_view(blobs).substr(c.cell_at, c.cell_size)};
  }
  void Decode() {
    by_reader = true;
    if (rows.size() < cells.size()) rows.resize(cells.size());
    for (decoded = 0; decoded < cells.size(); ++decoded) {
      const RawCell& c = cells[decoded];
      bad = rows[decoded].Fill(*c.dim, c.hour, c.offset, Values(c));
      if (!bad.ok()) return;
    }
  }
};

// Chunks passed from the reading thread to the caller's and back (one producer, one consumer).
class ChunkQueue {
 public:
  ChunkQueue() {
    for (size_t i = 0; i < kChunks; ++i) free_.push_back(std::make_unique<Chunk>());
  }
  // Reader: an empty chunk to fill; nullptr once the caller stopped.
  std::unique_ptr<Chunk> Empty() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return stopped_ || !free_.empty(); });
    if (stopped_) return nullptr;
    auto c = std::move(free_.back());
    free_.pop_back();
    return c;
  }
  void Push(std::unique_ptr<Chunk> c) {
    std::lock_guard lock(mu_);
    full_.push_back(std::move(c));
    cv_.notify_all();
  }
  void Close(Status end) {
    std::lock_guard lock(mu_);
    end_ = std::move(end);
    closed_ = true;
    cv_.notify_all();
  }
  // Caller: the next full chunk, or nullptr when the reader closed and every chunk was taken.
  std::unique_ptr<Chunk> Pop() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return closed_ || !full_.empty(); });
    if (full_.empty()) return nullptr;
    auto c = std::move(full_.front());
    full_.pop_front();
    return c;
  }
  // Reader: whether two filled chunks wait for the caller (the caller is behind). With one, the
  // reader took too large a share (measured: reader 94-112 ms, caller 69-87 ms per call).
  bool CallerBehind() {
    std::lock_guard lock(mu_);
    return full_.size() >= 2;
  }
  void Recycle(std::unique_ptr<Chunk> c) {
    c->cells.clear();
    c->blobs.clear();
    c->decoded = 0;
    c->by_reader = false;
    c->bad = Status::Ok();
    std::lock_guard lock(mu_);
    free_.push_back(std::move(c));
    cv_.notify_all();
  }
  void Stop() {
    std::lock_guard lock(mu_);
    stopped_ = true;
    cv_.notify_all();
  }
  Status end() {
    std::lock_guard lock(mu_);
    return end_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Chunk>> free_;
  std::deque<std::unique_ptr<Chunk>> full_;
  bool closed_ = false, stopped_ = false;
  Status end_;
};

Status ForEachCellTwoThreads(sql::Database* db, const Scan& scan, const ViewFilter& f,
                             const std::function<Status(const ViewRow&)>& fn,
                             CellDecoding decoding) {
  auto reader_decodes = [decoding](ChunkQueue& queue) {
    if (decoding == CellDecoding::kBalanced) return queue.CallerBehind();
    return decoding == CellDecoding::kOnReader;
  };
  ChunkQueue queue;
  std::thread reader([&] {
    std::unique_ptr<Chunk> chunk = queue.Empty();
    Status s =
        ScanCells(db, scan, f, [&](const Dim& d, int64_t hour, int32_t offset, sqlite3_stmt* st) {
          if (!chunk) return Status::Shutdown("the caller stopped");
          rollups::CellValues v = rollups::CellValuesOf(st, 2);
          chunk->cells.push_back({&d, hour, offset, chunk->blobs.size(), v.cell.size()});
          chunk->blobs.append(v.cell);
          if (chunk->cells.size() == kChunkCells) {
            if (reader_decodes(queue)) chunk->Decode();
            queue.Push(std::move(chunk));
            chunk = queue.Empty();
          }
          return Status::Ok();
        });
    if (chunk && !chunk->cells.empty()) {
      if (reader_decodes(queue)) chunk->Decode();
      queue.Push(std::move(chunk));
    }
    queue.Close(std::move(s));
  });
  // Should fn throw, the reader is stopped and joined all the same.
  struct JoinOnExit {
    ChunkQueue& queue;
    std::thread& reader;
    ~JoinOnExit() {
      if (!reader.joinable()) return;
      queue.Stop();
      reader.join();
    }
  } join_on_exit{queue, reader};
  CellRow row;
  Status stop;  // the caller's error, or a cell that cannot be decoded
  while (std::unique_ptr<Chunk> chunk = queue.Pop()) {
    for (size_t i = 0; i < chunk->cells.size(); ++i) {
      const RawCell& c = chunk->cells[i];
      const ViewRow* r = nullptr;
      if (!chunk->by_reader) {
        if (Status bad = row.Fill(*c.dim, c.hour, c.offset, chunk->Values(c)); !bad.ok()) {
          stop = Located(scan, *c.dim, c.hour, bad);
          break;
        }
        r = &row.row();
      } else if (i < chunk->decoded) {
        r = &chunk->rows[i].row();
      } else {
        stop = Located(scan, *c.dim, c.hour, chunk->bad);
        break;
      }
      if (stop = fn(*r); !stop.ok()) break;
    }
    queue.Recycle(std::move(chunk));
    if (!stop.ok()) {
      queue.Stop();
      break;
    }
  }
  reader.join();
  return stop.ok() ? queue.end() : stop;
}

}  // namespace

Status ForEachCell(sql::Database* db, const ViewFilter& f,
                   const std::function<Status(const ViewRow&)>& fn, CellDecoding decoding) {
  ReadSnapshot snapshot(db);
  if (Status s = snapshot.Begin(); !s.ok()) return s;
  auto scan = PlanScan(db, f, ViewBy::kCell);
  if (!scan.ok()) return scan.status();
  if (scan->dims.size() >= kTwoThreadsFromDims) {
    return ForEachCellTwoThreads(db, *scan, f, fn, decoding);
  }
  CellRow row;
  Status caller;
  Status s =
      ScanCells(db, *scan, f, [&](const Dim& d, int64_t hour, int32_t offset, sqlite3_stmt* st) {
        if (Status bad = row.Fill(d, hour, offset, rollups::CellValuesOf(st, 2)); !bad.ok()) {
          return bad;
        }
        caller = fn(row.row());
        return caller;
      });
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
  ReadSnapshot snapshot(db);
  if (Status s = snapshot.Begin(); !s.ok()) return s;
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
          return rollups::AddCellGap(rollups::CellValuesOf(st, 2), &to->gap_s);
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
