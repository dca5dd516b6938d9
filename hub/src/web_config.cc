#include "web_config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
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

constexpr int64_t kDayMs = 86400000;
constexpr int64_t kMinuteMs = 60000;
const char* const kDayNames[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

// "HH:MM" (00:00 .. 24:00) as minutes, or -1.
int Minutes(std::string_view t) {
  if (t.size() != 5 || t[2] != ':') return -1;
  for (size_t i : {0u, 1u, 3u, 4u}) {
    if (t[i] < '0' || t[i] > '9') return -1;
  }
  int h = (t[0] - '0') * 10 + (t[1] - '0'), m = (t[3] - '0') * 10 + (t[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

std::string Hhmm(int minutes) {
  char b[32];
  std::snprintf(b, sizeof b, "%02d:%02d", minutes / 60, minutes % 60);
  return b;
}

// A day's value: "closed", or ranges "09:00-12:30, 13:30-20:00" (sorted, not overlapping).
std::optional<std::vector<std::pair<int, int>>> DayRanges(const std::string& v, std::string* why) {
  std::vector<std::pair<int, int>> out;
  if (v == "closed") return out;
  size_t pos = 0;
  while (pos <= v.size()) {
    size_t end = v.find(',', pos);
    if (end == std::string::npos) end = v.size();
    std::string part = v.substr(pos, end - pos);
    part.erase(0, part.find_first_not_of(' '));
    part.erase(part.find_last_not_of(' ') + 1);
    size_t dash = part.find('-');
    int a = dash == std::string::npos ? -1 : Minutes(std::string_view(part).substr(0, dash));
    int b = dash == std::string::npos ? -1 : Minutes(std::string_view(part).substr(dash + 1));
    if (a < 0 || b < 0) {
      *why = "expected \"closed\" or ranges \"HH:MM-HH:MM\" separated by commas (\"" + part + "\")";
      return std::nullopt;
    }
    if (b <= a) {
      *why = "a range ends after it starts, within the day (\"" + part +
             "\"; a night past 24:00 goes on the next day from 00:00)";
      return std::nullopt;
    }
    if (!out.empty() && a < out.back().second) {
      *why = "ranges in order and not overlapping (\"" + part + "\")";
      return std::nullopt;
    }
    out.emplace_back(a, b);
    pos = end + 1;
  }
  return out;
}

// The keys mon..sun of a table as a week; other keys are problems unless `allow` names them.
WeekHours Week(const toml::table& t, const std::string& file, const std::string& path,
               const std::set<std::string>& allow, std::vector<std::string>* problems) {
  WeekHours w;
  for (const auto& [k, n] : t) {
    std::string key(k.str());
    if (allow.count(key)) continue;
    auto day = std::find(std::begin(kDayNames), std::end(kDayNames), key);
    std::string where = Where(file, n.source()) + ": " + path + "." + key;
    if (day == std::end(kDayNames)) {
      problems->push_back(where + ": unknown key (known: mon, tue, wed, thu, fri, sat, sun" +
                          (allow.empty() ? std::string(")") : ", regions, stores)"));
      continue;
    }
    const auto* v = n.as_string();
    if (!v) {
      problems->push_back(where + ": expected a string such as \"09:00-20:00\" or \"closed\"");
      continue;
    }
    std::string why;
    auto ranges = DayRanges(v->get(), &why);
    if (!ranges) {
      problems->push_back(where + ": " + why);
      continue;
    }
    w.days[static_cast<size_t>(day - std::begin(kDayNames))] = std::move(*ranges);
  }
  return w;
}

// [opening_hours.regions] or [opening_hours.stores]: a table of weeks by id.
void Weeks(const toml::node& node, const std::string& file, const std::string& path,
           std::map<std::string, WeekHours>* out, std::vector<std::string>* problems) {
  const toml::table* t = node.as_table();
  if (!t) {
    problems->push_back(Where(file, node.source()) + ": " + path + ": expected a table");
    return;
  }
  for (const auto& [k, n] : *t) {
    std::string id(k.str());
    if (!sync::IsValidId(id)) {
      problems->push_back(Where(file, n.source()) + ": " + path + "." + id +
                          ": expected an id ([A-Za-z0-9_-], 1 to 64 characters)");
      continue;
    }
    const toml::table* week = n.as_table();
    if (!week) {
      problems->push_back(Where(file, n.source()) + ": " + path + "." + id +
                          ": expected a table of days (mon = \"09:00-20:00\")");
      continue;
    }
    (*out)[id] = Week(*week, file, path + "." + id, {}, problems);
  }
}

nlohmann::ordered_json WeekJson(const WeekHours& w) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (size_t d = 0; d < 7; ++d) {
    if (!w.days[d]) continue;
    nlohmann::ordered_json ranges = nlohmann::ordered_json::array();
    for (const auto& [a, b] : *w.days[d]) ranges.push_back(Hhmm(a) + "-" + Hhmm(b));
    j[kDayNames[d]] = ranges;
  }
  return j;
}

}  // namespace

bool WeekHours::Empty() const {
  return std::none_of(days.begin(), days.end(), [](const auto& d) { return d.has_value(); });
}

bool WebConfig::HasHours(const std::string& store) const {
  if (!hours.Empty()) return true;
  auto s = store_hours.find(store);
  if (s != store_hours.end() && !s->second.Empty()) return true;
  auto r = region_hours.find(RegionOf(store));
  return r != region_hours.end() && !r->second.Empty();
}

std::vector<std::pair<int, int>> WebConfig::DayHours(const std::string& store, int weekday0) const {
  size_t d = static_cast<size_t>(weekday0);
  auto s = store_hours.find(store);
  if (s != store_hours.end() && s->second.days[d]) return *s->second.days[d];
  auto r = region_hours.find(RegionOf(store));
  if (r != region_hours.end() && r->second.days[d]) return *r->second.days[d];
  if (hours.days[d]) return *hours.days[d];
  return {};
}

std::optional<int64_t> WebConfig::OpenSince(const std::string& store, int64_t local_ms) const {
  if (!HasHours(store)) return std::nullopt;
  int64_t day = local_ms >= 0 ? local_ms / kDayMs : (local_ms - kDayMs + 1) / kDayMs;
  int64_t minute = (local_ms - day * kDayMs) / kMinuteMs;
  // 1970-01-01 was a Thursday (index 3).
  auto weekday0 = [](int64_t d) { return static_cast<int>(((d % 7) + 7 + 3) % 7); };
  std::optional<int64_t> since;
  for (const auto& [a, b] : DayHours(store, weekday0(day))) {
    if (minute >= a && minute < b) since = day * kDayMs + a * kMinuteMs;
  }
  if (!since) return std::nullopt;
  // A period starting at 00:00 continues one that ran to 24:00 the day before.
  for (int back = 0; back < 7 && *since % kDayMs == 0; ++back) {
    int64_t prev = *since / kDayMs - 1;
    auto ranges = DayHours(store, weekday0(prev));
    if (ranges.empty() || ranges.back().second != 1440) break;
    since = prev * kDayMs + ranges.back().first * kMinuteMs;
  }
  return since;
}

nlohmann::ordered_json WebConfig::ToJson() const {
  nlohmann::ordered_json j;
  j["stages"] = stages;
  j["regions"] = nlohmann::ordered_json::object();
  for (const auto& [r, ss] : regions) j["regions"][r] = ss;
  nlohmann::ordered_json h;
  h["default"] = WeekJson(hours);
  h["regions"] = nlohmann::ordered_json::object();
  for (const auto& [r, w] : region_hours) h["regions"][r] = WeekJson(w);
  h["stores"] = nlohmann::ordered_json::object();
  for (const auto& [s, w] : store_hours) h["stores"][s] = WeekJson(w);
  j["opening_hours"] = h;
  return j;
}

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
    } else if (k == "opening_hours") {
      const toml::table* t = node.as_table();
      if (!t) {
        problems.push_back(Where(file, node.source()) + ": opening_hours: expected a table");
        continue;
      }
      c.hours = Week(*t, file, "opening_hours", {"regions", "stores"}, &problems);
      if (const toml::node* r = t->get("regions")) {
        Weeks(*r, file, "opening_hours.regions", &c.region_hours, &problems);
        if (const toml::table* rt = r->as_table()) {
          for (const auto& [rk, rn] : *rt) {
            if (sync::IsValidId(std::string(rk.str())) && !root["regions"][rk.str()]) {
              problems.push_back(Where(file, rn.source()) + ": opening_hours.regions." +
                                 std::string(rk.str()) + ": no such region in [regions]");
            }
          }
        }
      }
      if (const toml::node* st = t->get("stores")) {
        Weeks(*st, file, "opening_hours.stores", &c.store_hours, &problems);
      }
    } else {
      problems.push_back(Where(file, node.source()) + ": " + k +
                         ": unknown key (known: journey, regions, opening_hours)");
    }
  }
  if (!problems.empty()) {
    std::string all;
    for (const std::string& p : problems) all += (all.empty() ? "" : "\n") + p;
    return Status::InvalidArgument(all);
  }
  return c;
}

Result<std::string> ReadWebConfigText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open the hub config");
  std::string text(kMaxConfigBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxConfigBytes) {
    return Status::InvalidArgument(path + ": larger than 1 MiB");
  }
  return text;
}

Result<WebConfig> LoadWebConfig(const std::string& path) {
  if (path.empty()) return WebConfig{};
  auto text = ReadWebConfigText(path);
  if (!text.ok()) return text.status();
  return ParseWebConfig(*text, path);
}

Status WriteWebConfigText(const std::string& path, const std::string& text) {
  namespace fs = std::filesystem;
  fs::path target(path);
  fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  mode_t mode = 0644;
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) mode = st.st_mode & 07777;
  std::string tmp = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  int fd = ::mkstemp(tmp.data());
  auto fail = [&](const std::string& what) {
    std::string m = path + ": " + what + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    return Status::IoError(m);
  };
  if (fd < 0)
    return Status::IoError(path +
                           ": cannot make a temporary file beside it: " + std::strerror(errno));
  if (::fchmod(fd, mode) != 0) return fail("chmod");
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("write");
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("fsync");
  if (::close(fd) != 0) {
    fd = -1;
    return fail("close");
  }
  fd = -1;
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("rename");
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

}  // namespace touchpoint::hub::web
