// Private to the event store: schema, migrations, quarantine of corrupt files, and the seq
// reservation sidecar that keeps sequence numbers unique even across a quarantined database.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "touchpoint/core/sqlite.h"
#include "touchpoint/core/status.h"

namespace touchpoint::store {

inline constexpr int kStoreSchemaVersion = 2;

// Applies pragmas for the writer connection (WAL, synchronous=FULL, ...).
Status ConfigureWriter(sql::Database& db, int64_t max_page_count);
// Creates or migrates the schema up to kStoreSchemaVersion (PRAGMA user_version).
Status Migrate(sql::Database& db);
// Runs PRAGMA integrity_check; Corruption status with SQLite's first message if not "ok".
Status CheckIntegrity(sql::Database& db);
// Moves `path` (and its -wal/-shm files) to "<path>.corrupt-<UTC stamp>"; returns the new path.
Result<std::string> Quarantine(const std::string& path, int64_t now_ms);

// The sidecar "<db>.seq": highest seq reserved and last boot count, written durably before
// any seq beyond the reservation is used. Survives the loss of the database file itself.
struct SeqSidecar {
  uint64_t reserved_through = 0;
  uint32_t boot_count = 0;
};
SeqSidecar ReadSidecar(const std::string& db_path);
Status WriteSidecar(const std::string& db_path, const SeqSidecar& s);

// meta table accessors (key -> integer)
Result<int64_t> ReadMeta(sql::Database& db, const char* key, int64_t fallback);
Status WriteMeta(sql::Database& db, const char* key, int64_t value);

}  // namespace touchpoint::store
