// Private: the hub config file (TOML, `--hub-config`, docs/hub-api.md "Hub config"): the order
// journey stages are drawn in and the regions that group stores.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "touchpoint/core/status.h"

namespace touchpoint::hub::web {

inline constexpr const char* kNoRegion = "(none)";  // the region of stores no region names

struct WebConfig {
  std::vector<std::string> stages;                          // drawn first, in this order
  std::map<std::string, std::vector<std::string>> regions;  // region -> its stores

  // The region naming `store`, or kNoRegion.
  std::string RegionOf(const std::string& store) const;
  // `seen` (stages found in data) ordered: configured ones first in their order, then the
  // others alphabetically. Configured stages without data are listed too.
  std::vector<std::string> OrderStages(const std::vector<std::string>& seen) const;
};

// Parses the file's text; errors name "FILE:LINE:COL: key: what" (every problem, one a line).
Result<WebConfig> ParseWebConfig(std::string_view text, const std::string& file);
// Reads and parses a file (at most 1 MiB). An empty path gives the empty config.
Result<WebConfig> LoadWebConfig(const std::string& path);

}  // namespace touchpoint::hub::web
