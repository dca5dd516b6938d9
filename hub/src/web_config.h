// Private: the hub config file (TOML, `--hub-config`, docs/hub-api.md "Hub config"): the order
// journey stages are drawn in, the regions that group stores, and the stores' opening hours.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "touchpoint/core/status.h"

namespace touchpoint::hub::web {

inline constexpr const char* kNoRegion = "(none)";  // the region of stores no region names

// A week of opening hours: per ISO weekday (index 0 = Monday .. 6 = Sunday) the open ranges as
// minutes of the local day [start, end), 0 <= start < end <= 1440, sorted, not overlapping. A day
// not given (nullopt) falls back to the next level (store -> region -> default); an empty list
// is closed.
struct WeekHours {
  std::array<std::optional<std::vector<std::pair<int, int>>>, 7> days;
  bool Empty() const;
};

struct WebConfig {
  std::vector<std::string> stages;                          // drawn first, in this order
  std::map<std::string, std::vector<std::string>> regions;  // region -> its stores
  // [opening_hours]: the default week, and overrides per region and per store.
  WeekHours hours;
  std::map<std::string, WeekHours> region_hours, store_hours;

  // The region naming `store`, or kNoRegion.
  std::string RegionOf(const std::string& store) const;
  // `seen` (stages found in data) ordered: configured ones first in their order, then the
  // others alphabetically. Configured stages without data are listed too.
  std::vector<std::string> OrderStages(const std::vector<std::string>& seen) const;
  // Whether any opening hours apply to `store` (a day at any level).
  bool HasHours(const std::string& store) const;
  // The open ranges of `store` on ISO weekday `weekday0` (0 = Monday): the store's day, else its
  // region's, else the default's; closed when none gives the day.
  std::vector<std::pair<int, int>> DayHours(const std::string& store, int weekday0) const;
  // If `store` is open at store-local time `local_ms` (local wall clock written as UTC ms): when
  // the open period around it began (local ms; a range ending at 24:00 runs on into the next
  // day's range starting at 00:00, at most 7 days back). nullopt: closed, or no hours.
  std::optional<int64_t> OpenSince(const std::string& store, int64_t local_ms) const;
  // {"stages","regions","opening_hours":{"default":{"mon":["09:00-20:00"],..},"regions":{..},
  // "stores":{..}}} (days not given are left out; a closed day is []).
  nlohmann::ordered_json ToJson() const;
};

// Parses the file's text; errors name "FILE:LINE:COL: key: what" (every problem, one a line).
Result<WebConfig> ParseWebConfig(std::string_view text, const std::string& file);
// Reads and parses a file (at most 1 MiB). An empty path gives the empty config.
Result<WebConfig> LoadWebConfig(const std::string& path);
// The file's text (at most 1 MiB); NotFound when it does not exist.
Result<std::string> ReadWebConfigText(const std::string& path);
// Writes `text` to `path` atomically: a temporary file in the same directory (the old file's
// mode, else 0644), flushed to disk, renamed over `path`, the directory flushed.
Status WriteWebConfigText(const std::string& path, const std::string& text);

}  // namespace touchpoint::hub::web
