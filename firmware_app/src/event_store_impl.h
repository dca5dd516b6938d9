// Private to the event store: the state behind EventStore and its writer thread, shared by
// event_store.cc (queue, group commit, public API), event_store_budget.cc (disk budget:
// pruning, footfall compaction, stats) and event_store_open.cc (opening, degraded operation
// and its retries).
#pragma once

#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "pending_ranges.h"
#include "store_schema.h"
#include "touchpoint/core/event_store.h"
#include "touchpoint/core/sqlite.h"

namespace touchpoint {

namespace store {

inline constexpr uint64_t kSeqReservation = 100000;  // seqs reserved in the sidecar per fsync
inline constexpr int64_t kHourMs = 3600 * 1000;

inline int64_t FileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

// A status of the same kind as `s` (disk full, I/O error, busy) with another message.
inline Status SameKind(const Status& s, std::string message) {
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

}  // namespace store

struct EventStore::Impl {
  using Request = store::Request;

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

  void RunCheckpoints();

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
  void Retry();

  void NoteOpenFailure(const Status& s);

  void Run();

  void ProcessGroup(std::vector<Request>& group);

  // REQUIRES: stats_mu held.
  void CopyCounters() {
    stats.feedback_lost = counters["feedback_lost"];
    stats.events_lost = counters["events_lost"];
    stats.events_pruned = counters["events_pruned"];
    stats.footfall_compacted = counters["footfall_compacted"];
  }

  Status CommitGroup(std::vector<Request>& group, std::vector<std::vector<uint64_t>>* seqs,
                     std::vector<int64_t>* ack_changes);

  int64_t UsedBytes();

  // Deletes the oldest acknowledged events until used bytes <= target_used (0: just delete up
  // to max_rows). Returns how many were deleted.
  int64_t PruneAcknowledged(int64_t target_used, int64_t max_rows);

  // Merges unacknowledged footfall intervals of past hours into one event per hour.
  int64_t CompactFootfall(int64_t target_used);

  bool MergeHour(int64_t hour_start, const std::vector<Event>& events);

  void EnforceBudget();

  void RefreshStats();

  // Opens the database (creating the folder and files with private modes), counts the boot and
  // loads the counters; on success the store is ready. Constructing thread, then writer thread.
  Status TryOpen();

  void Enqueue(Request r);
};

}  // namespace touchpoint
