// The event store's writer: one connection, one thread, group commit of everything queued.
#include "touchpoint/core/event_store.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "store_schema.h"
#include "touchpoint/core/data_files.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/core/sqlite.h"

namespace touchpoint {

namespace {

constexpr uint64_t kSeqReservation = 100000;  // seqs reserved in the sidecar per fsync
constexpr int64_t kHourMs = 3600 * 1000;

int64_t FileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

// A status of the same kind as `s` (disk full, I/O error, busy) with another message.
Status SameKind(const Status& s, std::string message) {
  switch (s.code()) {
    case Status::Code::kDiskFull:
      return Status::DiskFull(std::move(message));
    case Status::Code::kBusy:
      return Status::Busy(std::move(message));
    default:
      return Status::IoError(std::move(message));
  }
}

struct Request {
  enum class Kind { kAppend, kAck, kFlush } kind = Kind::kAppend;
  std::vector<Event> events;
  std::function<void(const Result<std::vector<uint64_t>>&)> on_append;
  uint64_t first = 0, last = 0;
  std::function<void(const Result<int64_t>&)> on_ack;
  std::function<void()> on_flush;
  size_t weight() const { return kind == Kind::kAppend ? events.size() : 1; }
};

}  // namespace

struct EventStore::Impl {
  EventStoreOptions opt;
  std::shared_ptr<Clock> clock;
  std::unique_ptr<sql::Database> db;  // null while degraded: the database could not be opened
  OpenReport report;
  store::SeqSidecar sidecar;
  uint64_t next_seq = 1;

  // Degraded operation (EventStoreOptions::degrade_on_storage_error). While `db` is null, or
  // while writes fail (disk full), the writer retries with backoff: opening the database, or a
  // small probe write. Readers look at `ready` before they open their own connection.
  std::shared_ptr<std::atomic<bool>> ready = std::make_shared<std::atomic<bool>>(false);
  std::atomic<bool> writes_ok{true};
  Status open_error;  // why the database is not open (db == nullptr)
  std::chrono::steady_clock::time_point retry_at;
  int64_t retry_ms = 0;
  std::optional<uint32_t> first_sidecar_boot;  // boot count found before the first open attempt

  // Counters persisted in `meta` (written with the next successful commit after a change).
  std::map<std::string, int64_t> counters = {
      {"feedback_lost", 0}, {"events_lost", 0}, {"events_pruned", 0}, {"footfall_compacted", 0}};
  bool counters_dirty = false;

  std::mutex mu;
  std::condition_variable cv_work, cv_space;
  std::deque<Request> queue;
  size_t queued_weight = 0;
  bool stopping = false;
  std::thread writer;

  // WAL checkpoints run on their own connection and thread, so that no commit (a shopper's tap)
  // waits for the database file to be rewritten and fsync'd. The writer's WAL hook asks for one
  // once the WAL holds kCheckpointPages pages.
  static constexpr int kCheckpointPages = 4000;
  std::unique_ptr<sql::Database> checkpoint_db;
  std::thread checkpointer;
  std::mutex ckpt_mu;
  std::condition_variable ckpt_cv;
  bool ckpt_wanted = false;
  bool ckpt_stop = false;

  static int OnWalCommit(void* self, sqlite3*, const char*, int pages) {
    auto* impl = static_cast<Impl*>(self);
    if (pages >= kCheckpointPages) {
      std::lock_guard<std::mutex> lock(impl->ckpt_mu);
      impl->ckpt_wanted = true;
      impl->ckpt_cv.notify_one();
    }
    return SQLITE_OK;
  }

  void RunCheckpoints() {
    std::unique_lock<std::mutex> lock(ckpt_mu);
    while (true) {
      ckpt_cv.wait(lock, [&] { return ckpt_wanted || ckpt_stop; });
      if (ckpt_stop) return;
      ckpt_wanted = false;
      lock.unlock();
      // PASSIVE: copies what it can without blocking the writer or readers; failures (busy, full
      // disk) only mean the WAL grows until the next try.
      (void)checkpoint_db->Exec("PRAGMA wal_checkpoint(PASSIVE)");
      lock.lock();
    }
  }

  mutable std::mutex stats_mu;
  StoreStats stats;

  // ---- writer thread ----

  bool Degraded() const { return db == nullptr || !writes_ok.load(); }

  void ScheduleRetry() {
    retry_ms = retry_ms == 0 ? opt.retry_min_ms : std::min(retry_ms * 2, opt.retry_max_ms);
    retry_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(retry_ms);
  }

  void SetWriteError(const Status& s) {
    writes_ok = false;
    std::lock_guard<std::mutex> lock(stats_mu);
    stats.last_write_error = s.ToString();
  }

  // Writer thread: one retry of whatever is failing (opening, or writing).
  void Retry() {
    if (db == nullptr) {
      Status s = TryOpen();
      if (!s.ok()) {
        NoteOpenFailure(s);
        return;
      }
    } else {
      // A small real write: the counters' rows (also persists losses counted meanwhile).
      counters_dirty = true;
      std::vector<Request> none;
      std::vector<std::vector<uint64_t>> seqs;
      std::vector<int64_t> acks;
      Status s = CommitGroup(none, &seqs, &acks);
      if (!s.ok()) {
        SetWriteError(ExplainStorageError(s, opt.path));
        ScheduleRetry();
        return;
      }
    }
    writes_ok = true;
    retry_ms = 0;
    {
      std::lock_guard<std::mutex> lock(stats_mu);
      stats.last_write_error.clear();
    }
    RefreshStats();
  }

  void NoteOpenFailure(const Status& s) {
    open_error = ExplainStorageError(s, opt.path);
    ScheduleRetry();
    SetWriteError(SameKind(
        open_error, "the event store cannot be opened, nothing is saved (next try in " +
                        std::to_string((retry_ms + 999) / 1000) + " s): " + open_error.message()));
  }

  void Run() {
    while (true) {
      std::vector<Request> group;
      {
        std::unique_lock<std::mutex> lock(mu);
        if (Degraded()) {
          cv_work.wait_until(lock, retry_at, [&] { return !queue.empty() || stopping; });
          if (queue.empty() && !stopping) {
            lock.unlock();
            Retry();
            continue;
          }
        } else {
          cv_work.wait(lock, [&] { return !queue.empty() || stopping; });
        }
        if (queue.empty()) return;
        size_t weight = 0;
        while (!queue.empty() &&
               (group.empty() || weight + queue.front().weight() <= opt.max_group_events)) {
          weight += queue.front().weight();
          queued_weight -= queue.front().weight();
          group.push_back(std::move(queue.front()));
          queue.pop_front();
        }
      }
      cv_space.notify_all();
      ProcessGroup(group);
    }
  }

  void ProcessGroup(std::vector<Request>& group) {
    std::vector<std::vector<uint64_t>> seqs(group.size());
    std::vector<int64_t> ack_changes(group.size(), 0);
    if (db == nullptr && std::chrono::steady_clock::now() >= retry_at) Retry();
    Status s;
    if (db == nullptr) {
      s = SameKind(open_error,
                   "not stored: the event store cannot be opened: " + open_error.message());
    } else {
      s = CommitGroup(group, &seqs, &ack_changes);
      if (s.code() == Status::Code::kDiskFull && PruneAcknowledged(/*target_used=*/0, 2000) > 0) {
        // Space was freed by dropping events the hub already has: try once more.
        s = CommitGroup(group, &seqs, &ack_changes);
      }
      if (!s.ok()) {
        s = ExplainStorageError(s, opt.path);
        if (writes_ok) retry_ms = 0;
        ScheduleRetry();
        writes_ok = false;
      } else {
        writes_ok = true;
        retry_ms = 0;
      }
    }
    if (!s.ok()) {
      int64_t lost = 0, feedback_lost = 0;
      for (const auto& r : group) {
        for (const auto& e : r.events) {
          ++lost;
          if (e.type() == EventType::kFeedback || e.type() == EventType::kFeedbackAbandoned) {
            ++feedback_lost;
          }
        }
      }
      counters["events_lost"] += lost;
      counters["feedback_lost"] += feedback_lost;
      counters_dirty = counters_dirty || lost > 0;
      if (db != nullptr) {
        std::lock_guard<std::mutex> lock(stats_mu);
        stats.last_write_error = s.ToString();
      }  // else: last_write_error keeps saying why the store is not open
    }
    int64_t appended = 0, acked = 0;
    for (size_t i = 0; i < group.size(); ++i) {
      appended += static_cast<int64_t>(seqs[i].size());
      acked += ack_changes[i];
    }
    {
      // Counters in memory first (cheap), so that what a caller reads from Stats() after its
      // write returns already includes it.
      std::lock_guard<std::mutex> lock(stats_mu);
      if (s.ok()) {
        stats.last_write_error.clear();
        stats.pending += appended - acked;
        stats.last_seq = next_seq - 1;
        if (acked > 0) stats.last_ack_ms = clock->NowUtcMs();
      }
      CopyCounters();
    }
    // Callers learn the outcome right after the commit: a shopper's tap waits for its fsync, not
    // for the budget check below.
    for (size_t i = 0; i < group.size(); ++i) {
      auto& r = group[i];
      if (r.kind == Request::Kind::kAppend && r.on_append) {
        r.on_append(s.ok() ? Result<std::vector<uint64_t>>(seqs[i])
                           : Result<std::vector<uint64_t>>(s));
      } else if (r.kind == Request::Kind::kAck && r.on_ack) {
        r.on_ack(s.ok() ? Result<int64_t>(ack_changes[i]) : Result<int64_t>(s));
      }
    }
    if (s.ok()) EnforceBudget();
    RefreshStats();
    // Flush() promises that everything queued before it is done, budget work included.
    for (auto& r : group) {
      if (r.kind == Request::Kind::kFlush && r.on_flush) r.on_flush();
    }
  }

  // REQUIRES: stats_mu held.
  void CopyCounters() {
    stats.feedback_lost = counters["feedback_lost"];
    stats.events_lost = counters["events_lost"];
    stats.events_pruned = counters["events_pruned"];
    stats.footfall_compacted = counters["footfall_compacted"];
  }

  Status CommitGroup(std::vector<Request>& group, std::vector<std::vector<uint64_t>>* seqs,
                     std::vector<int64_t>* ack_changes) {
    size_t total = 0;
    for (const auto& r : group) total += r.kind == Request::Kind::kAppend ? r.events.size() : 0;
    uint64_t seq = next_seq;
    if (seq + total - 1 > sidecar.reserved_through) {
      // Reserve ahead durably, so a seq survives even the loss of the database file.
      store::SeqSidecar next = sidecar;
      next.reserved_through = seq + total + kSeqReservation;
      Status s = store::WriteSidecar(opt.path, next);
      if (!s.ok()) return Status::DiskFull(s.message());
      sidecar = next;
    }
    Status s = db->Exec("BEGIN IMMEDIATE");
    if (!s.ok()) return s;
    auto fail = [&](Status st) {
      db->RollbackQuietly();
      return st;
    };
    auto insert = db->Prepare("INSERT INTO events(seq, type, time_ms, body) VALUES(?,?,?,?)");
    if (!insert.ok()) return fail(insert.status());
    auto pend = db->Prepare("INSERT INTO outbox(seq) VALUES(?)");
    if (!pend.ok()) return fail(pend.status());
    auto ack = db->Prepare("DELETE FROM outbox WHERE seq BETWEEN ? AND ?");
    if (!ack.ok()) return fail(ack.status());
    for (size_t i = 0; i < group.size(); ++i) {
      auto& r = group[i];
      (*seqs)[i].clear();
      if (r.kind == Request::Kind::kAppend) {
        for (auto& e : r.events) {
          e.seq = seq;
          e.boot_count = report.boot_count;
          std::string body = EncodeEvent(e);
          insert->Bind(1, static_cast<int64_t>(seq))
              .Bind(2, static_cast<int64_t>(e.type()))
              .Bind(3, e.time_ms)
              .Bind(4, body);
          Status st = insert->Run();
          if (st.ok()) st = pend->Bind(1, static_cast<int64_t>(seq)).Run();
          if (!st.ok()) return fail(st);
          (*seqs)[i].push_back(seq);
          ++seq;
        }
      } else if (r.kind == Request::Kind::kAck) {
        ack->Bind(1, static_cast<int64_t>(r.first)).Bind(2, static_cast<int64_t>(r.last));
        Status st = ack->Run();
        if (!st.ok()) return fail(st);
        (*ack_changes)[i] = db->Changes();
      }
    }
    if (seq != next_seq) {
      Status st = store::WriteMeta(*db, "next_seq", static_cast<int64_t>(seq));
      if (!st.ok()) return fail(st);
    }
    if (counters_dirty) {
      for (const auto& [key, value] : counters) {
        Status st = store::WriteMeta(*db, key.c_str(), value);
        if (!st.ok()) return fail(st);
      }
    }
    s = db->Exec("COMMIT");
    if (!s.ok()) return fail(s);
    next_seq = seq;
    counters_dirty = false;
    return Status::Ok();
  }

  int64_t UsedBytes() {
    auto pages = db->QueryInt("PRAGMA page_count");
    auto free_pages = db->QueryInt("PRAGMA freelist_count");
    auto page_size = db->QueryInt("PRAGMA page_size");
    if (!pages.ok() || !free_pages.ok() || !page_size.ok()) return 0;
    return (pages->value_or(0) - free_pages->value_or(0)) * page_size->value_or(4096);
  }

  // Deletes the oldest acknowledged events until used bytes <= target_used (0: just delete up
  // to max_rows). Returns how many were deleted.
  int64_t PruneAcknowledged(int64_t target_used, int64_t max_rows) {
    int64_t deleted = 0;
    while (deleted < max_rows) {
      int64_t chunk = std::min<int64_t>(1000, max_rows - deleted);
      if (!db->Exec("BEGIN IMMEDIATE").ok()) break;
      auto del = db->Prepare(
          "DELETE FROM events WHERE seq IN (SELECT seq FROM events e WHERE NOT EXISTS "
          "(SELECT 1 FROM outbox o WHERE o.seq = e.seq) ORDER BY seq LIMIT ?)");
      if (!del.ok()) {
        db->RollbackQuietly();
        break;
      }
      del->Bind(1, chunk);
      if (!del->Run().ok()) {
        db->RollbackQuietly();
        break;
      }
      int64_t n = db->Changes();
      counters["events_pruned"] += n;
      bool ok = store::WriteMeta(*db, "events_pruned", counters["events_pruned"]).ok() &&
                db->Exec("COMMIT").ok();
      if (!ok) {
        db->RollbackQuietly();
        counters["events_pruned"] -= n;
        break;
      }
      deleted += n;
      if (n < chunk) break;
      if (target_used > 0 && UsedBytes() <= target_used) break;
    }
    return deleted;
  }

  // Merges unacknowledged footfall intervals of past hours into one event per hour.
  int64_t CompactFootfall(int64_t target_used) {
    int64_t merged_total = 0;
    int64_t before = (clock->NowUtcMs() / kHourMs) * kHourMs;
    for (int round = 0; round < 100 && UsedBytes() > target_used; ++round) {
      auto sel = db->Prepare(
          "SELECT e.seq, e.body FROM events e JOIN outbox o ON o.seq = e.seq "
          "WHERE e.type = ? AND e.time_ms < ? ORDER BY e.time_ms LIMIT 5000");
      if (!sel.ok()) break;
      sel->Bind(1, static_cast<int64_t>(EventType::kFootfall)).Bind(2, before);
      std::map<std::pair<std::string, int64_t>, std::vector<Event>> by_hour;
      while (true) {
        auto row = sel->Step();
        if (!row.ok() || !*row) break;
        auto e = DecodeEvent(sel->ColumnTextView(1));
        if (!e.ok()) continue;
        const auto& p = std::get<FootfallPayload>(e->payload);
        if (p.interval_s >= 3600) continue;
        by_hour[{e->kiosk_id, (p.interval_start_ms / kHourMs) * kHourMs}].push_back(*e);
      }
      int64_t merged_round = 0;
      for (auto& [key, events] : by_hour) {
        if (events.size() < 2) continue;
        if (MergeHour(key.second, events)) merged_round += static_cast<int64_t>(events.size());
      }
      if (merged_round == 0) break;
      merged_total += merged_round;
    }
    return merged_total;
  }

  bool MergeHour(int64_t hour_start, const std::vector<Event>& events) {
    Event merged = events.front();
    FootfallPayload out;
    out.interval_start_ms = hour_start;
    out.interval_s = 3600;
    std::map<std::string, LineCount> lines;
    bool first = true;
    for (const auto& e : events) {
      const auto& p = std::get<FootfallPayload>(e.payload);
      for (const auto& l : p.lines) {
        auto& acc = lines[l.line];
        acc.line = l.line;
        acc.in += l.in;
        acc.out += l.out;
      }
      out.occupancy_min = first ? p.occupancy_min : std::min(out.occupancy_min, p.occupancy_min);
      out.occupancy_max = first ? p.occupancy_max : std::max(out.occupancy_max, p.occupancy_max);
      out.occupancy_end = p.occupancy_end;
      first = false;
      out.compacted_seqs.push_back(e.seq);
      out.compacted_seqs.insert(out.compacted_seqs.end(), p.compacted_seqs.begin(),
                                p.compacted_seqs.end());
    }
    for (auto& [name, lc] : lines) out.lines.push_back(lc);
    merged.payload = out;
    merged.time_ms = hour_start;
    merged.id = NewUuidV7(clock->NowUtcMs());
    merged.seq = next_seq;
    merged.boot_count = report.boot_count;

    if (next_seq > sidecar.reserved_through) {
      store::SeqSidecar next = sidecar;
      next.reserved_through = next_seq + kSeqReservation;
      if (!store::WriteSidecar(opt.path, next).ok()) return false;
      sidecar = next;
    }
    if (!db->Exec("BEGIN IMMEDIATE").ok()) return false;
    auto del = db->Prepare("DELETE FROM events WHERE seq = ?");
    auto unpend = db->Prepare("DELETE FROM outbox WHERE seq = ?");
    auto ins = db->Prepare("INSERT INTO events(seq, type, time_ms, body) VALUES(?,?,?,?)");
    auto pend = db->Prepare("INSERT INTO outbox(seq) VALUES(?)");
    bool ok = del.ok() && unpend.ok() && ins.ok() && pend.ok();
    for (size_t i = 0; ok && i < events.size(); ++i) {
      del->Bind(1, static_cast<int64_t>(events[i].seq));
      unpend->Bind(1, static_cast<int64_t>(events[i].seq));
      ok = del->Run().ok() && unpend->Run().ok();
    }
    if (ok) {
      ins->Bind(1, static_cast<int64_t>(merged.seq))
          .Bind(2, static_cast<int64_t>(EventType::kFootfall))
          .Bind(3, merged.time_ms)
          .Bind(4, EncodeEvent(merged));
      ok = ins->Run().ok() && pend->Bind(1, static_cast<int64_t>(merged.seq)).Run().ok();
    }
    counters["footfall_compacted"] += static_cast<int64_t>(events.size());
    ok = ok && store::WriteMeta(*db, "next_seq", static_cast<int64_t>(next_seq + 1)).ok() &&
         store::WriteMeta(*db, "footfall_compacted", counters["footfall_compacted"]).ok() &&
         db->Exec("COMMIT").ok();
    if (!ok) {
      db->RollbackQuietly();
      counters["footfall_compacted"] -= static_cast<int64_t>(events.size());
      return false;
    }
    ++next_seq;
    std::lock_guard<std::mutex> lock(stats_mu);
    stats.pending -= static_cast<int64_t>(events.size()) - 1;
    stats.last_seq = next_seq - 1;
    return true;
  }

  void EnforceBudget() {
    if (opt.disk_budget_bytes <= 0) return;
    int64_t used = UsedBytes();
    if (used <= opt.disk_budget_bytes) return;
    // Prune to 90% of the budget so that pruning does not run after every write.
    int64_t target = opt.disk_budget_bytes * 9 / 10;
    PruneAcknowledged(target, INT64_MAX);
    if (UsedBytes() > opt.disk_budget_bytes) CompactFootfall(target);
  }

  void RefreshStats() {
    if (db == nullptr) {
      std::lock_guard<std::mutex> lock(stats_mu);
      CopyCounters();
      return;
    }
    int64_t used = UsedBytes();
    std::optional<int64_t> oldest;
    auto q = db->QueryInt(
        "SELECT e.time_ms FROM outbox o JOIN events e ON e.seq = o.seq ORDER BY o.seq LIMIT 1");
    if (q.ok()) oldest = *q;
    int64_t files = FileSize(opt.path) + FileSize(opt.path + "-wal");
    std::lock_guard<std::mutex> lock(stats_mu);
    stats.used_bytes = used;
    stats.file_bytes = files;
    stats.oldest_pending_ms = oldest;
    CopyCounters();
  }

  // Opens the database (creating the folder and files with private modes), counts the boot and
  // loads the counters; on success the store is ready. Constructing thread, then writer thread.
  Status TryOpen();

  void Enqueue(Request r) {
    std::unique_lock<std::mutex> lock(mu);
    cv_space.wait(lock, [&] { return queued_weight < opt.queue_capacity || stopping; });
    if (stopping) {
      lock.unlock();
      Status s = Status::Shutdown("event store is closing");
      if (r.on_append) r.on_append(s);
      if (r.on_ack) r.on_ack(s);
      if (r.on_flush) r.on_flush();
      return;
    }
    queued_weight += r.weight();
    queue.push_back(std::move(r));
    lock.unlock();
    cv_work.notify_one();
  }
};

// ---- open -----------------------------------------------------------------------------------

namespace {

Status OpenDatabase(EventStore::Impl& impl) {
  auto db = sql::Database::Open(impl.opt.path, sql::Database::Mode::kReadWriteCreate);
  if (!db.ok()) return db.status();
  impl.db = std::move(*db);
  Status s = store::ConfigureWriter(*impl.db, impl.opt.max_page_count);
  if (s.ok()) s = store::Migrate(*impl.db);
  if (s.ok() && impl.opt.integrity_check_on_open) s = store::CheckIntegrity(*impl.db);
  if (!s.ok()) impl.db.reset();
  return s;
}

// Errors after which a kiosk can keep running and try again: the disk, not the data or the
// program (a newer schema, say, needs a person).
bool Recoverable(const Status& s) {
  return s.code() == Status::Code::kDiskFull || s.code() == Status::Code::kIoError ||
         s.code() == Status::Code::kBusy;
}

}  // namespace

Status EventStore::Impl::TryOpen() {
  std::string dir = std::filesystem::path(opt.path).parent_path().string();
  Status s = CreateDataDir(dir.empty() ? "." : dir);
  // SQLite gives -wal and -shm the database file's mode: create it private first.
  if (s.ok()) s = CreateFileWithMode(opt.path, kPrivateFileMode);
  if (!s.ok()) return s;
  for (const char* suffix : {"", "-wal", "-shm", ".seq"}) RemoveOtherAccess(opt.path + suffix);
  sidecar = store::ReadSidecar(opt.path);
  if (!first_sidecar_boot) first_sidecar_boot = sidecar.boot_count;

  s = OpenDatabase(*this);
  if (s.code() == Status::Code::kCorruption) {
    auto moved = store::Quarantine(opt.path, clock->NowUtcMs());
    if (!moved.ok()) return moved.status();
    report.quarantined_to = *moved;
    report.problems.push_back("database was corrupt (" + s.message() + "); moved to " + *moved +
                              " and a new one was started");
    s = CreateFileWithMode(opt.path, kPrivateFileMode);
    if (s.ok()) s = OpenDatabase(*this);
  }
  if (!s.ok()) return s;
  auto fail = [&](Status st) {
    db.reset();
    checkpoint_db.reset();
    return st;
  };

  auto next = store::ReadMeta(*db, "next_seq", 0);
  auto boot = store::ReadMeta(*db, "boot_count", 0);
  if (!next.ok()) return fail(next.status());
  if (!boot.ok()) return fail(boot.status());
  std::map<std::string, int64_t> loaded;
  for (const auto& [key, value] : counters) {
    auto v = store::ReadMeta(*db, key.c_str(), 0);
    if (!v.ok()) return fail(v.status());
    loaded[key] = *v;
  }
  uint64_t seq = *next == 0
                     // A new database. If an earlier one existed (the sidecar says so), continue
                     // after every seq it may have used, so that the hub never sees a seq twice.
                     ? sidecar.reserved_through + 1
                     : static_cast<uint64_t>(*next);
  uint32_t boot_count = static_cast<uint32_t>(std::max<int64_t>(*boot, *first_sidecar_boot) +
                                              (opt.count_boot ? 1 : 0));

  if (opt.count_boot || *next == 0) {
    store::SeqSidecar side = sidecar;
    side.boot_count = boot_count;
    side.reserved_through = std::max(side.reserved_through, seq - 1);
    s = store::WriteSidecar(opt.path, side);
    if (!s.ok()) return fail(s);
    sidecar = side;
    s = db->Exec("BEGIN IMMEDIATE");
    if (s.ok()) s = store::WriteMeta(*db, "boot_count", boot_count);
    if (s.ok()) s = store::WriteMeta(*db, "next_seq", static_cast<int64_t>(seq));
    if (s.ok()) s = db->Exec("COMMIT");
    if (!s.ok()) {
      db->RollbackQuietly();
      return fail(s);
    }
  }  // else inspection only: nothing is written at open.

  auto pending = db->QueryInt("SELECT count(*) FROM outbox");
  if (!pending.ok()) return fail(pending.status());
  auto ckpt = sql::Database::Open(opt.path, sql::Database::Mode::kReadWriteCreate);
  if (!ckpt.ok()) return fail(ckpt.status());
  checkpoint_db = std::move(*ckpt);
  s = db->Exec("PRAGMA wal_autocheckpoint=0");
  if (!s.ok()) return fail(s);

  // Open. Losses counted while the database could not be opened are added to the stored ones.
  for (auto& [key, value] : counters) {
    counters_dirty = counters_dirty || value != 0;
    value += loaded[key];
  }
  next_seq = seq;
  report.boot_count = boot_count;
  {
    std::lock_guard<std::mutex> lock(stats_mu);
    stats.pending = pending->value_or(0);
    stats.last_seq = next_seq - 1;
    stats.disk_budget_bytes = opt.disk_budget_bytes;
  }
  RefreshStats();
  sqlite3_wal_hook(db->handle(), &Impl::OnWalCommit, this);
  ready->store(true);
  return Status::Ok();
}

Result<std::unique_ptr<EventStore>> EventStore::Open(EventStoreOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->opt = std::move(options);
  impl->clock = impl->opt.clock ? impl->opt.clock : SystemClock();
  impl->opt.retry_min_ms = std::max<int64_t>(1, impl->opt.retry_min_ms);
  impl->opt.retry_max_ms = std::max(impl->opt.retry_min_ms, impl->opt.retry_max_ms);
  impl->stats.disk_budget_bytes = impl->opt.disk_budget_bytes;

  Status s = impl->TryOpen();
  if (!s.ok()) {
    s = ExplainStorageError(s, impl->opt.path);
    if (!impl->opt.degrade_on_storage_error || !Recoverable(s)) return s;
    // Degraded: the kiosk runs, nothing is stored, the writer keeps trying.
    impl->report.boot_count = impl->first_sidecar_boot.value_or(0) + 1;
    impl->report.problems.push_back("cannot open the event store (" + s.ToString() +
                                    "); nothing is saved until it opens");
    impl->NoteOpenFailure(s);
  }

  auto* raw = impl.get();
  impl->checkpointer = std::thread([raw] { raw->RunCheckpoints(); });
  impl->writer = std::thread([raw] { raw->Run(); });
  return std::unique_ptr<EventStore>(new EventStore(std::move(impl)));
}

EventStore::EventStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EventStore::~EventStore() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv_work.notify_all();
  impl_->cv_space.notify_all();
  if (impl_->writer.joinable()) impl_->writer.join();
  {
    std::lock_guard<std::mutex> lock(impl_->ckpt_mu);
    impl_->ckpt_stop = true;
  }
  impl_->ckpt_cv.notify_all();
  if (impl_->checkpointer.joinable()) impl_->checkpointer.join();
  if (impl_->db == nullptr) return;  // never opened (degraded until the end)
  sqlite3_wal_hook(impl_->db->handle(), nullptr, nullptr);
  // A last checkpoint on close keeps the WAL from carrying work into the next start.
  (void)impl_->db->Exec("PRAGMA wal_checkpoint(PASSIVE)");
}

const OpenReport& EventStore::open_report() const { return impl_->report; }
bool EventStore::WritesFailing() const { return !impl_->writes_ok.load(); }
std::shared_ptr<const std::atomic<bool>> EventStore::ReadyFlag() const { return impl_->ready; }
uint32_t EventStore::boot_count() const { return impl_->report.boot_count; }

void EventStore::AppendAsync(Event event, AppendCallback done) {
  Request r;
  r.kind = Request::Kind::kAppend;
  r.events.push_back(std::move(event));
  r.on_append = [done = std::move(done)](const Result<std::vector<uint64_t>>& seqs) {
    if (!done) return;
    if (seqs.ok()) {
      done(Result<uint64_t>(seqs->front()));
    } else {
      done(Result<uint64_t>(seqs.status()));
    }
  };
  impl_->Enqueue(std::move(r));
}

Result<uint64_t> EventStore::Append(Event event) {
  std::promise<Result<uint64_t>> promise;
  auto future = promise.get_future();
  AppendAsync(std::move(event), [&promise](const Result<uint64_t>& r) { promise.set_value(r); });
  return future.get();
}

Result<std::vector<uint64_t>> EventStore::AppendBatch(std::vector<Event> events) {
  if (events.empty()) return std::vector<uint64_t>();
  std::promise<Result<std::vector<uint64_t>>> promise;
  auto future = promise.get_future();
  Request r;
  r.kind = Request::Kind::kAppend;
  r.events = std::move(events);
  r.on_append = [&promise](const Result<std::vector<uint64_t>>& s) { promise.set_value(s); };
  impl_->Enqueue(std::move(r));
  return future.get();
}

Result<int64_t> EventStore::MarkAcknowledged(uint64_t first_seq, uint64_t last_seq) {
  if (last_seq < first_seq) return int64_t{0};
  std::promise<Result<int64_t>> promise;
  auto future = promise.get_future();
  Request r;
  r.kind = Request::Kind::kAck;
  r.first = first_seq;
  r.last = last_seq;
  r.on_ack = [&promise](const Result<int64_t>& n) { promise.set_value(n); };
  impl_->Enqueue(std::move(r));
  return future.get();
}

void EventStore::Flush() {
  std::promise<void> promise;
  auto future = promise.get_future();
  Request r;
  r.kind = Request::Kind::kFlush;
  r.on_flush = [&promise] { promise.set_value(); };
  impl_->Enqueue(std::move(r));
  future.get();
}

StoreStats EventStore::Stats() const {
  std::lock_guard<std::mutex> lock(impl_->stats_mu);
  return impl_->stats;
}

}  // namespace touchpoint

namespace touchpoint {

void FillStorageStatus(const StoreStats& st, int64_t now_ms, StatusPayload* out) {
  out->queue_depth = st.pending;
  out->oldest_pending_age_s =
      st.oldest_pending_ms ? std::max<int64_t>(0, (now_ms - *st.oldest_pending_ms) / 1000) : 0;
  out->last_hub_ack_ms = st.last_ack_ms;
  out->db_bytes = st.file_bytes;
  out->disk_budget_bytes = st.disk_budget_bytes;
  out->feedback_lost = st.feedback_lost;
  out->events_lost = st.events_lost;
  out->events_pruned = st.events_pruned;
  out->footfall_compacted = st.footfall_compacted;
  if (!st.last_write_error.empty()) out->problems.push_back("storage: " + st.last_write_error);
}

const std::string& EventStore::DatabasePath() const { return impl_->opt.path; }
}  // namespace touchpoint
