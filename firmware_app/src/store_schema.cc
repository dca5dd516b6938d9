#include "store_schema.h"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "touchpoint/core/data_files.h"

namespace touchpoint::store {

namespace fs = std::filesystem;

Status ConfigureWriter(sql::Database& db, int64_t max_page_count) {
  // A new store's pages are 16 KiB, as the hub's (an existing store keeps the size it was made
  // with: changing it needs a VACUUM, which WAL mode does not allow). The uplink reads the outbox
  // page by page, one pread each from the WAL or the file: with 4 KiB pages (~8 events each) those
  // reads were ~45 % of its CPU in `touchpoint-bench sync` (docs/sync.md). Ignored by SQLite
  // once the file has pages.
  if (Status s = db.Exec("PRAGMA page_size=16384"); !s.ok()) return s;
  // WAL: readers never block the writer. synchronous=FULL: a commit is on disk when it returns.
  auto mode = db.QueryText("PRAGMA journal_mode=WAL");
  if (!mode.ok()) return mode.status();
  if (*mode != "wal") return Status::IoError(db.path() + ": cannot enable WAL (got " + *mode + ")");
  Status s = db.Exec(
      "PRAGMA synchronous=FULL;"
      "PRAGMA foreign_keys=ON;"
      "PRAGMA journal_size_limit=16777216;");
  if (!s.ok()) return s;
  if (max_page_count > 0) {
    auto r = db.QueryInt("PRAGMA max_page_count=" + std::to_string(max_page_count));
    if (!r.ok()) return r.status();
  }
  return Status::Ok();
}

namespace {

// One schema step in its own IMMEDIATE transaction: all of it or, on an error, none of it.
Status MigrationStep(sql::Database& db, const std::string& sql) {
  Status s = db.Exec("BEGIN IMMEDIATE;" + sql + "COMMIT;");
  if (!s.ok()) db.RollbackQuietly();
  return s;
}

}  // namespace

Status Migrate(sql::Database& db) {
  auto version = db.QueryInt("PRAGMA user_version");
  if (!version.ok()) return version.status();
  int64_t v = version->value_or(0);
  if (v > kStoreSchemaVersion) {
    return Status::InvalidArgument(db.path() + ": database schema version " + std::to_string(v) +
                                   " is newer than this program (" +
                                   std::to_string(kStoreSchemaVersion) + ")");
  }
  if (v < 1) {
    Status s = MigrationStep(
        db,
        "CREATE TABLE events("
        "  seq INTEGER PRIMARY KEY,"   // per-kiosk sequence number, never reused
        "  type INTEGER NOT NULL,"     // EventType
        "  time_ms INTEGER NOT NULL,"  // event time, UTC ms
        "  body TEXT NOT NULL);"       // the wire JSON
        "CREATE INDEX events_by_time ON events(type, time_ms);"
        // The outbox: seqs the hub has not acknowledged yet. An acknowledgement deletes these
        // small rows instead of rewriting the events themselves.
        "CREATE TABLE outbox(seq INTEGER PRIMARY KEY);"
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
        "PRAGMA user_version=1;");
    if (!s.ok()) return s;
  }
  if (v < 2) {
    // The outbox as ranges (pending_ranges.h): each run of consecutive outbox seqs becomes one
    // range (a run's seqs minus their rank in seq order are one number).
    Status s = MigrationStep(
        db,
        "CREATE TABLE pending(first_seq INTEGER PRIMARY KEY, last_seq INTEGER NOT NULL);"
        "INSERT INTO pending(first_seq, last_seq) SELECT MIN(seq), MAX(seq) FROM "
        "  (SELECT seq, seq - ROW_NUMBER() OVER (ORDER BY seq) AS run FROM outbox) GROUP BY run;"
        "DROP TABLE outbox;"
        "PRAGMA user_version=2;");
    if (!s.ok()) return s;
  }
  // Future migrations: if (v < 3) { ... PRAGMA user_version=3 ... }
  return Status::Ok();
}

Status CheckIntegrity(sql::Database& db) {
  auto r = db.QueryText("PRAGMA integrity_check(1)");
  if (!r.ok()) return r.status();
  if (*r != "ok") return Status::Corruption(db.path() + ": integrity_check: " + *r);
  return Status::Ok();
}

Result<std::string> Quarantine(const std::string& path, int64_t now_ms) {
  time_t t = static_cast<time_t>(now_ms / 1000);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char stamp[32];
  strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  std::string target = path + ".corrupt-" + stamp;
  for (int i = 1; fs::exists(target); ++i) {
    target = path + ".corrupt-" + stamp + "-" + std::to_string(i);
  }
  std::error_code ec;
  fs::rename(path, target, ec);
  if (ec)
    return Status::IoError("cannot move corrupt database " + path + " aside: " + ec.message());
  for (const char* suffix : {"-wal", "-shm"}) {
    if (fs::exists(path + suffix)) fs::rename(path + suffix, target + suffix, ec);
  }
  return target;
}

SeqSidecar ReadSidecar(const std::string& db_path) {
  SeqSidecar s;
  std::ifstream in(db_path + ".seq");
  unsigned long long reserved = 0;
  unsigned long boot = 0;
  if (in >> reserved >> boot) {
    s.reserved_through = reserved;
    s.boot_count = static_cast<uint32_t>(boot);
  }
  return s;
}

Status WriteSidecar(const std::string& db_path, const SeqSidecar& s) {
  std::string text = std::to_string(s.reserved_through) + " " + std::to_string(s.boot_count) + "\n";
  return WriteFileAtomically(db_path + ".seq", text, kPrivateFileMode);
}

Result<int64_t> ReadMeta(sql::Database& db, const char* key, int64_t fallback) {
  auto stmt = db.Prepare("SELECT value FROM meta WHERE key = ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, std::string_view(key));
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  return *row ? stmt->ColumnInt(0) : fallback;
}

Status WriteMeta(sql::Database& db, const char* key, int64_t value) {
  auto stmt = db.Prepare(
      "INSERT INTO meta(key, value) VALUES(?, ?) "
      "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, std::string_view(key)).Bind(2, value);
  return stmt->Run();
}

}  // namespace touchpoint::store
