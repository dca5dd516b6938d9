// The hub store's read side (listings, the map's facts, accounted seqs, event JSON): queries
// over the layout of hub_store_schema.h, on the connection of the calling SqliteHubStore.
#pragma once

#include <optional>
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
// HubStore::View over the `cells` table (hub_store_views.cc).
Result<std::vector<ViewRow>> View(sql::Database* db, const ViewFilter& f, ViewBy by);

}  // namespace touchpoint::hub::queries
