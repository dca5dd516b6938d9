// Opening the event store: folder and file modes, quarantine of a corrupt file, boot counting,
// and degraded operation (a store that cannot be opened yet, retried with backoff).
#include <filesystem>

#include "event_store_impl.h"
#include "touchpoint/core/data_files.h"

namespace touchpoint {

using store::SameKind;

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

  auto pending = db->QueryInt(store::kCountPendingSql);
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

// Writer thread: one retry of whatever is failing (opening, or writing).
void EventStore::Impl::Retry() {
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

void EventStore::Impl::NoteOpenFailure(const Status& s) {
  open_error = ExplainStorageError(s, opt.path);
  ScheduleRetry();
  SetWriteError(SameKind(
      open_error, "the event store cannot be opened, nothing is saved (next try in " +
                      std::to_string((retry_ms + 999) / 1000) + " s): " + open_error.message()));
}

}  // namespace touchpoint
