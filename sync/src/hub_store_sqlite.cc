// The hub's embedded store: SQLite through core's RAII layer.
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <sqlite3.h>

#include "touchpoint/core/sqlite.h"
#include "touchpoint/sync/hub_store.h"

namespace touchpoint::sync {

HubEvent ToHubEvent(const Event& e, std::string json, std::string source) {
  HubEvent h;
  h.kiosk = e.kiosk_id;
  h.store = e.store_id;
  h.touchpoint = e.touchpoint;
  h.stage = e.journey_stage;
  h.id = e.id;
  h.seq = e.seq;
  h.type = e.type();
  h.time_ms = e.time_ms;
  h.source = std::move(source);
  h.json = std::move(json);
  auto scores = [&h](const std::vector<Answer>& answers) {
    std::string tags;
    for (const Answer& a : answers) {
      switch (a.type) {
        case QuestionType::kCsat:
          if (!h.csat && a.score) h.csat = a.score;
          break;
        case QuestionType::kNps:
          if (!h.nps && a.score) h.nps = a.score;
          break;
        case QuestionType::kEffort:
          if (!h.effort && a.score) h.effort = a.score;
          break;
        case QuestionType::kTags:
          for (const std::string& t : a.tags) {
            if (!tags.empty()) tags += ',';
            tags += t;
          }
          break;
        case QuestionType::kText:
          break;
      }
    }
    h.tags = std::move(tags);
  };
  if (const auto* fb = std::get_if<FeedbackPayload>(&e.payload)) {
    scores(fb->answers);
    h.suspect = fb->suspect;
  } else if (const auto* ab = std::get_if<FeedbackAbandonedPayload>(&e.payload)) {
    scores(ab->answers);
  } else if (const auto* ff = std::get_if<FootfallPayload>(&e.payload)) {
    h.time_ms = ff->interval_start_ms;
    h.interval_s = ff->interval_s;
    for (const LineCount& l : ff->lines) {
      h.visitors_in += l.in;
      h.visitors_out += l.out;
    }
    h.compacted = RangesOf(ff->compacted_seqs);
  } else if (const auto* cv = std::get_if<CoveragePayload>(&e.payload)) {
    h.coverage_source = cv->source;
    h.coverage_start_ms = cv->start_ms;
    h.coverage_end_ms = cv->end_ms;
  }
  return h;
}

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS events(
  kiosk TEXT NOT NULL, seq INTEGER NOT NULL,
  store TEXT NOT NULL, touchpoint TEXT NOT NULL, stage TEXT NOT NULL,
  type TEXT NOT NULL, time_ms INTEGER NOT NULL, id TEXT NOT NULL,
  received_ms INTEGER NOT NULL, source TEXT NOT NULL,
  superseded_by INTEGER,
  f_in INTEGER, f_out INTEGER, f_interval_s INTEGER,
  csat INTEGER, nps INTEGER, effort INTEGER, tags TEXT, suspect INTEGER,
  c_source TEXT, c_start_ms INTEGER, c_end_ms INTEGER,
  json TEXT NOT NULL,
  UNIQUE(kiosk, seq));
CREATE INDEX IF NOT EXISTS events_time ON events(time_ms);
CREATE TABLE IF NOT EXISTS compactions(
  kiosk TEXT NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,
  by_seq INTEGER NOT NULL, PRIMARY KEY(kiosk, by_seq, first_seq));
CREATE TABLE IF NOT EXISTS rejects(
  id INTEGER PRIMARY KEY, received_ms INTEGER NOT NULL, source TEXT NOT NULL,
  kiosk TEXT NOT NULL, seq INTEGER, reason TEXT NOT NULL, payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS known_gaps(
  kiosk TEXT NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,
  reported_ms INTEGER NOT NULL, PRIMARY KEY(kiosk, first_seq));
CREATE TABLE IF NOT EXISTS kiosk_status(
  kiosk TEXT PRIMARY KEY, store TEXT NOT NULL, state TEXT NOT NULL,
  status_time_ms INTEGER NOT NULL, received_ms INTEGER NOT NULL, queue_depth INTEGER,
  software_version TEXT NOT NULL, config_version TEXT NOT NULL, json TEXT NOT NULL);
PRAGMA user_version = 1;
)sql";

constexpr size_t kMaxRejectPayload = 64 * 1024;

int64_t ToInt(uint64_t v) { return static_cast<int64_t>(v); }

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
    sqlite3_finalize(insert_);
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
    if (Status s = db_->Exec(kSchema); !s.ok()) return s;
    auto rows = db_->Prepare("SELECT kiosk, first_seq, last_seq, by_seq FROM compactions");
    if (!rows.ok()) return rows.status();
    while (true) {
      auto step = rows->Step();
      if (!step.ok()) return step.status();
      if (!*step) break;
      compactions_[rows->ColumnText(0)].emplace(
          static_cast<uint64_t>(rows->ColumnInt(1)),
          Compaction{static_cast<uint64_t>(rows->ColumnInt(2)),
                     static_cast<uint64_t>(rows->ColumnInt(3))});
    }
    return Status::Ok();
  }

  Result<HubWriteResult> Write(const HubWrite& w, int64_t now_ms) override {
    return WriteWith(w, now_ms, /*durable=*/true);
  }

  // synchronous=NORMAL for this commit: the WAL is written but not flushed; Sync() flushes it.
  Result<HubWriteResult> WriteDeferred(const HubWrite& w, int64_t now_ms) override {
    return WriteWith(w, now_ms, /*durable=*/false);
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

  Result<HubWriteResult> WriteWith(const HubWrite& w, int64_t now_ms, bool durable) {
    if (!checkpointer_.joinable()) checkpointer_ = std::thread([this] { RunCheckpoints(); });
    if (durable != durable_) {
      Status s = db_->Exec(durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
      if (!s.ok()) return s;
      durable_ = durable;
    }
    HubWriteResult result;
    if (Status s = db_->Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    Status s = WriteInTransaction(w, now_ms, &result);
    if (s.ok()) s = db_->Exec("COMMIT");
    if (!s.ok()) {
      db_->RollbackQuietly();
      return s;
    }
    return result;
  }

  Result<std::vector<KioskSeqs>> AccountedSeqs() override {
    std::map<std::string, KioskSeqs> by_kiosk;
    auto add_range = [&](const std::string& kiosk, SeqRange r) {
      KioskSeqs& k = by_kiosk[kiosk];
      k.kiosk = kiosk;
      if (!k.ranges.empty() && r.first >= k.ranges.back().first &&
          r.first <= k.ranges.back().last + 1) {
        k.ranges.back().last = std::max(k.ranges.back().last, r.last);
      } else {
        k.ranges.push_back(r);
      }
    };
    {
      auto st = db_->Prepare("SELECT kiosk, store, seq FROM events ORDER BY kiosk, seq");
      if (!st.ok()) return st.status();
      while (true) {
        auto step = st->Step();
        if (!step.ok()) return step.status();
        if (!*step) break;
        std::string kiosk(st->ColumnTextView(0));
        uint64_t seq = static_cast<uint64_t>(st->ColumnInt(2));
        add_range(kiosk, {seq, seq});
        by_kiosk[kiosk].store = st->ColumnText(1);
      }
    }
    for (const char* q : {"SELECT kiosk, seq, seq FROM rejects WHERE seq IS NOT NULL",
                          "SELECT kiosk, first_seq, last_seq FROM known_gaps",
                          "SELECT kiosk, first_seq, last_seq FROM compactions"}) {
      auto st = db_->Prepare(q);
      if (!st.ok()) return st.status();
      while (true) {
        auto step = st->Step();
        if (!step.ok()) return step.status();
        if (!*step) break;
        KioskSeqs& k = by_kiosk[st->ColumnText(0)];
        k.kiosk = st->ColumnText(0);
        k.ranges.push_back(
            {static_cast<uint64_t>(st->ColumnInt(1)), static_cast<uint64_t>(st->ColumnInt(2))});
      }
    }
    std::vector<KioskSeqs> out;
    for (auto& [kiosk, k] : by_kiosk) {
      k.ranges = MergeRanges(std::move(k.ranges));
      out.push_back(std::move(k));
    }
    return out;
  }

  Result<std::vector<MapFact>> Facts(const MapFilter& f) override {
    std::string q =
        "SELECT store, touchpoint, stage, type, time_ms, f_in, f_out, f_interval_s, csat, nps, "
        "effort, tags, suspect, c_source, c_start_ms, c_end_ms FROM events "
        "WHERE superseded_by IS NULL AND type IN ('footfall','feedback','feedback_abandoned',"
        "'coverage') AND ((type = 'coverage' AND c_end_ms > ?1 AND c_start_ms < ?2) OR "
        "(type != 'coverage' AND time_ms >= ?1 AND time_ms < ?2))";
    if (!f.store.empty()) q += " AND store = ?3";
    if (!f.touchpoint.empty()) q += " AND touchpoint = ?4";
    if (!f.stage.empty()) q += " AND stage = ?5";
    auto st = db_->Prepare(q);
    if (!st.ok()) return st.status();
    st->Bind(1, f.from_ms.value_or(std::numeric_limits<int64_t>::min()));
    st->Bind(2, f.to_ms.value_or(std::numeric_limits<int64_t>::max()));
    if (!f.store.empty()) st->Bind(3, f.store);
    if (!f.touchpoint.empty()) st->Bind(4, f.touchpoint);
    if (!f.stage.empty()) st->Bind(5, f.stage);
    std::vector<MapFact> out;
    while (true) {
      auto step = st->Step();
      if (!step.ok()) return step.status();
      if (!*step) break;
      MapFact m;
      m.store = st->ColumnText(0);
      m.touchpoint = st->ColumnText(1);
      m.stage = st->ColumnText(2);
      m.type = ParseEventType(st->ColumnText(3)).value_or(EventType::kStatus);
      m.time_ms = st->ColumnInt(4);
      m.visitors_in = st->ColumnInt(5);
      m.visitors_out = st->ColumnInt(6);
      m.interval_s = static_cast<int32_t>(st->ColumnInt(7));
      if (!st->ColumnIsNull(8)) m.csat = static_cast<int>(st->ColumnInt(8));
      if (!st->ColumnIsNull(9)) m.nps = static_cast<int>(st->ColumnInt(9));
      if (!st->ColumnIsNull(10)) m.effort = static_cast<int>(st->ColumnInt(10));
      m.tags = st->ColumnText(11);
      m.suspect = st->ColumnInt(12) != 0;
      m.coverage_source = st->ColumnText(13);
      m.coverage_start_ms = st->ColumnInt(14);
      m.coverage_end_ms = st->ColumnInt(15);
      out.push_back(std::move(m));
    }
    return out;
  }

  Result<std::vector<Reject>> Rejects(size_t limit) override {
    auto st = db_->Prepare(
        "SELECT received_ms, source, kiosk, seq, reason, payload FROM rejects "
        "ORDER BY id DESC LIMIT ?1");
    if (!st.ok()) return st.status();
    st->Bind(1, static_cast<int64_t>(limit));
    std::vector<Reject> out;
    while (true) {
      auto step = st->Step();
      if (!step.ok()) return step.status();
      if (!*step) break;
      Reject r;
      r.received_ms = st->ColumnInt(0);
      r.source = st->ColumnText(1);
      r.kiosk = st->ColumnText(2);
      if (!st->ColumnIsNull(3)) r.seq = static_cast<uint64_t>(st->ColumnInt(3));
      r.reason = st->ColumnText(4);
      r.payload = st->ColumnText(5);
      out.push_back(std::move(r));
    }
    return out;
  }

  Result<int64_t> RejectCount() override {
    auto n = db_->QueryInt("SELECT COUNT(*) FROM rejects");
    if (!n.ok()) return n.status();
    return n->value_or(0);
  }

  Result<std::vector<KnownGap>> KnownGaps() override {
    auto st = db_->Prepare(
        "SELECT kiosk, first_seq, last_seq, reported_ms FROM known_gaps ORDER BY kiosk, "
        "first_seq");
    if (!st.ok()) return st.status();
    std::vector<KnownGap> out;
    while (true) {
      auto step = st->Step();
      if (!step.ok()) return step.status();
      if (!*step) break;
      out.push_back(
          {st->ColumnText(0),
           {static_cast<uint64_t>(st->ColumnInt(1)), static_cast<uint64_t>(st->ColumnInt(2))},
           st->ColumnInt(3)});
    }
    return out;
  }

  Result<std::vector<KioskSummary>> Kiosks() override {
    std::map<std::string, KioskSummary> by_kiosk;
    {
      auto st = db_->Prepare(
          "SELECT kiosk, MAX(store), COUNT(*), MAX(seq), MAX(received_ms) FROM events "
          "GROUP BY kiosk");
      if (!st.ok()) return st.status();
      while (true) {
        auto step = st->Step();
        if (!step.ok()) return step.status();
        if (!*step) break;
        by_kiosk[st->ColumnText(0)] = {st->ColumnText(0), st->ColumnText(1),
                                       st->ColumnInt(2),  static_cast<uint64_t>(st->ColumnInt(3)),
                                       st->ColumnInt(4),  std::nullopt};
      }
    }
    auto st = db_->Prepare(
        "SELECT kiosk, store, state, status_time_ms, received_ms, queue_depth, "
        "software_version, config_version, json FROM kiosk_status");
    if (!st.ok()) return st.status();
    while (true) {
      auto step = st->Step();
      if (!step.ok()) return step.status();
      if (!*step) break;
      KioskStatus k;
      k.kiosk = st->ColumnText(0);
      k.store = st->ColumnText(1);
      k.state = st->ColumnText(2);
      k.status_time_ms = st->ColumnInt(3);
      k.received_ms = st->ColumnInt(4);
      if (!st->ColumnIsNull(5)) k.queue_depth = st->ColumnInt(5);
      k.software_version = st->ColumnText(6);
      k.config_version = st->ColumnText(7);
      k.json = st->ColumnText(8);
      KioskSummary& sum = by_kiosk[k.kiosk];
      sum.kiosk = k.kiosk;
      if (sum.store.empty()) sum.store = k.store;
      sum.status = std::move(k);
    }
    std::vector<KioskSummary> out;
    for (auto& [kiosk, sum] : by_kiosk) out.push_back(std::move(sum));
    return out;
  }

  Result<int64_t> CountEvents() override {
    auto n = db_->QueryInt("SELECT COUNT(*) FROM events");
    if (!n.ok()) return n.status();
    return n->value_or(0);
  }

 private:
  Status Prepared() {
    if (insert_) return Status::Ok();
    const char* q =
        "INSERT OR IGNORE INTO events(kiosk, seq, store, touchpoint, stage, type, time_ms, id, "
        "received_ms, source, superseded_by, f_in, f_out, f_interval_s, csat, nps, effort, "
        "tags, suspect, c_source, c_start_ms, c_end_ms, json) VALUES(?1, ?2, ?3, ?4, ?5, ?6, "
        "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)";
    int rc = sqlite3_prepare_v3(db_->handle(), q, -1, SQLITE_PREPARE_PERSISTENT, &insert_, nullptr);
    if (rc != SQLITE_OK) return sql::FromSqlite(rc, "prepare insert event", db_->handle());
    return Status::Ok();
  }

  // The compacted footfall event that replaces (kiosk, seq), from memory (no query per event).
  std::optional<uint64_t> CompactedBy(const std::string& kiosk, uint64_t seq) const {
    auto k = compactions_.find(kiosk);
    if (k == compactions_.end()) return std::nullopt;
    // Ranges may overlap (several compactions); look at every range starting at or before seq.
    for (auto it = k->second.begin(); it != k->second.end() && it->first <= seq; ++it) {
      if (it->second.last >= seq) return it->second.by;
    }
    return std::nullopt;
  }

  Status WriteInTransaction(const HubWrite& w, int64_t now_ms, HubWriteResult* result) {
    if (Status s = Prepared(); !s.ok()) return s;
    sqlite3_stmt* ins = insert_;
    // Binds point into `w`, which outlives the statement's execution (SQLITE_STATIC: no copies).
    auto text = [ins](int i, std::string_view v) {
      sqlite3_bind_text(ins, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    };
    auto opt = [ins](int i, const std::optional<int>& v) {
      if (v) {
        sqlite3_bind_int64(ins, i, *v);
      } else {
        sqlite3_bind_null(ins, i);
      }
    };
    for (const HubEvent& e : w.events) {
      std::optional<uint64_t> superseded;
      if (e.type == EventType::kFootfall) superseded = CompactedBy(e.kiosk, e.seq);
      sqlite3_reset(ins);
      text(1, e.kiosk);
      sqlite3_bind_int64(ins, 2, ToInt(e.seq));
      text(3, e.store);
      text(4, e.touchpoint);
      text(5, e.stage);
      text(6, EventTypeName(e.type));
      sqlite3_bind_int64(ins, 7, e.time_ms);
      text(8, e.id);
      sqlite3_bind_int64(ins, 9, now_ms);
      text(10, e.source);
      if (superseded) {
        sqlite3_bind_int64(ins, 11, ToInt(*superseded));
      } else {
        sqlite3_bind_null(ins, 11);
      }
      sqlite3_bind_int64(ins, 12, e.visitors_in);
      sqlite3_bind_int64(ins, 13, e.visitors_out);
      sqlite3_bind_int64(ins, 14, e.interval_s);
      opt(15, e.csat);
      opt(16, e.nps);
      opt(17, e.effort);
      text(18, e.tags);
      sqlite3_bind_int64(ins, 19, e.suspect ? 1 : 0);
      text(20, e.coverage_source);
      sqlite3_bind_int64(ins, 21, e.coverage_start_ms);
      sqlite3_bind_int64(ins, 22, e.coverage_end_ms);
      text(23, e.json);
      int rc = sqlite3_step(ins);
      if (rc != SQLITE_DONE) {
        Status s = sql::FromSqlite(rc, "insert event", db_->handle());
        sqlite3_reset(ins);
        return s;
      }
      if (sqlite3_changes(db_->handle()) == 1) {
        ++result->inserted;
        for (const SeqRange& r : e.compacted) {
          if (Status s = ApplyCompaction(e, r); !s.ok()) return s;
        }
      } else {
        ++result->duplicates;
      }
    }
    sqlite3_reset(ins);
    sqlite3_clear_bindings(ins);
    for (const Reject& r : w.rejects) {
      auto st = db_->Prepare(
          "INSERT INTO rejects(received_ms, source, kiosk, seq, reason, payload) "
          "VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
      if (!st.ok()) return st.status();
      st->Bind(1, r.received_ms ? r.received_ms : now_ms).Bind(2, r.source).Bind(3, r.kiosk);
      if (r.seq) {
        st->Bind(4, ToInt(*r.seq));
      } else {
        st->BindNull(4);
      }
      st->Bind(5, r.reason).Bind(6, std::string_view(r.payload).substr(0, kMaxRejectPayload));
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

  Status ApplyCompaction(const HubEvent& e, SeqRange r) {
    auto st = db_->Prepare(
        "INSERT OR IGNORE INTO compactions(kiosk, first_seq, last_seq, by_seq) "
        "VALUES(?1, ?2, ?3, ?4)");
    if (!st.ok()) return st.status();
    st->Bind(1, e.kiosk).Bind(2, ToInt(r.first));
    st->Bind(3, ToInt(r.last)).Bind(4, ToInt(e.seq));
    if (Status s = st->Run(); !s.ok()) return s;
    auto up = db_->Prepare(
        "UPDATE events SET superseded_by = ?4 WHERE kiosk = ?1 AND seq BETWEEN ?2 AND ?3 "
        "AND type = 'footfall' AND seq != ?4");
    if (!up.ok()) return up.status();
    up->Bind(1, e.kiosk).Bind(2, ToInt(r.first));
    up->Bind(3, ToInt(r.last)).Bind(4, ToInt(e.seq));
    if (Status s = up->Run(); !s.ok()) return s;
    compactions_[e.kiosk].emplace(r.first, Compaction{r.last, e.seq});
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
    pthread_setname_np(pthread_self(), "tp-hub-ckpt");
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

  struct Compaction {
    uint64_t last = 0;  // of the replaced range
    uint64_t by = 0;    // seq of the compacted event
  };

  std::unique_ptr<sql::Database> db_;
  sqlite3_stmt* insert_ = nullptr;  // finalized before db_ closes
  // kiosk -> first replaced seq -> range end and replacing event (mirrors `compactions`).
  std::map<std::string, std::multimap<uint64_t, Compaction>> compactions_;
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

}  // namespace touchpoint::sync
