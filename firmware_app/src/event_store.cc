// The event store's writer: one connection, one thread, group commit of everything queued; and
// the public API. Opening and the disk budget live in event_store_open.cc and
// event_store_budget.cc; the shared state in event_store_impl.h.
#include <future>

#include "event_store_impl.h"
#include "touchpoint/core/data_files.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/core/thread_name.h"

namespace touchpoint {

using store::kSeqReservation;
using store::Request;
using store::SameKind;

// ---- writer thread ---------------------------------------------------------------------------

void EventStore::Impl::RunCheckpoints() {
  NameThisThread("tp-store-ckpt");
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

void EventStore::Impl::Run() {
  // Named for `top -H` and perf (and the per-thread CPU of `touchpoint-bench sync`): unnamed,
  // it showed as the program's main thread.
  NameThisThread("tp-store");
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

void EventStore::Impl::ProcessGroup(std::vector<Request>& group) {
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

Status EventStore::Impl::CommitGroup(std::vector<Request>& group,
                                     std::vector<std::vector<uint64_t>>* seqs,
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
  for (size_t i = 0; i < group.size(); ++i) {
    auto& r = group[i];
    (*seqs)[i].clear();
    if (r.kind == Request::Kind::kAppend) {
      const uint64_t first = seq;
      for (auto& e : r.events) {
        e.seq = seq;
        e.boot_count = report.boot_count;
        std::string body = EncodeEvent(e);
        insert->Bind(1, static_cast<int64_t>(seq))
            .Bind(2, static_cast<int64_t>(e.type()))
            .Bind(3, e.time_ms)
            .Bind(4, body);
        if (Status st = insert->Run(); !st.ok()) return fail(st);
        (*seqs)[i].push_back(seq);
        ++seq;
      }
      if (Status st = store::AddPending(*db, first, seq - 1); !st.ok()) return fail(st);
    } else if (r.kind == Request::Kind::kAck) {
      auto removed = store::RemovePending(*db, r.first, r.last);
      if (!removed.ok()) return fail(removed.status());
      (*ack_changes)[i] = *removed;
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

void EventStore::Impl::Enqueue(Request r) {
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

// ---- public API ------------------------------------------------------------------------------

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

void EventStore::Probe(std::function<void()> done) {
  Request r;
  r.kind = Request::Kind::kFlush;
  r.on_flush = std::move(done);
  impl_->Enqueue(std::move(r));
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
