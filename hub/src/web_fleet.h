// Private: the fleet health view (docs/hub-api.md "/api/v1/fleet"): every kiosk in the filter's
// stores with its retained status, sequence gaps, rejects, conflicts and its store's coverage
// gaps in the period.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "touchpoint/core/sqlite.h"
#include "web_views.h"

namespace touchpoint::hub::web {

// A kiosk whose latest "online" status is older than this is stale (3 x the kiosk's default
// status interval of 300 s).
inline constexpr int64_t kStaleStatusMs = 15LL * 60 * 1000;

struct FleetInputs {
  std::vector<KioskSummary> kiosks;
  std::map<std::string, int64_t> seq_gaps;  // kiosk -> seqs missing below its highest
  std::map<std::string, int64_t> rejects;   // kiosk -> rejects kept for it
};

// Reads what the fleet view needs besides the cells. `db`: a connection to the SQLite store
// (rejects per kiosk: `SELECT kiosk, COUNT(*) FROM rejects GROUP BY kiosk`, at most
// kMaxRejectsKept rows); seq gaps are KioskSummary::seq_gaps (kept at ingest, schema v7).
Result<std::map<std::string, int64_t>> RejectsPerKiosk(sql::Database* db);

// The kiosks of the filter's stores. `only_store`: just this store's (the store page).
ApiResult<Json> FleetView(const ViewContext& c, const FleetInputs& in, int64_t now_ms,
                          const std::string* only_store = nullptr);
// "2 h 10 min", "3 d 4 h", "45 s".
std::string HumanDuration(int64_t ms);

}  // namespace touchpoint::hub::web
