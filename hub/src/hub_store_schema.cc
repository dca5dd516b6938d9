#include "hub_store_schema.h"

#include "kiosk_counts.h"
#include "payload_block.h"
#include "rollups.h"

namespace touchpoint::hub {

namespace {

constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE IF NOT EXISTS kiosks(
  kiosk_key INTEGER PRIMARY KEY, kiosk TEXT NOT NULL UNIQUE, store TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dims(
  dim_key INTEGER PRIMARY KEY, store TEXT NOT NULL, touchpoint TEXT NOT NULL, stage TEXT NOT NULL,
  UNIQUE(store, touchpoint, stage));
CREATE TABLE IF NOT EXISTS payloads(
  id INTEGER PRIMARY KEY, codec INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS events(
  kiosk_key INTEGER NOT NULL, seq INTEGER NOT NULL,
  dim_key INTEGER NOT NULL, type INTEGER NOT NULL, time_ms INTEGER NOT NULL,
  received_ms INTEGER NOT NULL, source INTEGER NOT NULL,
  superseded_by INTEGER,
  f_in INTEGER, f_out INTEGER, f_interval_s INTEGER,
  csat INTEGER, nps INTEGER, effort INTEGER, tags TEXT, suspect INTEGER,
  c_source TEXT, c_start_ms INTEGER, c_end_ms INTEGER,
  payload_id INTEGER NOT NULL, payload_line INTEGER NOT NULL,
  PRIMARY KEY(kiosk_key, seq)) WITHOUT ROWID;
)sql";

// Unchanged since version 1.
constexpr const char* kCommonTables = R"sql(
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
)sql";

// Version 1 -> 2, once the old table is renamed `events_v1` and the new tables exist. Each old
// row's JSON becomes its own kRawJson payload (ids = old rowids), so the migration is plain SQL;
// new events are stored in compressed blocks.
constexpr const char* kMigrateV1 = R"sql(
INSERT INTO kiosks(kiosk, store) SELECT kiosk, MAX(store) FROM events_v1 GROUP BY kiosk;
INSERT INTO dims(store, touchpoint, stage)
  SELECT DISTINCT store, touchpoint, stage FROM events_v1;
INSERT INTO payloads(id, codec, data) SELECT rowid, 0, CAST(json AS BLOB) FROM events_v1;
INSERT INTO events(kiosk_key, seq, dim_key, type, time_ms, received_ms, source, superseded_by,
  f_in, f_out, f_interval_s, csat, nps, effort, tags, suspect, c_source, c_start_ms, c_end_ms,
  payload_id, payload_line)
  SELECT k.kiosk_key, e.seq, d.dim_key,
    CASE e.type WHEN 'feedback' THEN 1 WHEN 'feedback_abandoned' THEN 2 WHEN 'footfall' THEN 3
                WHEN 'coverage' THEN 4 ELSE 5 END,
    e.time_ms, e.received_ms, CASE e.source WHEN 'import' THEN 1 ELSE 0 END, e.superseded_by,
    e.f_in, e.f_out, e.f_interval_s, e.csat, e.nps, e.effort, e.tags, e.suspect, e.c_source,
    e.c_start_ms, e.c_end_ms, e.rowid, 0
  FROM events_v1 e JOIN kiosks k ON k.kiosk = e.kiosk
  JOIN dims d ON d.store = e.store AND d.touchpoint = e.touchpoint AND d.stage = e.stage;
DROP TABLE events_v1;
)sql";

// Version 2 -> 3 (also run on a new database after the version 2 tables): kiosk registration,
// the event id's hash (conflicts), event flags (time out of range), rejects as capped excerpts
// with the whole payload's size and hash, and counters that survive the rejects' rotation.
// Kiosks a version 2 hub already accepted are registered ("migrated"): an upgrade does not
// stop the fleet.
constexpr const char* kMigrateV2 = R"sql(
ALTER TABLE events ADD COLUMN id_hash INTEGER;
ALTER TABLE events ADD COLUMN flags INTEGER;
ALTER TABLE rejects ADD COLUMN payload_bytes INTEGER;
ALTER TABLE rejects ADD COLUMN payload_sha256 TEXT;
CREATE TABLE IF NOT EXISTS registered_kiosks(
  kiosk TEXT PRIMARY KEY, store TEXT NOT NULL, added_ms INTEGER NOT NULL, how TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS hub_counters(
  kiosk TEXT NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL,
  PRIMARY KEY(kiosk, name)) WITHOUT ROWID;
INSERT OR IGNORE INTO registered_kiosks(kiosk, store, added_ms, how)
  SELECT kiosk, store, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), 'migrated'
  FROM kiosks;
INSERT OR IGNORE INTO hub_counters(kiosk, name, value)
  SELECT '', 'rejects', COUNT(*) FROM rejects;
)sql";

// Version 4 -> 5: users of the web app (hub/src/web_auth.cc): a salted slow hash per user
// ("pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>"), the role and, for regional users, the
// regions they see (comma-separated); alert rules and the alerts they opened (web_alerts.cc).
constexpr const char* kWebUsers = R"sql(
CREATE TABLE IF NOT EXISTS web_users(
  user TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL,
  regions TEXT NOT NULL, created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS web_alert_rules(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, metric TEXT NOT NULL, op TEXT NOT NULL,
  threshold REAL NOT NULL, window_min INTEGER NOT NULL, min_n INTEGER NOT NULL,
  scope TEXT NOT NULL, created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS web_alerts(
  id INTEGER PRIMARY KEY, rule_id INTEGER NOT NULL, scope TEXT NOT NULL, store TEXT NOT NULL,
  region TEXT NOT NULL, opened_ms INTEGER NOT NULL, value REAL, message TEXT NOT NULL,
  state TEXT NOT NULL, acked_by TEXT, acked_ms INTEGER, closed_ms INTEGER);
)sql";

// Version 8 -> 9: a narrower events row (14 columns instead of 24: the row is most of what the
// writer steps and writes per event). When an event arrived and how (MQTT or import) move to its
// payload block, which the same write stored; the answer columns (NULL since version 4), the
// suspect flag and the coverage columns go: the rollup cells and the stored JSON hold them.
// The events are copied once into the new table (in key order).
constexpr const char* kNarrowEvents = R"sql(
UPDATE payloads SET received_ms = m.received_ms, source = m.source
  FROM (SELECT payload_id, MAX(received_ms) AS received_ms, MAX(source) AS source
        FROM events GROUP BY payload_id) AS m
  WHERE payloads.id = m.payload_id;
CREATE TABLE events_v9(
  kiosk_key INTEGER NOT NULL, seq INTEGER NOT NULL,
  dim_key INTEGER NOT NULL, type INTEGER NOT NULL, time_ms INTEGER NOT NULL,
  superseded_by INTEGER, f_in INTEGER, f_out INTEGER, f_interval_s INTEGER,
  payload_id INTEGER NOT NULL, payload_line INTEGER NOT NULL,
  id_hash INTEGER, flags INTEGER, utc_offset_min INTEGER,
  PRIMARY KEY(kiosk_key, seq)) WITHOUT ROWID;
INSERT INTO events_v9(kiosk_key, seq, dim_key, type, time_ms, superseded_by, f_in, f_out,
  f_interval_s, payload_id, payload_line, id_hash, flags, utc_offset_min)
  SELECT kiosk_key, seq, dim_key, type, time_ms, superseded_by, f_in, f_out, f_interval_s,
    payload_id, payload_line, id_hash, flags, utc_offset_min
  FROM events ORDER BY kiosk_key, seq;
DROP TABLE events;
ALTER TABLE events_v9 RENAME TO events;
)sql";

// The version 9 step (see kNarrowEvents), for any earlier database whose tables are otherwise
// current.
Status NarrowEvents(sql::Database* db) {
  auto has = db->HasColumn("payloads", "received_ms");
  if (!has.ok()) return has.status();
  if (!*has) {
    if (Status s = db->Exec("ALTER TABLE payloads ADD COLUMN received_ms INTEGER; "
                            "ALTER TABLE payloads ADD COLUMN source INTEGER;");
        !s.ok()) {
      return s;
    }
  }
  auto wide = db->HasColumn("events", "received_ms");
  if (!wide.ok()) return wide.status();
  return *wide ? db->Exec(kNarrowEvents) : Status::Ok();
}

}  // namespace

int64_t EventTypeCode(EventType t) {
  switch (t) {
    case EventType::kFeedback:
      return 1;
    case EventType::kFeedbackAbandoned:
      return 2;
    case EventType::kFootfall:
      return 3;
    case EventType::kCoverage:
      return 4;
    case EventType::kStatus:
      return 5;
  }
  return 5;
}

std::optional<EventType> EventTypeFromCode(int64_t code) {
  switch (code) {
    case 1:
      return EventType::kFeedback;
    case 2:
      return EventType::kFeedbackAbandoned;
    case 3:
      return EventType::kFootfall;
    case 4:
      return EventType::kCoverage;
    case 5:
      return EventType::kStatus;
    default:
      return std::nullopt;
  }
}

Status EnsureHubSchema(sql::Database* db) {
  // The common case, a current database, takes no write lock (hubs may be writing).
  auto current = db->QueryInt("PRAGMA user_version");
  if (!current.ok()) return current.status();
  if (current->value_or(0) == kHubSchemaVersion) return Status::Ok();
  if (Status s = db->Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  auto work = [db]() -> Status {
    auto version = db->QueryInt("PRAGMA user_version");
    if (!version.ok()) return version.status();
    int64_t v = version->value_or(0);
    if (v == kHubSchemaVersion) return Status::Ok();
    if (v > kHubSchemaVersion) {
      return Status::InvalidArgument(db->path() + ": hub database version " + std::to_string(v) +
                                     " is newer than this hub's (" +
                                     std::to_string(kHubSchemaVersion) + "); use a newer hub");
    }
    // Version 0 with an events table: a version 1 database from before user_version was set.
    auto has_events =
        db->QueryInt("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'events'");
    if (!has_events.ok()) return has_events.status();
    bool v1 = v == 1 || (v == 0 && has_events->value_or(0) > 0);
    if (v >= 3 && v <= 7) {
      // Only the steps to versions 4 to 9 below.
    } else if (v == 2) {
      // Only the version 3 step below.
    } else if (v1) {
      if (Status s = db->Exec("ALTER TABLE events RENAME TO events_v1; "
                              "DROP INDEX IF EXISTS events_time");
          !s.ok()) {
        return s;
      }
      if (Status s = db->Exec(kSchemaV2); !s.ok()) return s;
      if (Status s = db->Exec(kMigrateV1); !s.ok()) return s;
    } else if (Status s = db->Exec(kSchemaV2); !s.ok()) {
      return s;
    }
    if (v < 2) {
      if (Status s = db->Exec(kCommonTables); !s.ok()) return s;
    }
    if (v < 3) {
      if (Status s = db->Exec(kMigrateV2); !s.ok()) return s;
    }
    // The chain levels (version 6): every store together, and their dims.
    // Version 7 -> 8 (first: a version 4 or 5 database's chain levels are summed from its
    // cells below): each cell's figures and detail in one blob.
    if (v >= 4) {
      if (Status s = rollups::PackCellTables(db); !s.ok()) {
        return Status::Corruption(db->path() +
                                  ": migrating to version 8 (one blob per cell): " + s.ToString());
      }
    }
    const std::string chain_tables = std::string(rollups::kChainDimsSql) +
                                     rollups::CellsTableSql("cells_chain") +
                                     rollups::CellsTableSql("cells_chain_day");
    if (v < 4) {
      // Version 3 -> 4 (and 6): the events' UTC offset and the rollup cells of every level,
      // recomputed from the stored events' JSON (which also fills the offsets).
      if (Status s = db->Exec("ALTER TABLE events ADD COLUMN utc_offset_min INTEGER;" +
                              rollups::CellsTableSql("cells") +
                              rollups::CellsTableSql("cells_day") + chain_tables);
          !s.ok()) {
        return s;
      }
      if (auto r = rollups::Rebuild(db); !r.ok()) {
        return Status::Corruption(
            db->path() + ": migrating to version 4 (rollup cells): " + r.status().ToString());
      }
    } else if (v < 6) {
      // Version 5 -> 6: the cells are current; the chain levels are their sums.
      if (Status s = db->Exec(chain_tables); !s.ok()) return s;
      if (Status s = rollups::FillChainLevels(db); !s.ok()) {
        return Status::Corruption(db->path() +
                                  ": migrating to version 6 (chain cells): " + s.ToString());
      }
    }
    // Version 8 -> 9: the narrow events row (before the kiosk counters below read it).
    if (v < 9) {
      if (Status s = NarrowEvents(db); !s.ok()) return s;
    }
    // Version 4 -> 5: the web app's users (web_auth.h).
    if (Status s = db->Exec(kWebUsers); !s.ok()) return s;
    if (v < 7) {
      // Version 6 -> 7: the per-kiosk counters (kiosk_counts.h), from the held events (one
      // scan of their keys) and the compactions, rejects and known gaps.
      if (Status s = db->Exec(kiosk_counts::kTablesSql); !s.ok()) return s;
      if (auto r = kiosk_counts::Recompute(db); !r.ok()) {
        return Status::Corruption(
            db->path() + ": migrating to version 7 (kiosk counters): " + r.status().ToString());
      }
    }
    return db->Exec("PRAGMA user_version = " + std::to_string(kHubSchemaVersion));
  };
  Status s = work();
  if (s.ok()) s = db->Exec("COMMIT");
  if (!s.ok()) db->RollbackQuietly();
  return s;
}

}  // namespace touchpoint::hub
