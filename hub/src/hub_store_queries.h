// The hub store's read side (listings, the map's facts, accounted seqs, event JSON): queries
// over the layout of hub_store_schema.h, on the connection of the calling SqliteHubStore.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "touchpoint/core/sqlite.h"
#include "touchpoint/hub/hub_store.h"

namespace touchpoint::hub::queries {

Result<std::vector<KioskSeqs>> AccountedSeqs(sql::Database* db);
Result<std::vector<SeqRange>> AccountedSeqsIn(sql::Database* db, const std::string& kiosk,
                                              SeqRange within);
Result<std::optional<std::string>> EventJson(sql::Database* db, const std::string& kiosk,
                                             uint64_t seq);
Result<std::vector<Reject>> Rejects(sql::Database* db, size_t limit);
Result<int64_t> RejectCount(sql::Database* db);
Result<std::vector<KioskRegistration>> RegisteredKiosks(sql::Database* db);
Result<std::vector<KnownGap>> KnownGaps(sql::Database* db);
Result<std::vector<KioskSummary>> Kiosks(sql::Database* db);
Result<int64_t> CountEvents(sql::Database* db);

// What the web app's /api/v1/meta lists (web_server.cc), from the rollup cells' keys: the
// touchpoints and stages with cells in local days [from_day, to_day) (`stores` nullptr: every
// store, from the chain day level; else those stores' day cells), and each store's UTC offset in
// its latest local hour cell of local days [offsets_from_day, to_day) (of two cells of one local
// hour, the smaller offset: the later one). One index seek per dim.
struct MetaDims {
  std::set<std::string> touchpoints, stages;
  std::map<std::string, int32_t> offsets;  // by store
};
Result<MetaDims> RecentMetaDims(sql::Database* db, const std::vector<std::string>* stores,
                                int64_t from_day, int64_t to_day, int64_t offsets_from_day);
// HubStore::View and ForEachCell over the cells tables (hub_store_views.cc).
Result<std::vector<ViewRow>> View(sql::Database* db, const ViewFilter& f, ViewBy by);
// Over many dims the cells are read on two threads (hub_store_views.cc); who decodes them is
// balanced at run time (kBalanced). Tests force either side.
enum class CellDecoding { kBalanced, kOnReader, kOnCaller };
Status ForEachCell(sql::Database* db, const ViewFilter& f,
                   const std::function<Status(const ViewRow&)>& fn,
                   CellDecoding decoding = CellDecoding::kBalanced);

}  // namespace touchpoint::hub::queries
