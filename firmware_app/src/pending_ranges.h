// Private to the event store: the outbox as ranges. Table `pending(first_seq INTEGER PRIMARY
// KEY, last_seq INTEGER NOT NULL)` (schema v2) holds the seqs the hub has not acknowledged yet
// as disjoint closed ranges, in place of one `outbox` row per event (v1): an acknowledgement of
// a batch of 2,000 events then changes a row or two instead of deleting 2,000 b-tree cells, and
// the uplink reads each range's events straight from the events table by seq.
//
// Every pending seq is a stored event: appends add an event and its seq in one transaction, and
// only acknowledged events are pruned (footfall compaction removes the seqs it deletes).
#pragma once

#include <cstdint>
#include <string>

#include "touchpoint/core/sqlite.h"
#include "touchpoint/core/status.h"

namespace touchpoint::store {

// SQL: 1 when the events row aliased `e` is pending, else 0 (one seek in `pending`).
inline constexpr const char* kEventIsPendingSql =
    "COALESCE((SELECT p.last_seq >= e.seq FROM pending p WHERE p.first_seq <= e.seq "
    "ORDER BY p.first_seq DESC LIMIT 1), 0)";

// SQL: the number of pending seqs (one integer row).
inline constexpr const char* kCountPendingSql =
    "SELECT COALESCE(SUM(last_seq - first_seq + 1), 0) FROM pending";

// SQL: (seq, <columns>) of the pending events after ?1 in seq order, at most ?2 rows.
// `columns` names columns of `events e`, e.g. "e.seq, e.body".
std::string PendingEventsSql(const char* columns);

// Marks [first, last] pending: seqs above every pending one (new events). Extends the last
// range when it ends at first - 1. Inside the caller's transaction.
Status AddPending(sql::Database& db, uint64_t first, uint64_t last);

// Removes [first, last] from the pending seqs (an acknowledgement, or events deleted by
// compaction); returns how many pending seqs it removed. Inside the caller's transaction.
Result<int64_t> RemovePending(sql::Database& db, uint64_t first, uint64_t last);

}  // namespace touchpoint::store
