#include "web_config.h"

#include <toml++/toml.h>
#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "touchpoint/sync/wire.h"

namespace touchpoint::hub::web {

namespace {

constexpr size_t kMaxConfigBytes = 1 << 20;

std::string Where(const std::string& file, const toml::source_region& r) {
  return file + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column);
}

// The strings of an array of ids, each checked; problems appended.
std::vector<std::string> Ids(const toml::node& node, const std::string& file,
                             const std::string& key, std::vector<std::string>* problems) {
  std::vector<std::string> out;
  const toml::array* a = node.as_array();
  if (!a) {
    problems->push_back(Where(file, node.source()) + ": " + key + ": expected an array of strings");
    return out;
  }
  for (const toml::node& item : *a) {
    const auto* s = item.as_string();
    if (!s || !sync::IsValidId(s->get())) {
      problems->push_back(Where(file, item.source()) + ": " + key +
                          ": expected an id ([A-Za-z0-9_-], 1 to 64 characters)");
      continue;
    }
    out.push_back(s->get());
  }
  return out;
}

}  // namespace

std::string WebConfig::RegionOf(const std::string& store) const {
  for (const auto& [region, stores] : regions) {
    if (std::find(stores.begin(), stores.end(), store) != stores.end()) return region;
  }
  return kNoRegion;
}

std::vector<std::string> WebConfig::OrderStages(const std::vector<std::string>& seen) const {
  std::vector<std::string> out = stages;
  std::set<std::string> rest(seen.begin(), seen.end());
  for (const std::string& s : stages) rest.erase(s);
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

Result<WebConfig> ParseWebConfig(std::string_view text, const std::string& file) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(Where(file, e.source()) + ": " + std::string(e.description()));
  }
  WebConfig c;
  std::vector<std::string> problems;
  std::map<std::string, std::string> region_of;  // store -> region (a store in one region only)
  for (const auto& [key, node] : root) {
    std::string k(key.str());
    if (k == "journey") {
      const toml::table* t = node.as_table();
      if (!t) {
        problems.push_back(Where(file, node.source()) + ": journey: expected a table");
        continue;
      }
      for (const auto& [jk, jn] : *t) {
        if (jk.str() != "stages") {
          problems.push_back(Where(file, jn.source()) + ": journey." + std::string(jk.str()) +
                             ": unknown key (known: stages)");
          continue;
        }
        c.stages = Ids(jn, file, "journey.stages", &problems);
        std::set<std::string> unique(c.stages.begin(), c.stages.end());
        if (unique.size() != c.stages.size()) {
          problems.push_back(Where(file, jn.source()) +
                             ": journey.stages: a stage is listed twice");
        }
      }
    } else if (k == "regions") {
      const toml::table* t = node.as_table();
      if (!t) {
        problems.push_back(Where(file, node.source()) + ": regions: expected a table");
        continue;
      }
      for (const auto& [rk, rn] : *t) {
        std::string region(rk.str());
        std::string path = "regions." + region;
        if (!sync::IsValidId(region)) {
          problems.push_back(Where(file, rn.source()) + ": " + path +
                             ": a region name is an id ([A-Za-z0-9_-], 1 to 64 characters)");
          continue;
        }
        std::vector<std::string> stores = Ids(rn, file, path, &problems);
        for (const std::string& s : stores) {
          auto [it, fresh] = region_of.emplace(s, region);
          if (!fresh) {
            problems.push_back(Where(file, rn.source()) + ": " + path + ": store " + s +
                               " is already in region " + it->second);
          }
        }
        c.regions[region] = std::move(stores);
      }
    } else {
      problems.push_back(Where(file, node.source()) + ": " + k +
                         ": unknown key (known: journey, regions)");
    }
  }
  if (!problems.empty()) {
    std::string all;
    for (const std::string& p : problems) all += (all.empty() ? "" : "\n") + p;
    return Status::InvalidArgument(all);
  }
  return c;
}

Result<WebConfig> LoadWebConfig(const std::string& path) {
  if (path.empty()) return WebConfig{};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open the hub config");
  std::string text(kMaxConfigBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxConfigBytes) {
    return Status::InvalidArgument(path + ": larger than 1 MiB");
  }
  return ParseWebConfig(text, path);
}

}  // namespace touchpoint::hub::web
