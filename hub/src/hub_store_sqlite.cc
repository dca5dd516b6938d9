// The hub's embedded store: SQLite through core's RAII layer. Layout and migrations:
// hub_store_schema.h; event JSON blocks: payload_block.h.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <condition_variable>
#include <limits>
#include <map>
#include <mutex>
#include <span>
#include <thread>
#include <unordered_map>

#include <sqlite3.h>

#include "hub_store_queries.h"
#include "hub_store_schema.h"
#include "kiosk_counts.h"
#include "payload_block.h"
#include "rollups.h"
#include "sha256.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/core/sqlite.h"
#include "touchpoint/core/thread_name.h"
#include "touchpoint/hub/hub_store.h"

namespace touchpoint::hub {

namespace {

int64_t ToInt(uint64_t v) { return static_cast<int64_t>(v); }

// FNV-1a of the event id: what tells a resent copy from another event under the same seq.
int64_t IdHash(std::string_view id) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : id) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<int64_t>(h);
}

// Keeps the first failing sqlite3_bind_* result in *first; the caller checks it before stepping.
void Bound(int rc, int* first) {
  if (rc != SQLITE_OK && *first == SQLITE_OK) *first = rc;
}

// A raw statement prepared once for the connection's lifetime (finalized before it closes).
class PersistentStatement {
 public:
  PersistentStatement() = default;
  ~PersistentStatement() { sqlite3_finalize(stmt_); }
  PersistentStatement(const PersistentStatement&) = delete;
  PersistentStatement& operator=(const PersistentStatement&) = delete;

  // The statement, reset and with cleared bindings; prepared at the first call.
  Result<sqlite3_stmt*> Get(sqlite3* db, const char* sql) {
    auto st = GetBound(db, sql);
    if (st.ok()) {
      sqlite3_clear_bindings(*st);
      for (BoundInt& b : ints_) b.bound = false;
    }
    return st;
  }

  // The statement, reset, with the bindings of its last use (none after it was prepared): for a
  // caller that binds every parameter again or keeps track of which ones it bound (clearing
  // hundreds of parameters per use costs as much as binding them).
  Result<sqlite3_stmt*> GetBound(sqlite3* db, const char* sql) {
    if (!stmt_) {
      int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
      if (rc != SQLITE_OK) return sql::FromSqlite(rc, std::string("prepare ") + sql, db);
      size_t params = static_cast<size_t>(sqlite3_bind_parameter_count(stmt_)) + 1;
      ints_.assign(params, BoundInt{});
    }
    sqlite3_reset(stmt_);
    return stmt_;
  }

  // Per row of a multi-row insert: which of its optional columns the last use bound (the caller's
  // bit masks; all 0 while nothing is bound).
  uint32_t* RowMasks(size_t rows) {
    if (masks_.size() < rows) masks_.resize(rows, 0);
    return masks_.data();
  }

  // Binds v to parameter `param` of the statement (got by Get or GetBound) unless it holds v
  // there already: bindings outlive resets, and most columns of a row repeat those of the row
  // bound at that place last time (kiosk, dim, type, receipt time, payload block...), while a
  // bind costs ~80 instructions whether the value changed or not.
  [[gnu::always_inline]] int BindInt(int param, int64_t v) {
    BoundInt& b = ints_[static_cast<size_t>(param)];
    if (b.bound && b.value == v) return SQLITE_OK;
    int rc = sqlite3_bind_int64(stmt_, param, v);
    b.value = v;
    b.bound = rc == SQLITE_OK;
    return rc;
  }
  // Binds NULL (not remembered: BindInt binds again after it).
  int BindNull(int param) {
    ints_[static_cast<size_t>(param)].bound = false;
    return sqlite3_bind_null(stmt_, param);
  }
  // Binds text the caller keeps valid (SQLITE_STATIC; not remembered either).
  int BindStaticText(int param, std::string_view text) {
    ints_[static_cast<size_t>(param)].bound = false;
    return sqlite3_bind_text(stmt_, param, text.data(), static_cast<int>(text.size()),
                             SQLITE_STATIC);
  }

 private:
  struct BoundInt {
    int64_t value = 0;
    bool bound = false;
  };
  sqlite3_stmt* stmt_ = nullptr;
  std::vector<uint32_t> masks_;
  // Per parameter number (0 unused; sized when prepared, so every parameter of the statement
  // has its entry): the integer BindInt bound, while it still is.
  std::vector<BoundInt> ints_;
};

class SqliteHubStore final : public HubStore {
 public:
  explicit SqliteHubStore(std::unique_ptr<sql::Database> db) : db_(std::move(db)) {}
  ~SqliteHubStore() override {
    {
      std::lock_guard<std::mutex> lock(ckpt_mu_);
      ckpt_stop_ = true;
    }
    ckpt_cv_.notify_all();
    if (checkpointer_.joinable()) checkpointer_.join();
    if (wal_fd_ >= 0) ::close(wal_fd_);
  }
  SqliteHubStore(const SqliteHubStore&) = delete;
  SqliteHubStore& operator=(const SqliteHubStore&) = delete;

  Status Init() {
    // 16 KiB pages (set before the file is created; ignored later): a quarter of the write
    // calls. Checkpoints run on their own thread (below), so that a commit only appends to the
    // WAL and fsyncs it.
    if (Status s = db_->Exec("PRAGMA page_size=16384; PRAGMA journal_mode=WAL; "
                             "PRAGMA synchronous=FULL; PRAGMA cache_size=-65536; "
                             "PRAGMA wal_autocheckpoint=0;");
        !s.ok()) {
      return s;
    }
    sqlite3_wal_hook(db_->handle(), &SqliteHubStore::OnWalCommit, this);
    return EnsureHubSchema(db_.get());
  }

  Result<HubWriteResult> Write(const HubWrite& w, int64_t now_ms) override {
    const HubWrite* one[] = {&w};
    return WriteWith(one, now_ms, /*durable=*/true);
  }

  // synchronous=NORMAL for this commit: the WAL is written but not flushed; Sync() flushes it.
  Result<HubWriteResult> WriteDeferred(const HubWrite& w, int64_t now_ms) override {
    const HubWrite* one[] = {&w};
    return WriteWith(one, now_ms, /*durable=*/false);
  }

  Result<HubWriteResult> WriteDeferredAll(std::span<const HubWrite* const> writes,
                                          int64_t now_ms) override {
    return WriteWith(writes, now_ms, /*durable=*/false);
  }

  // Flushes the WAL file: every commit written to it before this call is durable (WAL recovery
  // keeps the committed transactions whose frames are on disk, in order).
  Status Sync() override {
    std::lock_guard<std::mutex> lock(sync_mu_);
    if (wal_fd_ < 0) {
      wal_fd_ = ::open((db_->path() + "-wal").c_str(), O_RDONLY | O_CLOEXEC);
      if (wal_fd_ < 0) return Status::IoError(db_->path() + "-wal: cannot open to flush");
    }
    if (::fdatasync(wal_fd_) != 0) return Status::IoError(db_->path() + "-wal: fdatasync failed");
    return Status::Ok();
  }

  Result<HubWriteResult> WriteWith(std::span<const HubWrite* const> writes, int64_t now_ms,
                                   bool durable) {
    if (!checkpointer_.joinable()) checkpointer_ = std::thread([this] { RunCheckpoints(); });
    if (durable != durable_) {
      Status s = db_->Exec(durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
      if (!s.ok()) return s;
      durable_ = durable;
    }
    HubWriteResult result;
    // IMMEDIATE: the write lock is taken first, so that several hub processes sharing this file
    // queue (busy timeout) instead of failing on a lock upgrade.
    if (Status s = db_->Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    Status s = RefreshFromOtherWriters();
    if (s.ok()) s = WriteInTransaction(writes, now_ms, &result);
    if (s.ok()) s = db_->Exec("COMMIT");
    if (!s.ok()) {
      db_->RollbackQuietly();
      // Keys and compactions learnt in the rolled back transaction may not exist: forget them.
      kiosk_keys_.clear();
      dim_keys_.clear();
      last_dim_key_ = 0;
      if (levels_) levels_->ForgetKeys();
      compactions_.clear();
      compactions_loaded_ = false;
      return s;
    }
    return result;
  }

  Result<std::vector<KioskSeqs>> AccountedSeqs() override {
    return queries::AccountedSeqs(db_.get());
  }

  Result<std::vector<SeqRange>> AccountedSeqsIn(const std::string& kiosk,
                                                SeqRange within) override {
    return queries::AccountedSeqsIn(db_.get(), kiosk, within);
  }
  Result<std::vector<ViewRow>> View(const ViewFilter& f, ViewBy by) override {
    return queries::View(db_.get(), f, by);
  }
  Status ForEachCell(const ViewFilter& f,
                     const std::function<Status(const ViewRow&)>& fn) override {
    return queries::ForEachCell(db_.get(), f, fn);
  }

  Result<RollupRebuild> RebuildRollups() override {
    if (Status s = db_->Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    auto r = rollups::Rebuild(db_.get());
    if (r.ok()) {
      auto counts = kiosk_counts::Recompute(db_.get());
      if (counts.ok()) {
        r->kiosks = counts->kiosks;
        r->kiosks_changed = counts->changed;
      } else {
        r = counts.status();
      }
    }
    Status s = r.ok() ? db_->Exec("COMMIT") : r.status();
    if (!s.ok()) {
      db_->RollbackQuietly();
      return s;
    }
    return r;
  }

  Result<std::optional<std::string>> EventJson(const std::string& kiosk, uint64_t seq) override {
    return queries::EventJson(db_.get(), kiosk, seq);
  }

  Result<std::vector<Reject>> Rejects(size_t limit) override {
    return queries::Rejects(db_.get(), limit);
  }

  Result<int64_t> RejectCount() override { return queries::RejectCount(db_.get()); }

  Status RegisterKiosk(const KioskRegistration& r) override {
    auto st = db_->Prepare(
        "INSERT INTO registered_kiosks(kiosk, store, added_ms, how) VALUES(?1, ?2, ?3, ?4) "
        "ON CONFLICT(kiosk) DO UPDATE SET store = excluded.store");
    if (!st.ok()) return st.status();
    st->Bind(1, r.kiosk).Bind(2, r.store).Bind(3, r.added_ms).Bind(4, r.how);
    return st->Run();
  }

  Result<bool> UnregisterKiosk(const std::string& kiosk) override {
    auto st = db_->Prepare("DELETE FROM registered_kiosks WHERE kiosk = ?1");
    if (!st.ok()) return st.status();
    st->Bind(1, kiosk);
    if (Status s = st->Run(); !s.ok()) return s;
    return sqlite3_changes(db_->handle()) > 0;
  }

  Result<std::vector<KioskRegistration>> RegisteredKiosks() override {
    return queries::RegisteredKiosks(db_.get());
  }

  Result<std::vector<KnownGap>> KnownGaps() override { return queries::KnownGaps(db_.get()); }

  Result<std::vector<KioskSummary>> Kiosks() override { return queries::Kiosks(db_.get()); }

  Result<int64_t> CountEvents() override { return queries::CountEvents(db_.get()); }

 private:
  struct Compaction {
    uint64_t last = 0;  // of the replaced range
    uint64_t by = 0;    // seq of the compacted event
  };
  struct KioskKey {
    int64_t key = 0;
    std::string store;  // as recorded in `kiosks`
  };

  // Inside the write transaction: another process sharing the file (hubs on one shared
  // subscription) may have committed since our last transaction; pick up its compactions.
  // Kiosk and dim keys never change once committed, so cached ones stay right.
  Status RefreshFromOtherWriters() {
    auto version = db_->QueryInt("PRAGMA data_version");
    if (!version.ok()) return version.status();
    if (compactions_loaded_ && version->value_or(0) == data_version_) return Status::Ok();
    data_version_ = version->value_or(0);
    auto rows = db_->Prepare(
        "SELECT rowid, kiosk, first_seq, last_seq, by_seq FROM compactions WHERE rowid > ?1 "
        "ORDER BY rowid");
    if (!rows.ok()) return rows.status();
    rows->Bind(1, compactions_loaded_ ? compactions_rowid_ : 0);
    if (!compactions_loaded_) compactions_.clear();
    Status read = rows->ForEachRow([&] {
      compactions_rowid_ = std::max(compactions_rowid_, rows->ColumnInt(0));
      AddCompaction(
          rows->ColumnText(1),
          {static_cast<uint64_t>(rows->ColumnInt(2)), static_cast<uint64_t>(rows->ColumnInt(3))},
          static_cast<uint64_t>(rows->ColumnInt(4)));
    });
    if (!read.ok()) return read;
    compactions_loaded_ = true;
    return Status::Ok();
  }

  // Records that `by` replaces the seqs of r. Kept as disjoint ranges (where compactions overlap,
  // the one learnt first answers: any replacing event takes the original off the map), so a
  // lookup is one search whatever the number of compactions.
  void AddCompaction(const std::string& kiosk, SeqRange r, uint64_t by) {
    auto& ranges = compactions_[kiosk];
    uint64_t next = r.first;
    auto it = ranges.upper_bound(r.first);
    if (it != ranges.begin()) {
      auto prev = std::prev(it);
      if (prev->second.last >= next) next = prev->second.last + 1;
    }
    while (next <= r.last && next != 0) {
      uint64_t end = r.last;
      if (it != ranges.end() && it->first <= end) end = it->first - 1;
      if (next <= end) ranges.emplace_hint(it, next, Compaction{end, by});
      if (it == ranges.end() || it->first > r.last) break;
      next = it->second.last + 1;
      ++it;
    }
  }

  // The compacted footfall event that replaces (kiosk, seq), from memory (no query per event).
  std::optional<uint64_t> CompactedBy(const std::string& kiosk, uint64_t seq) const {
    auto k = compactions_.find(kiosk);
    if (k == compactions_.end()) return std::nullopt;
    auto it = k->second.upper_bound(seq);
    if (it == k->second.begin()) return std::nullopt;
    --it;
    if (it->second.last >= seq) return it->second.by;
    return std::nullopt;
  }

  // The kiosk's key, creating its row; records the store it last reported.
  Result<int64_t> KioskKeyOf(const std::string& kiosk, const std::string& store) {
    auto it = kiosk_keys_.find(kiosk);
    if (it != kiosk_keys_.end() && it->second.store == store) return it->second.key;
    auto ins = insert_kiosk_.Get(db_->handle(),
                                 "INSERT INTO kiosks(kiosk, store) VALUES(?1, ?2) "
                                 "ON CONFLICT(kiosk) DO UPDATE SET store = excluded.store "
                                 "RETURNING kiosk_key");
    if (!ins.ok()) return ins.status();
    int bind = SQLITE_OK;
    Bound(sqlite3_bind_text(*ins, 1, kiosk.data(), static_cast<int>(kiosk.size()), SQLITE_STATIC),
          &bind);
    Bound(sqlite3_bind_text(*ins, 2, store.data(), static_cast<int>(store.size()), SQLITE_STATIC),
          &bind);
    if (bind != SQLITE_OK) return sql::FromSqlite(bind, "kiosk key: bind", nullptr);
    int rc = sqlite3_step(*ins);
    if (rc != SQLITE_ROW) return sql::FromSqlite(rc, "kiosk key", db_->handle());
    int64_t key = sqlite3_column_int64(*ins, 0);
    sqlite3_reset(*ins);
    kiosk_keys_[kiosk] = {key, store};
    return key;
  }

  Result<int64_t> DimKeyOf(const std::string& store, const std::string& touchpoint,
                           const std::string& stage) {
    // Events of a batch share their dim: the last one answers without building its name.
    if (last_dim_key_ != 0 && store == last_dim_[0] && touchpoint == last_dim_[1] &&
        stage == last_dim_[2]) {
      return last_dim_key_;
    }
    auto key = LookUpDimKey(store, touchpoint, stage);
    if (key.ok()) {
      last_dim_[0] = store;
      last_dim_[1] = touchpoint;
      last_dim_[2] = stage;
      last_dim_key_ = *key;
    }
    return key;
  }

  Result<int64_t> LookUpDimKey(const std::string& store, const std::string& touchpoint,
                               const std::string& stage) {
    std::string name = store;
    name += '\0';
    name += touchpoint;
    name += '\0';
    name += stage;
    auto it = dim_keys_.find(name);
    if (it != dim_keys_.end()) return it->second;
    // The no-op update makes RETURNING answer for an existing row too.
    auto ins = insert_dim_.Get(db_->handle(),
                               "INSERT INTO dims(store, touchpoint, stage) VALUES(?1, ?2, ?3) "
                               "ON CONFLICT(store, touchpoint, stage) DO UPDATE SET "
                               "stage = excluded.stage RETURNING dim_key");
    if (!ins.ok()) return ins.status();
    int bind = SQLITE_OK;
    Bound(sqlite3_bind_text(*ins, 1, store.data(), static_cast<int>(store.size()), SQLITE_STATIC),
          &bind);
    Bound(sqlite3_bind_text(*ins, 2, touchpoint.data(), static_cast<int>(touchpoint.size()),
                            SQLITE_STATIC),
          &bind);
    Bound(sqlite3_bind_text(*ins, 3, stage.data(), static_cast<int>(stage.size()), SQLITE_STATIC),
          &bind);
    if (bind != SQLITE_OK) return sql::FromSqlite(bind, "dim key: bind", nullptr);
    int rc = sqlite3_step(*ins);
    if (rc != SQLITE_ROW) return sql::FromSqlite(rc, "dim key", db_->handle());
    int64_t key = sqlite3_column_int64(*ins, 0);
    sqlite3_reset(*ins);
    dim_keys_.emplace(std::move(name), key);
    return key;
  }

  // The id the next payload block gets (inside the transaction: right with other writers too).
  Result<int64_t> NextPayloadId() {
    auto n = db_->QueryInt("SELECT COALESCE(MAX(id), 0) + 1 FROM payloads");
    if (!n.ok()) return n.status();
    return n->value_or(1);
  }

  // A payload block and when (the write's time) and how (kSourceMqtt, kSourceImport) its events
  // came: every event of a block was inserted by the write that stored it.
  Status InsertPayload(int64_t id, PayloadCodec codec, std::string_view data, int64_t received_ms,
                       int64_t source) {
    auto ins = insert_payload_.Get(db_->handle(),
                                   "INSERT INTO payloads(id, codec, data, received_ms, source) "
                                   "VALUES(?1, ?2, ?3, ?4, ?5)");
    if (!ins.ok()) return ins.status();
    int bind = SQLITE_OK;
    Bound(sqlite3_bind_int64(*ins, 1, id), &bind);
    Bound(sqlite3_bind_int64(*ins, 2, static_cast<int64_t>(codec)), &bind);
    Bound(sqlite3_bind_int64(*ins, 4, received_ms), &bind);
    Bound(sqlite3_bind_int64(*ins, 5, source), &bind);
    Bound(
        data.size() > static_cast<size_t>(INT32_MAX)
            ? SQLITE_TOOBIG
            : sqlite3_bind_blob(*ins, 3, data.data(), static_cast<int>(data.size()), SQLITE_STATIC),
        &bind);
    if (bind != SQLITE_OK) {
      (void)sqlite3_clear_bindings(*ins);
      return sql::FromSqlite(bind, "insert payload block: bind", nullptr);
    }
    int rc = sqlite3_step(*ins);
    sqlite3_reset(*ins);
    if (rc != SQLITE_DONE) return sql::FromSqlite(rc, "insert payload block", db_->handle());
    return Status::Ok();
  }

  Status StorePayloadBlock(int64_t id, PayloadBlockBuilder* block, int64_t received_ms,
                           int64_t source) {
    auto data = block->Finish();
    if (!data.ok()) return data.status();
    return InsertPayload(id, PayloadCodec::kZstdLines, *data, received_ms, source);
  }

  using FootfallIndex = std::map<std::pair<std::string_view, uint64_t>, const HubEvent*>;

  // The columns of an event row, in the order of the placeholders of each row of an insert.
  // (Schema v9: the event's time of arrival and source are its payload block's, and what only
  // its JSON or its cells need is not repeated in the row.)
  static constexpr const char* kEventColumns =
      "kiosk_key, seq, dim_key, type, time_ms, superseded_by, f_in, f_out, f_interval_s, "
      "payload_id, payload_line, id_hash, flags, utc_offset_min";
  static constexpr int kEventParams = 14;
  // Rows per multi-row insert: one statement step for this many new events (a step costs about
  // as much as the row it inserts: ~0.7 us of SQLite's per-statement work saved per event), then
  // for what is left of a run, this few (runs of a few events: a kiosk's day in an import).
  static constexpr int kInsertChunks[2] = {32, 8};
  // A run's seqs span less than this: the held ones among them are read in one bounded query.
  static constexpr uint64_t kChunkSpan = 4096;

  static std::string InsertEventsSql(int rows) {
    std::string sql = std::string("INSERT OR IGNORE INTO events(") + kEventColumns + ") VALUES";
    for (int r = 0; r < rows; ++r) {
      sql += r ? ",(" : "(";
      for (int i = 1; i <= kEventParams; ++i) {
        sql += '?';
        sql += std::to_string(r * kEventParams + i);
        if (i < kEventParams) sql += ',';
      }
      sql += ')';
    }
    return sql;
  }

  // One event of the write being inserted, with what its row is bound from.
  struct Row {
    const HubEvent* e = nullptr;
    int64_t kiosk_key = 0, dim_key = 0;
  };

  // Per write: the payload block our own lines go to and the ids of payload blocks.
  struct PayloadIds {
    PayloadBlockBuilder block;
    int64_t next_id = 0, block_id = 0;   // block_id 0: our block has no id yet
    int64_t block_source = kSourceMqtt;  // of the events in `block` (one source per block)
    std::vector<int64_t> batch_ids;
    std::vector<int64_t> batch_sources;  // of each batch's first inserted event
  };

  static int64_t SourceCode(const HubEvent& e) {
    return e.source == "import" ? kSourceImport : kSourceMqtt;
  }

  // The columns BindRow binds for some events only (a bit per column number); the others are
  // bound for every event (1-5, 10-12, 14).
  static constexpr uint32_t kOptionalColumns =
      (1u << 6) | (1u << 7) | (1u << 8) | (1u << 9) | (1u << 13);

  // Binds the row of `r` to the placeholders base+1..base+14 of `st`; the columns that do not
  // apply are NULL. The statement keeps its bindings from its last use (it is not cleared:
  // that costs as much as binding): *bound_before says which optional columns that use bound
  // at this row, those not bound now are set to NULL, and it is updated.
  // Binds point into the write, which outlives the statement's execution (SQLITE_STATIC); a
  // binding left from an earlier write is never stepped with (rebound or set to NULL first).
  // Sets *superseded when a compaction held already replaces the event (never counted).
  Status BindRow(PersistentStatement& st, int base, const Row& r, const PayloadIds& p,
                 bool* superseded, uint32_t* bound_before) {
    const HubEvent& e = *r.e;
    int bind = SQLITE_OK;  // the first failing bind
    uint32_t bound = 0;    // optional columns bound
    auto num = [&](int i, int64_t v) __attribute__((always_inline)) {
      Bound(st.BindInt(base + i, v), &bind);
      bound |= 1u << i;
    };
    num(1, r.kiosk_key);
    num(2, ToInt(e.seq));
    num(3, r.dim_key);
    num(4, EventTypeCode(e.type));
    num(5, e.time_ms);
    num(12, IdHash(e.id));
    num(14, e.utc_offset_min);
    *superseded = false;
    if (e.time_out_of_range) num(13, kEventFlagTimeOutOfRange);
    // Columns that do not apply to the type stay NULL (no bytes).
    switch (e.type) {
      case EventType::kFootfall:
        if (auto by = CompactedBy(e.kiosk, e.seq)) {
          num(6, ToInt(*by));
          *superseded = true;
        }
        num(7, e.visitors_in);
        num(8, e.visitors_out);
        num(9, e.interval_s);
        break;
      case EventType::kFeedback:
      case EventType::kFeedbackAbandoned:
      case EventType::kCoverage:
      case EventType::kStatus:
        // Answers, the suspect flag and coverage intervals are in the cells and the JSON.
        break;
    }
    bool in_batch = e.block >= 0;
    int64_t id = in_batch ? p.batch_ids[static_cast<size_t>(e.block)] : p.block_id;
    num(10, id ? id : p.next_id);
    num(11, in_batch ? int64_t{e.block_offset} : static_cast<int64_t>(p.block.lines()));
    bound &= kOptionalColumns;
    for (uint32_t stale = *bound_before & ~bound; stale != 0; stale &= stale - 1) {
      Bound(st.BindNull(base + std::countr_zero(stale)), &bind);
    }
    // After a failed bind, which are bound is unknown: the next use sets every one.
    *bound_before = bind == SQLITE_OK ? bound : kOptionalColumns;
    if (bind != SQLITE_OK) return sql::FromSqlite(bind, "insert event: bind", nullptr);
    return Status::Ok();
  }

  // What an inserted event's row brings: its payload line, its cells, its compactions.
  Status Inserted(const FootfallIndex& footfall_in_write, const Row& r, bool superseded,
                  int64_t now_ms, PayloadIds* p, HubWriteResult* result) {
    const HubEvent& e = *r.e;
    ++result->inserted;
    kiosk_deltas_.Inserted(r.kiosk_key, e, now_ms);
    if (e.time_out_of_range) {
      if (Status s = BumpCounter(e.kiosk, "time_out_of_range", 1); !s.ok()) return s;
    } else if (!superseded) {
      rollups::AddEvent(&cell_deltas_, r.dim_key, e);
    }
    bool in_batch = e.block >= 0;
    int64_t* id = in_batch ? &p->batch_ids[static_cast<size_t>(e.block)] : &p->block_id;
    if (!*id) {
      *id = p->next_id++;
      (in_batch ? p->batch_sources[static_cast<size_t>(e.block)] : p->block_source) = SourceCode(e);
    }
    if (!in_batch) {
      p->block.Add(e.json);
      if (p->block.lines() >= kPayloadBlockLines) {
        if (Status s = CloseOwnBlock(now_ms, p); !s.ok()) return s;
      }
    }
    for (const SeqRange& c : e.compacted) {
      if (Status s = ApplyCompaction(footfall_in_write, e, r.kiosk_key, c); !s.ok()) return s;
    }
    return Status::Ok();
  }

  // Stores our own block as it is; the next line starts a new one (with a new id).
  Status CloseOwnBlock(int64_t now_ms, PayloadIds* p) {
    if (Status s = StorePayloadBlock(p->block_id, &p->block, now_ms, p->block_source); !s.ok()) {
      return s;
    }
    p->block_id = 0;
    return Status::Ok();
  }

  // Before an event is bound: one that goes to our own block (no batch of its own) while that
  // block holds events of another source starts a new block (a block has one source).
  Status OwnBlockFor(const HubEvent& e, int64_t now_ms, PayloadIds* p) {
    if (e.block >= 0 || p->block.empty() || p->block_source == SourceCode(e)) return Status::Ok();
    return CloseOwnBlock(now_ms, p);
  }

  // Inserts one event on its own: a duplicate or a conflict is found here.
  Status InsertOne(const HubWrite& w, const FootfallIndex& footfall_in_write, const Row& r,
                   int64_t now_ms, PayloadIds* p, HubWriteResult* result) {
    static const std::string kInsertOne = InsertEventsSql(1);
    auto prepared = insert_event_.GetBound(db_->handle(), kInsertOne.c_str());
    if (!prepared.ok()) return prepared.status();
    sqlite3_stmt* ins = *prepared;
    bool superseded = false;
    if (Status s = OwnBlockFor(*r.e, now_ms, p); !s.ok()) return s;
    if (Status s = BindRow(insert_event_, 0, r, *p, &superseded, insert_event_.RowMasks(1));
        !s.ok()) {
      return s;
    }
    int rc = sqlite3_step(ins);
    sqlite3_reset(ins);
    if (rc != SQLITE_DONE) return sql::FromSqlite(rc, "insert event", db_->handle());
    if (sqlite3_changes(db_->handle()) != 1) {
      auto conflict = CheckDuplicate(w, *r.e, r.kiosk_key, IdHash(r.e->id), now_ms);
      if (!conflict.ok()) return conflict.status();
      if (*conflict) {
        ++result->conflicts;
      } else {
        ++result->duplicates;
      }
      return Status::Ok();
    }
    return Inserted(footfall_in_write, r, superseded, now_ms, p, result);
  }

  // Inserts a run of events of one kiosk whose seqs span less than kChunkSpan: the ones not held
  // yet (and not repeated in the run) kInsertChunks rows per statement, the others one by one.
  Status InsertRun(const HubWrite& w, const FootfallIndex& footfall_in_write, std::vector<Row>* run,
                   int64_t now_ms, PayloadIds* p, HubWriteResult* result) {
    if (run->size() < static_cast<size_t>(kInsertChunks[1])) {  // too few for a chunk
      for (const Row& r : *run) {
        if (Status s = InsertOne(w, footfall_in_write, r, now_ms, p, result); !s.ok()) return s;
      }
      run->clear();
      return Status::Ok();
    }
    uint64_t lo = run->front().e->seq, hi = lo;
    for (const Row& r : *run) {
      lo = std::min(lo, r.e->seq);
      hi = std::max(hi, r.e->seq);
    }
    // Which of the run's seqs are held (a resent batch): at most kChunkSpan rows.
    held_.clear();
    auto q = db_->PrepareOnce(
        &held_seqs_,
        "SELECT seq FROM events WHERE kiosk_key = ?1 AND seq BETWEEN ?2 AND ?3 ORDER BY seq");
    if (!q.ok()) return q.status();
    (*q)->Bind(1, run->front().kiosk_key).Bind(2, ToInt(lo)).Bind(3, ToInt(hi));
    sql::Statement& h = **q;
    if (Status s = h.ForEachRow([&] { held_.push_back(static_cast<uint64_t>(h.ColumnInt(0))); });
        !s.ok()) {
      return s;
    }
    fresh_.clear();
    alone_.clear();
    // Fresh: not held and above every fresh seq before it in the run (so not a repeat of one);
    // the others (held, repeated, or out of order) go one by one after the fresh ones, which
    // tells a duplicate or a conflict from a new event as before.
    uint64_t last_fresh = 0;
    for (const Row& r : *run) {
      uint64_t seq = r.e->seq;
      if (seq > last_fresh && !std::binary_search(held_.begin(), held_.end(), seq)) {
        last_fresh = seq;
        fresh_.push_back(r);
      } else {
        alone_.push_back(r);
      }
    }
    size_t i = 0;
    for (int c = 0; c < 2; ++c) {
      const int rows = kInsertChunks[c];
      for (; i + static_cast<size_t>(rows) <= fresh_.size(); i += static_cast<size_t>(rows)) {
        if (insert_chunk_sql_[c].empty()) insert_chunk_sql_[c] = InsertEventsSql(rows);
        auto prepared = insert_chunk_[c].GetBound(db_->handle(), insert_chunk_sql_[c].c_str());
        if (!prepared.ok()) return prepared.status();
        sqlite3_stmt* ins = *prepared;
        uint32_t* masks = insert_chunk_[c].RowMasks(static_cast<size_t>(rows));
        // Rows are bound in order with their payload lines taken as they would be one by one.
        for (int k = 0; k < rows; ++k) {
          const Row& r = fresh_[i + static_cast<size_t>(k)];
          bool superseded = false;
          if (Status s = OwnBlockFor(*r.e, now_ms, p); !s.ok()) return s;
          if (Status s = BindRow(insert_chunk_[c], k * kEventParams, r, *p, &superseded, &masks[k]);
              !s.ok()) {
            return s;
          }
          if (Status s = Inserted(footfall_in_write, r, superseded, now_ms, p, result); !s.ok())
            return s;
        }
        int rc = sqlite3_step(ins);
        sqlite3_reset(ins);
        if (rc != SQLITE_DONE) return sql::FromSqlite(rc, "insert events", db_->handle());
        if (sqlite3_changes(db_->handle()) != rows) {
          // Cannot happen under the write lock: the held seqs were read in this transaction.
          return Status::Internal("insert events: " + run->front().e->kiosk + " seqs " +
                                  std::to_string(lo) + ".." + std::to_string(hi) +
                                  " were held after all");
        }
      }
    }
    for (; i < fresh_.size(); ++i) {
      if (Status s = InsertOne(w, footfall_in_write, fresh_[i], now_ms, p, result); !s.ok()) {
        return s;
      }
    }
    for (const Row& r : alone_) {
      if (Status s = InsertOne(w, footfall_in_write, r, now_ms, p, result); !s.ok()) return s;
    }
    run->clear();
    return Status::Ok();
  }

  // Inserts the events of one write (of those WriteInTransaction takes) and stores the batches
  // they came in; the batch ids in *p are this write's.
  Status InsertEvents(const HubWrite& w, const FootfallIndex& footfall_in_write, int64_t now_ms,
                      PayloadIds* p, HubWriteResult* result) {
    p->batch_ids.assign(w.blocks.size(), 0);
    p->batch_sources.assign(w.blocks.size(), kSourceMqtt);
    // Events go in runs of one kiosk and nearby seqs (a batch is one); a compacting event
    // alone, after the run before it (its originals may be in that run).
    std::vector<Row>& run = run_;
    run.clear();
    uint64_t run_lo = 0, run_hi = 0;
    for (const HubEvent& e : w.events) {
      auto kiosk_key = KioskKeyOf(e.kiosk, e.store);
      if (!kiosk_key.ok()) return kiosk_key.status();
      auto dim_key = DimKeyOf(e.store, e.touchpoint, e.stage);
      if (!dim_key.ok()) return dim_key.status();
      if (e.block >= static_cast<int64_t>(w.blocks.size())) {
        return Status::InvalidArgument("hub write: event " + e.kiosk + "/" + std::to_string(e.seq) +
                                       " points at a missing block");
      }
      Row r{&e, *kiosk_key, *dim_key};
      bool joins = !run.empty() && run.front().kiosk_key == r.kiosk_key &&
                   std::max(run_hi, e.seq) - std::min(run_lo, e.seq) < kChunkSpan;
      if (!joins || !e.compacted.empty()) {
        if (Status s = InsertRun(w, footfall_in_write, &run, now_ms, p, result); !s.ok()) return s;
      }
      if (!e.compacted.empty()) {
        if (Status s = InsertOne(w, footfall_in_write, r, now_ms, p, result); !s.ok()) return s;
        continue;
      }
      if (run.empty()) run_lo = run_hi = e.seq;
      run_lo = std::min(run_lo, e.seq);
      run_hi = std::max(run_hi, e.seq);
      run.push_back(r);
    }
    if (Status s = InsertRun(w, footfall_in_write, &run, now_ms, p, result); !s.ok()) return s;
    for (size_t i = 0; i < p->batch_ids.size(); ++i) {
      if (!p->batch_ids[i]) continue;
      if (Status s = InsertPayload(p->batch_ids[i], PayloadCodec::kZstdBatch, w.blocks[i], now_ms,
                                   p->batch_sources[i]);
          !s.ok()) {
        return s;
      }
    }
    return Status::Ok();
  }

  // The writes in order, in one transaction, as one write holding all of them would be.
  Status WriteInTransaction(std::span<const HubWrite* const> writes, int64_t now_ms,
                            HubWriteResult* result) {
    // Rollup deltas of this whole write, written once per touched cell at the end.
    cell_deltas_.clear();
    kiosk_deltas_.Clear();
    // Payload ids: the JSON of new events goes into our own compressed blocks, or, when the
    // event came in a compressed batch (HubEvent::block), the batch is stored as it came. An id
    // is taken (next_id++) when its first event is inserted; all-duplicate batches store nothing.
    PayloadIds p;
    bool any_events = false, any_compacted = false;
    for (const HubWrite* w : writes) {
      any_events = any_events || !w->events.empty();
      any_compacted =
          any_compacted || std::any_of(w->events.begin(), w->events.end(),
                                       [](const HubEvent& e) { return !e.compacted.empty(); });
    }
    if (any_events) {
      auto next = NextPayloadId();
      if (!next.ok()) return next.status();
      p.next_id = *next;
    }
    // This write's footfall events by (kiosk, seq), for compactions whose originals came in it
    // (their JSON may still wait in the payload block); made only when the write compacts.
    FootfallIndex footfall_in_write;
    if (any_compacted) {
      for (const HubWrite* w : writes) {
        for (const HubEvent& e : w->events) {
          if (e.type == EventType::kFootfall)
            footfall_in_write.emplace(FootfallIndex::key_type(e.kiosk, e.seq), &e);
        }
      }
    }
    for (const HubWrite* w : writes) {
      if (Status s = InsertEvents(*w, footfall_in_write, now_ms, &p, result); !s.ok()) return s;
    }
    if (!levels_) levels_ = std::make_unique<rollups::Levels>(db_->handle());
    if (Status s = levels_->Flush(&cell_deltas_); !s.ok()) return s;
    if (!p.block.empty()) {
      if (Status s = StorePayloadBlock(p.block_id, &p.block, now_ms, p.block_source); !s.ok())
        return s;
    }
    for (const HubWrite* w : writes) {
      for (const Reject& r : w->rejects) {
        if (Status s = InsertReject(r, now_ms); !s.ok()) return s;
      }
    }
    for (const HubWrite* w : writes) {
      if (Status s = WriteOthers(*w, now_ms); !s.ok()) return s;
    }
    return kiosk_deltas_.Flush(db_.get(), writes);
  }

  // A write's enrolments, statuses and known gaps.
  Status WriteOthers(const HubWrite& w, int64_t now_ms) {
    for (const KioskRegistration& r : w.enrolments) {
      auto st = db_->Prepare(
          "INSERT OR IGNORE INTO registered_kiosks(kiosk, store, added_ms, how) "
          "VALUES(?1, ?2, ?3, ?4)");
      if (!st.ok()) return st.status();
      st->Bind(1, r.kiosk)
          .Bind(2, r.store)
          .Bind(3, r.added_ms ? r.added_ms : now_ms)
          .Bind(4, r.how);
      if (Status s = st->Run(); !s.ok()) return s;
    }
    for (const KioskStatus& k : w.statuses) {
      auto st = db_->Prepare(
          // An "offline" will carries no versions or queue depth: keep the last known ones.
          "INSERT INTO kiosk_status(kiosk, store, state, status_time_ms, received_ms, "
          "queue_depth, software_version, config_version, json) "
          "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(kiosk) DO UPDATE SET "
          "store = excluded.store, state = excluded.state, "
          "status_time_ms = excluded.status_time_ms, received_ms = excluded.received_ms, "
          "queue_depth = COALESCE(excluded.queue_depth, queue_depth), "
          "software_version = CASE WHEN excluded.software_version != '' "
          "THEN excluded.software_version ELSE software_version END, "
          "config_version = CASE WHEN excluded.config_version != '' "
          "THEN excluded.config_version ELSE config_version END, json = excluded.json");
      if (!st.ok()) return st.status();
      st->Bind(1, k.kiosk).Bind(2, k.store).Bind(3, k.state).Bind(4, k.status_time_ms);
      st->Bind(5, k.received_ms ? k.received_ms : now_ms);
      if (k.queue_depth) {
        st->Bind(6, *k.queue_depth);
      } else {
        st->BindNull(6);
      }
      st->Bind(7, k.software_version).Bind(8, k.config_version).Bind(9, k.json);
      if (Status s = st->Run(); !s.ok()) return s;
    }
    for (const KnownGap& g : w.gaps) {
      auto st = db_->Prepare(
          "INSERT OR REPLACE INTO known_gaps(kiosk, first_seq, last_seq, reported_ms) "
          "VALUES(?1, ?2, ?3, ?4)");
      if (!st.ok()) return st.status();
      st->Bind(1, g.kiosk).Bind(2, ToInt(g.range.first)).Bind(3, ToInt(g.range.last));
      st->Bind(4, g.reported_ms ? g.reported_ms : now_ms);
      if (Status s = st->Run(); !s.ok()) return s;
    }
    return Status::Ok();
  }

  // (kiosk, seq) is held already: the same event again (a resend), or a conflict: another
  // event under that seq (a kiosk that reused seqs, or a forgery that came first). A conflict
  // is kept as a reject with both ids and counted for the kiosk. Rows stored before version 3
  // have no id hash: a copy of those counts as a duplicate.
  Result<bool> CheckDuplicate(const HubWrite& w, const HubEvent& e, int64_t kiosk_key,
                              int64_t id_hash, int64_t now_ms) {
    auto held = db_->Prepare("SELECT id_hash FROM events WHERE kiosk_key = ?1 AND seq = ?2");
    if (!held.ok()) return held.status();
    held->Bind(1, kiosk_key).Bind(2, ToInt(e.seq));
    auto row = held->Step();
    if (!row.ok()) return row.status();
    if (!*row || held->ColumnIsNull(0) || held->ColumnInt(0) == id_hash) return false;
    std::string json = e.json;
    if (json.empty() && e.block >= 0) {
      auto line = PayloadLine(PayloadCodec::kZstdBatch, w.blocks[static_cast<size_t>(e.block)],
                              e.block_offset);
      if (line.ok()) json = std::move(line.value());
    }
    Reject r;
    r.received_ms = now_ms;
    r.source = e.source;
    r.kiosk = e.kiosk;
    r.seq = e.seq;
    r.reason = "conflict: seq " + std::to_string(e.seq) + " of kiosk " + e.kiosk +
               " is held with another event; this copy (id " + e.id + ") is not stored";
    r.payload = std::move(json);
    if (Status s = InsertReject(r, now_ms); !s.ok()) return s;
    if (Status s = BumpCounter(e.kiosk, "conflicts", 1); !s.ok()) return s;
    return true;
  }

  Status BumpCounter(const std::string& kiosk, const char* name, int64_t by) {
    auto st =
        db_->PrepareOnce(&bump_counter_,
                         "INSERT INTO hub_counters(kiosk, name, value) VALUES(?1, ?2, ?3) "
                         "ON CONFLICT(kiosk, name) DO UPDATE SET value = value + excluded.value");
    if (!st.ok()) return st.status();
    sql::Statement& q = **st;
    q.Bind(1, kiosk).Bind(2, std::string_view(name)).Bind(3, by);
    return q.Run();
  }

  // Keeps an excerpt with the whole payload's size and hash; the oldest rows beyond
  // kMaxRejectsKept go (the total stays counted).
  Status InsertReject(const Reject& r, int64_t now_ms) {
    auto st =
        db_->PrepareOnce(&insert_reject_,
                         "INSERT INTO rejects(received_ms, source, kiosk, seq, reason, payload, "
                         "payload_bytes, payload_sha256) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!st.ok()) return st.status();
    sql::Statement& q = **st;
    std::string_view payload = r.payload;
    q.Bind(1, r.received_ms ? r.received_ms : now_ms).Bind(2, r.source).Bind(3, r.kiosk);
    if (r.seq) {
      q.Bind(4, ToInt(*r.seq));
    } else {
      q.BindNull(4);
    }
    q.Bind(5, r.reason).Bind(6, payload.substr(0, kRejectExcerptBytes));
    q.Bind(7, r.payload_bytes >= 0 ? r.payload_bytes : static_cast<int64_t>(payload.size()));
    std::string sha = r.payload_sha256.empty() ? Sha256Hex(payload) : r.payload_sha256;
    q.Bind(8, sha);
    if (Status s = q.Run(); !s.ok()) return s;
    int64_t id = db_->LastInsertRowId();
    if (Status s = BumpCounter("", "rejects", 1); !s.ok()) return s;
    if (id % 1000 == 0 && id > kMaxRejectsKept) {
      auto del = db_->Prepare("DELETE FROM rejects WHERE id <= ?1");
      if (!del.ok()) return del.status();
      del->Bind(1, id - kMaxRejectsKept);
      return del->Run();
    }
    return Status::Ok();
  }

  Status ApplyCompaction(const FootfallIndex& in_write, const HubEvent& e, int64_t kiosk_key,
                         SeqRange r) {
    auto st =
        db_->PrepareOnce(&insert_compaction_,
                         "INSERT OR IGNORE INTO compactions(kiosk, first_seq, last_seq, by_seq) "
                         "VALUES(?1, ?2, ?3, ?4)");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, e.kiosk).Bind(2, ToInt(r.first));
    (*st)->Bind(3, ToInt(r.last)).Bind(4, ToInt(e.seq));
    if (Status s = (*st)->Run(); !s.ok()) return s;
    compactions_rowid_ = std::max(compactions_rowid_, db_->LastInsertRowId());
    // The originals held and still counted leave their cells (exactly once: they are marked
    // superseded below, and one that arrives later is superseded at insert).
    auto held =
        db_->PrepareOnce(&counted_originals_,
                         "SELECT dim_key, time_ms, utc_offset_min, f_in, f_out, f_interval_s, seq "
                         "FROM events WHERE kiosk_key = ?1 AND seq BETWEEN ?2 AND ?3 AND type = ?5 "
                         "AND seq != ?4 AND superseded_by IS NULL AND "
                         "(flags IS NULL OR (flags & ?6) = 0)");
    if (!held.ok()) return held.status();
    (*held)->Bind(1, kiosk_key).Bind(2, ToInt(r.first));
    (*held)->Bind(3, ToInt(r.last)).Bind(4, ToInt(e.seq));
    (*held)->Bind(5, EventTypeCode(EventType::kFootfall)).Bind(6, kEventFlagTimeOutOfRange);
    sql::Statement& h = **held;
    struct Original {
      int64_t dim_key, time_ms, offset_min, in, out, interval_s, seq;
    };
    std::vector<Original> originals;
    Status read = h.ForEachRow([&] {
      originals.push_back({h.ColumnInt(0), h.ColumnInt(1), h.ColumnInt(2), h.ColumnInt(3),
                           h.ColumnInt(4), h.ColumnInt(5), h.ColumnInt(6)});
    });
    if (!read.ok()) return read;
    for (const Original& o : originals) {
      // Their zones' dwell (v2) lives only in their JSON: taken from this write when the original
      // came in it (its JSON may still wait in the payload block), else read back.
      std::vector<ZoneStats> zones;
      auto same = in_write.find({e.kiosk, static_cast<uint64_t>(o.seq)});
      if (same != in_write.end()) {
        zones = same->second->zones;
      } else {
        auto json = queries::EventJson(db_.get(), e.kiosk, static_cast<uint64_t>(o.seq));
        if (!json.ok()) return json.status();
        if (!json->has_value()) {
          return Status::Internal("compaction: the JSON of " + e.kiosk + "/" +
                                  std::to_string(o.seq) + " is missing");
        }
        auto decoded = DecodeEvent(**json);
        if (!decoded.ok()) return decoded.status();
        if (auto* ff = std::get_if<FootfallPayload>(&decoded->payload)) {
          zones = std::move(ff->zones);
        }
      }
      rollups::AddFootfall(&cell_deltas_, o.dim_key, o.time_ms, static_cast<int32_t>(o.offset_min),
                           o.in, o.out, o.interval_s, -1, zones);
    }
    auto up = db_->PrepareOnce(
        &supersede_,
        "UPDATE events SET superseded_by = ?4 WHERE kiosk_key = ?1 AND seq BETWEEN "
        "?2 AND ?3 AND type = ?5 AND seq != ?4");
    if (!up.ok()) return up.status();
    (*up)->Bind(1, kiosk_key).Bind(2, ToInt(r.first));
    (*up)->Bind(3, ToInt(r.last)).Bind(4, ToInt(e.seq));
    (*up)->Bind(5, EventTypeCode(EventType::kFootfall));
    if (Status s = (*up)->Run(); !s.ok()) return s;
    AddCompaction(e.kiosk, r, e.seq);
    return Status::Ok();
  }

  // After each commit (writer thread): wake the checkpointer once the WAL holds enough pages;
  // if it falls far behind, checkpoint here so the WAL stays bounded.
  static int OnWalCommit(void* self, sqlite3* db, const char* schema, int frames) {
    auto* store = static_cast<SqliteHubStore*>(self);
    if (frames >= kWalInlineCheckpointPages) {
      sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } else if (frames >= kWalCheckpointPages) {
      {
        std::lock_guard<std::mutex> lock(store->ckpt_mu_);
        store->ckpt_wanted_ = true;
      }
      store->ckpt_cv_.notify_one();
    }
    return SQLITE_OK;
  }

  // Copies committed WAL pages into the database on its own connection (PASSIVE: never blocks
  // the writer); the writer's next transaction then restarts the WAL from its beginning.
  void RunCheckpoints() {
    NameThisThread("tp-hub-ckpt");
    auto db = sql::Database::Open(db_->path(), sql::Database::Mode::kReadWriteCreate);
    if (!db.ok()) return;  // the writer's inline checkpoints still bound the WAL
    // A connection sees the WAL only once it has read the database.
    if (!(*db)->QueryText("PRAGMA journal_mode").ok()) return;
    while (true) {
      {
        std::unique_lock<std::mutex> lock(ckpt_mu_);
        ckpt_cv_.wait(lock, [&] { return ckpt_stop_ || ckpt_wanted_; });
        if (ckpt_stop_) return;
        ckpt_wanted_ = false;
      }
      sqlite3_wal_checkpoint_v2((*db)->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                nullptr);
    }
  }

  static constexpr int kWalCheckpointPages = 1024;         // 16 MiB
  static constexpr int kWalInlineCheckpointPages = 16384;  // 256 MiB

  std::unique_ptr<sql::Database> db_;
  // Finalized before db_ closes (declared after it).
  PersistentStatement insert_event_, insert_chunk_[2], insert_kiosk_, insert_dim_, insert_payload_;
  std::string insert_chunk_sql_[2];
  std::optional<sql::Statement> bump_counter_, insert_reject_, insert_compaction_, supersede_,
      counted_originals_, held_seqs_;
  // Scratch of InsertRun (kept: no allocation per run).
  std::vector<uint64_t> held_;
  std::vector<Row> run_, fresh_, alone_;
  std::unique_ptr<rollups::Levels> levels_;
  rollups::CellMap cell_deltas_;       // of the current write (rollups.h)
  kiosk_counts::Deltas kiosk_deltas_;  // of the current write
  // Caches of committed rows (cleared when a transaction rolls back).
  std::unordered_map<std::string, KioskKey> kiosk_keys_;
  std::unordered_map<std::string, int64_t> dim_keys_;  // "store\0touchpoint\0stage" -> key
  std::string last_dim_[3];                            // store, touchpoint, stage of
  int64_t last_dim_key_ = 0;                           // the last DimKeyOf (0: none)
  // kiosk -> first replaced seq -> range end and replacing event (mirrors `compactions`).
  std::map<std::string, std::map<uint64_t, Compaction>> compactions_;
  bool compactions_loaded_ = false;
  int64_t compactions_rowid_ = 0;  // highest compactions rowid loaded
  int64_t data_version_ = 0;       // PRAGMA data_version when compactions were last read
  std::mutex ckpt_mu_;
  std::condition_variable ckpt_cv_;
  bool ckpt_wanted_ = false, ckpt_stop_ = false;
  std::thread checkpointer_;
  bool durable_ = true;  // the connection's synchronous setting is FULL
  std::mutex sync_mu_;
  int wal_fd_ = -1;  // the WAL file, opened by the first Sync()
};

}  // namespace

Result<std::unique_ptr<HubStore>> OpenSqliteHubStore(const std::string& path) {
  auto db = sql::Database::Open(path, sql::Database::Mode::kReadWriteCreate);
  if (!db.ok()) return db.status();
  auto store = std::make_unique<SqliteHubStore>(std::move(db.value()));
  if (Status s = store->Init(); !s.ok()) return s;
  return std::unique_ptr<HubStore>(std::move(store));
}

}  // namespace touchpoint::hub
