// The kiosk's durable, offline-first event store (SQLite, WAL, synchronous=FULL).
//
// Ownership and threads:
//  - EventStore owns ONE writer connection and the writer thread that uses it. Every write
//    (appends, acknowledgements, pruning) goes through a bounded queue to that thread; the
//    writer commits whatever is queued (up to max_group_events) in one transaction and only
//    then completes the callers. Append* therefore returns only after the commit is durable.
//  - Readers get their own connection: call NewReader() once per thread that reads
//    (sync thread, dashboard thread, export). An EventReader is NOT thread-safe; EventStore is.
//  - Sequence numbers are assigned by the writer inside the committing transaction and the next
//    value is persisted in the same transaction, so a seq is never reused, whatever crashes.
//
// Disk budget: after writes the writer checks the used size; over budget it first deletes the
// oldest events that the hub has acknowledged, then merges old unacknowledged footfall
// intervals into hourly ones. Feedback is never removed unacknowledged. A write that fails
// (disk full, I/O error) is rolled back; the caller learns it was NOT stored and the loss is
// counted (Stats(), reported in status events). The store keeps working and recovers when
// space returns: after a failure the writer retries a small write with backoff, so the error
// clears without waiting for the next event. With degrade_on_storage_error a store that cannot
// even be opened (full disk at start) is returned degraded and opens itself once it can.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "touchpoint/core/clock.h"
#include "touchpoint/core/event.h"
#include "touchpoint/core/status.h"

namespace touchpoint {

struct EventStoreOptions {
  std::string path;                                 // the database file; its folder must exist
  int64_t disk_budget_bytes = 512ll * 1024 * 1024;  // used pages above this trigger pruning
  size_t queue_capacity = 8192;                     // pending write requests before callers block
  size_t max_group_events = 2000;                   // events per write transaction at most
  int64_t max_page_count = 0;                       // tests: SQLite page limit (0 = unlimited)
  bool integrity_check_on_open = true;              // full PRAGMA integrity_check at open
  bool count_boot = true;  // false for inspection (show-stored, export): not a kiosk start
  // true: if the database cannot be opened because of the disk (full, folder not writable, I/O
  // error), Open() still returns a store, degraded: every write fails at once (counted as lost),
  // readers return errors, Stats().last_write_error says why, and the writer retries opening
  // with backoff (retry_min_ms doubling up to retry_max_ms). false: Open() returns the error.
  bool degrade_on_storage_error = false;
  int64_t retry_min_ms = 1000;   // first retry after a failed open or write
  int64_t retry_max_ms = 30000;  // longest wait between retries
  std::shared_ptr<Clock> clock;  // nullptr = SystemClock()
};

// What Open() found and did; the app reports problems in its next status event.
struct OpenReport {
  uint32_t boot_count = 0;     // this start's boot number (1 on a fresh database)
  std::string quarantined_to;  // non-empty: the old database was corrupt and moved here
  std::vector<std::string> problems;
};

// One stored event as the outbox holds it: the exact JSON that goes on the wire.
struct StoredEvent {
  uint64_t seq = 0;
  EventType type = EventType::kStatus;
  int64_t time_ms = 0;
  bool acked = false;
  std::string json;
};

struct StoreStats {
  int64_t pending = 0;                       // not yet acknowledged by the hub
  std::optional<int64_t> oldest_pending_ms;  // event time of the oldest pending event
  std::optional<int64_t> last_ack_ms;  // wall time of the last MarkAcknowledged that changed rows
  uint64_t last_seq = 0;               // highest seq ever assigned
  int64_t used_bytes = 0;              // pages in use
  int64_t file_bytes = 0;              // database + WAL files on disk
  int64_t disk_budget_bytes = 0;
  int64_t feedback_lost = 0;  // since the database was created
  int64_t events_lost = 0;
  int64_t events_pruned = 0;
  int64_t footfall_compacted = 0;
  std::string last_write_error;  // empty once a write succeeded again
};

class EventReader;

// The storage part of a status event (queue depth, oldest pending age, last ack, sizes, losses,
// a write error as a problem), as of `now_ms`. Everything else in `out` is left as it is.
void FillStorageStatus(const StoreStats& stats, int64_t now_ms, StatusPayload* out);

class EventStore {
 public:
  struct Impl;  // private to the implementation
  using AppendCallback = std::function<void(const Result<uint64_t>&)>;

  // Opens (creating or migrating) the database. A file that fails integrity_check or is not a
  // database is moved aside as "<path>.corrupt-<UTC timestamp>" and a fresh one is started.
  static Result<std::unique_ptr<EventStore>> Open(EventStoreOptions options);

  // Completes every queued write, then stops the writer.
  ~EventStore();
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  const OpenReport& open_report() const;
  // True while the store cannot save: the database is not open (degraded) or the last write
  // failed (disk full); false again once a write (or the writer's retry) succeeds. Cheap; any
  // thread (the UI asks every frame).
  bool WritesFailing() const;
  uint32_t boot_count() const;

  // Stores the event, assigning seq and boot_count. `done` runs on the writer thread after the
  // commit (or failure) and must not block; it receives the seq. Blocks only while the queue is
  // full. Thread-safe.
  void AppendAsync(Event event, AppendCallback done);
  // Blocks until durable; returns the seq.
  Result<uint64_t> Append(Event event);
  // All or nothing, in one transaction; returns the seqs in order.
  Result<std::vector<uint64_t>> AppendBatch(std::vector<Event> events);

  // The hub has persisted seqs first..last (inclusive). Blocks until durable. Seqs that are
  // absent or already acknowledged are ignored. Returns how many events changed state.
  Result<int64_t> MarkAcknowledged(uint64_t first_seq, uint64_t last_seq);

  // A reader with its own connection, for one thread.
  Result<std::unique_ptr<EventReader>> NewReader() const;

  // Counters (cheap, from memory). pending, last_seq and the loss counters include every write
  // that has returned; used/file bytes and pruning/compaction lag until Flush(). Thread-safe.
  StoreStats Stats() const;

  // Blocks until every write queued before this call is done, including the disk-budget work
  // (pruning, compaction) and the stats refresh that follow it. Thread-safe.
  void Flush();
  // Queues a no-op behind every write queued so far; `done` runs on the writer thread when the
  // writer reaches it. The service watchdog's probe that the writer is not hung. Does not wait
  // (except, like every write, while the queue is full). Thread-safe.
  void Probe(std::function<void()> done);

 private:
  explicit EventStore(std::unique_ptr<Impl> impl);
  const std::string& DatabasePath() const;
  std::shared_ptr<const std::atomic<bool>> ReadyFlag() const;  // true once the database is open
  std::unique_ptr<Impl> impl_;
};

// Read-only view on its own SQLite connection. One thread at a time.
class EventReader {
 public:
  ~EventReader();

  // Pending (unacknowledged) events with seq > after_seq in seq order, at most max_count events
  // and about max_bytes of JSON (always at least one event when any is pending).
  Result<std::vector<StoredEvent>> ReadPending(uint64_t after_seq, size_t max_count,
                                               size_t max_bytes);
  // The same events handed to `fn` without a copy (the JSON is valid during the call only): the
  // uplink appends them straight to its batch. Returns how many.
  Result<size_t> VisitPending(uint64_t after_seq, size_t max_count, size_t max_bytes,
                              const std::function<void(uint64_t seq, std::string_view json)>& fn);
  // Every stored event (acknowledged or not) with first_seq <= seq <= last_seq.
  Result<std::vector<StoredEvent>> ReadRange(uint64_t first_seq, uint64_t last_seq,
                                             size_t max_count);
  // Events of one type (or all, if nullopt) with from_ms <= time < to_ms, in time order.
  Result<std::vector<StoredEvent>> ReadByTime(std::optional<EventType> type, int64_t from_ms,
                                              int64_t to_ms);
  Result<int64_t> CountPending();

 private:
  friend class EventStore;
  struct Impl;
  explicit EventReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace touchpoint
