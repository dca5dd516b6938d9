// Private: the web API's views (docs/hub-api.md "Endpoints"): JSON built from HubStore::View
// (rollup cells only) and metrics::Compute, for a filter already resolved and scoped
// (web_filter.h). Each function reads through the HubStore it is given (one thread at a time).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "touchpoint/hub/hub_store.h"
#include "web_api_error.h"
#include "web_config.h"
#include "web_filter.h"

namespace touchpoint::hub::web {

using Json = nlohmann::ordered_json;

// The prior weight of the stores ranking: a store's CSAT mean is pulled toward the chain mean
// as if it had this many more responses at the chain mean.
inline constexpr int64_t kRankPriorResponses = 20;
// The curve's series (curve_by=store|region) are one View call each: at most this many.
inline constexpr size_t kMaxCurveSeries = 60;

// The figures object of some sums (docs/hub-api.md "The figures object").
Json FiguresJson(const metrics::Sums& sums, int64_t gap_s, bool include_suspect);
// {"from","to","stores","touchpoint","stage","suspect"}.
Json FilterJson(const ResolvedFilter& f);

struct ViewContext {
  HubStore* store = nullptr;
  const WebConfig* config = nullptr;
  const ResolvedFilter* filter = nullptr;
  const Params* params = nullptr;
};

ApiResult<Json> JourneyView(const ViewContext& c);
ApiResult<Json> TrendsView(const ViewContext& c);
ApiResult<Json> HeatmapView(const ViewContext& c);
ApiResult<Json> StoresView(const ViewContext& c);
// `kiosks`: the fleet rows of this store (FleetView's), put under "kiosks".
ApiResult<Json> StorePageView(const ViewContext& c, const std::string& store, Json kiosks);
ApiResult<Json> PainPointsView(const ViewContext& c);

// The endpoint's main list as CSV (docs/hub-api.md "CSV"): one row per element of `list`,
// nested objects flattened ("figures" dropped from names, "previous" a prefix), arrays of
// numbers as numbered columns, other arrays as one "a; b" cell.
std::string ToCsv(const Json& rows, const std::vector<std::pair<std::string, Json>>& fixed = {});

}  // namespace touchpoint::hub::web
