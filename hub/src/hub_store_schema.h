// The hub database's layout (PRAGMA user_version) and its migrations.
//
// Version 8 (current): version 7 with each rollup cell's figures and detail in one blob
// (`cell`, rollups::EncodeCell) instead of seven integer columns and a detail blob: a month of
// every store's hour cells is read in about a third less time. A version 4 to 7 database's cells
// are packed in place.
// Version 7: version 6 plus the per-kiosk counters kept at ingest (kiosk_counts.h):
// `kiosk_counts` (events held, highest seq, last received per kiosk) and `accounted_seqs` (the
// seqs accounted for per kiosk, as merged ranges), so that the fleet view and a hub's start
// read no events. A version 6 (or older) database gets them in place from one scan of the
// events' keys.
// Version 6: version 5 plus the chain levels (rollups.h): `chain_dims` (touchpoint x
// stage, every store together) and their cells by local hour and by local day
// (`cells_chain`, `cells_chain_day`), kept by the writer with the others. A version 4 or 5
// database is migrated in place by summing its hour cells per chain dim.
// Version 5: version 4 plus `web_users` (the web app's users, web_auth.h) and
// `web_alert_rules` / `web_alerts` (web_alerts.h).
// Version 4: version 3 plus `events.utc_offset_min` (the kiosk's offset at event time)
// and the rollup cells (`cells`, rollups.h): one row per (dim_key, local hour, UTC offset) with
// everything metrics::Sums needs, and their day level (`cells_day`), kept by the writer in the
// events' transaction. A version 3
// database is migrated in place: the offsets and cells are recomputed from the events' JSON.
// Version 3: version 2 plus kiosk registration (`registered_kiosks`: the hub accepts
// events only from these), per-kiosk counters (`hub_counters`: conflicts, events with a time out
// of range, rejects in total), `events.id_hash` (FNV-1a of the event id: a second, different
// event under a held (kiosk, seq) is a conflict) and `events.flags` (kEventFlag*), rejects kept
// as capped excerpts with the size and SHA-256 of the whole payload.
// Version 2: one narrow row per event keyed by (kiosk_key, seq) in a WITHOUT ROWID
// table (the key is the table: no rowid, no separate unique index); kiosk ids and the
// (store, touchpoint, stage) triple live once in the `kiosks` and `dims` tables and events point at
// them by integer key; the event type and source are small integers; the exact JSON lives in
// zstd-compressed blocks (`payloads`, see payload_block.h) that the row points at. No index on
// time: the journey map's query (time OR coverage interval) scans the table anyway.
// Version 1: one wide row per event with every text repeated and the JSON inline, a rowid, a
// UNIQUE(kiosk, seq) index and a time index. Migrated in place, in one transaction, at open.
#pragma once

#include <cstdint>
#include <optional>

#include "touchpoint/core/event.h"
#include "touchpoint/core/sqlite.h"
#include "touchpoint/core/status.h"

namespace touchpoint::hub {

constexpr int64_t kHubSchemaVersion = 9;

// Creates the tables of an empty database, migrates a version 1 database, or refuses a database
// of a newer version (made by a newer hub) with kInvalidArgument. Safe when several processes
// open one database at once (the check and the work run in one IMMEDIATE transaction).
Status EnsureHubSchema(sql::Database* db);

// events.type and payloads.source codes (stored: never renumber).
int64_t EventTypeCode(EventType t);
std::optional<EventType> EventTypeFromCode(int64_t code);
constexpr int64_t kSourceMqtt = 0, kSourceImport = 1;
// events.flags bits.
constexpr int64_t kEventFlagTimeOutOfRange = 1;  // kept off the map

}  // namespace touchpoint::hub
