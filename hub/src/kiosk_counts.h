// Per-kiosk counters kept at ingest (schema v7, docs/hub.md "Kiosk counters"), so that the fleet
// view, the store page and a hub's start read a few rows per kiosk instead of every event:
//
//   kiosk_counts(kiosk_key, events, max_seq, last_received_ms): per kiosk with held events, how
//     many it holds, its highest seq and when the last one was received (COUNT, MAX(seq),
//     MAX(received_ms) over its events);
//   accounted_seqs(kiosk, first_seq, last_seq): the seqs the hub accounts for per kiosk (held
//     events, replaced by a compaction, known gaps), as disjoint, non-adjacent ranges. Seqs
//     finally rejected are not in it: readers merge those of the rejects kept (at most
//     kMaxRejectsKept rows, read through the `rejects_kiosk` index), so that a flood of rejects
//     with made-up seqs grows nothing beyond the capped rejects table.
//
// The writer collects a write's deltas in a Deltas (no SQL per event) and adds them once per
// write, inside its transaction: one upsert per kiosk and, per new range, a read of the at most
// few ranges it touches. Duplicates and conflicts add nothing (their seq is held already); a
// compaction's originals, whenever they arrive, are accounted by the compaction's range.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "touchpoint/core/sqlite.h"
#include "touchpoint/core/status.h"
#include "touchpoint/hub/hub_store.h"

namespace touchpoint::hub::kiosk_counts {

inline constexpr const char* kTablesSql =
    "CREATE TABLE IF NOT EXISTS kiosk_counts(kiosk_key INTEGER PRIMARY KEY, "
    "events INTEGER NOT NULL, max_seq INTEGER NOT NULL, last_received_ms INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS accounted_seqs(kiosk TEXT NOT NULL, first_seq INTEGER NOT NULL, "
    "last_seq INTEGER NOT NULL, PRIMARY KEY(kiosk, first_seq)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS rejects_kiosk ON rejects(kiosk, seq);";

// Seqs missing below the highest accounted one (from 1), given a kiosk's merged ranges.
int64_t SeqGaps(const std::vector<SeqRange>& ranges);

// What one write adds. Threads: owned by the writer's connection.
class Deltas {
 public:
  // An event this write inserted (not a duplicate or a conflict), received at `received_ms`;
  // its compacted ranges are accounted too.
  void Inserted(int64_t kiosk_key, const HubEvent& e, int64_t received_ms);
  // Adds the writes' known gaps, then everything collected to the tables, and clears.
  // REQUIRES: inside the writes' transaction.
  Status Flush(sql::Database* db, std::span<const HubWrite* const> writes);
  void Clear();

 private:
  struct Counts {
    int64_t events = 0;
    uint64_t max_seq = 0;
    int64_t last_received_ms = 0;
  };
  std::map<int64_t, Counts> counts_;                        // by kiosk_key
  std::map<std::string, std::vector<SeqRange>> accounted_;  // by kiosk
  std::string last_kiosk_;
  std::vector<SeqRange>* last_ranges_ = nullptr;  // accounted_[last_kiosk_]
  std::optional<sql::Statement> upsert_, overlapping_, delete_, insert_;
};

// What Recompute found, comparing with the rows it replaced.
struct RecomputeResult {
  int64_t kiosks = 0;   // kiosks with counters or accounted seqs after
  int64_t changed = 0;  // kiosks whose counters or accounted ranges differed (added/removed too)
};

// Recomputes both tables from the held events, compactions and known gaps (a scan of every
// event's key), replacing their rows: the v6 -> v7 migration and rebuild-rollups.
// REQUIRES: inside a write transaction.
Result<RecomputeResult> Recompute(sql::Database* db);

}  // namespace touchpoint::hub::kiosk_counts
