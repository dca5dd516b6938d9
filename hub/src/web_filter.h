// Private: the web API's filter (docs/hub-api.md "Filters") and the ONE place where a user's
// regional scope is applied: every view endpoint resolves its query through ResolveFilter, and
// the resolved store list is what reaches HubStore::View. A regional user naming a store or a
// region outside its scope gets 403; without a store filter its scope is applied silently.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "calendar.h"
#include "touchpoint/hub/hub_store.h"
#include "web_api_error.h"
#include "web_auth.h"
#include "web_config.h"

namespace touchpoint::hub::web {

inline constexpr int64_t kMaxRangeDays = 400;
inline constexpr int64_t kDefaultRangeDays = 28;

using Params = std::multimap<std::string, std::string>;

// Days since 1970-01-01 <-> "YYYY-MM-DD".
std::optional<int64_t> ParseDate(const std::string& s);
std::string FormatDate(int64_t day);
// "2026-W45" of the ISO week holding `day` (IsoWeekday and IsoWeekOf: calendar.h).
std::string IsoWeekName(int64_t day);

struct Period {
  int64_t from_day = 0, to_day = 0;  // inclusive
  std::string from() const { return FormatDate(from_day); }
  std::string to() const { return FormatDate(to_day); }
};

struct ResolvedFilter {
  Period period, previous;  // previous: same length, ending the day before `from`
  bool compare = false, csv = false, suspect = false;
  std::string touchpoint, stage;
  // The stores the figures cover, sorted. `every_store`: an admin or analyst without a store or
  // region filter (View reads every store, also ones the list has not heard of yet).
  std::vector<std::string> stores;
  bool every_store = false;

  // The ViewFilter of the current or the previous period (store-local whole days).
  ViewFilter View(bool previous_period = false) const;
  // False when the filter selects no store at all (a regional user whose regions have none):
  // views must then answer empty, as an empty ViewFilter::stores means every store.
  bool SelectsAny() const { return every_store || !stores.empty(); }
};

// The stores a user may see: every known one, or a regional user's regions' stores.
struct Scope {
  bool all = false;
  std::set<std::string> stores;
};
Scope ScopeOf(const User& u, const WebConfig& config, const std::vector<std::string>& known);

// Resolves the query of a view endpoint for the session's user. `known`: every store the hub
// knows (kiosks' stores and the config's regions). `path_store`: a store named by the path
// (/stores/<store>), which replaces the store and region parameters (404 when unknown).
// `today_day`: the hub's UTC date, for the default range (the 28 days ending yesterday).
ApiResult<ResolvedFilter> ResolveFilter(const Params& params, const User& user,
                                        const WebConfig& config,
                                        const std::vector<std::string>& known, int64_t today_day,
                                        const std::string* path_store = nullptr);

// One query parameter: empty when absent; 400 when given twice.
ApiResult<std::string> Param(const Params& params, const std::string& name);

}  // namespace touchpoint::hub::web
