#include "web_filter.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "touchpoint/sync/wire.h"

namespace touchpoint::hub::web {

namespace {

constexpr int64_t kDayMs = 86400000;

ApiResult<bool> Flag(const Params& params, const std::string& name) {
  auto v = Param(params, name);
  if (!v.ok()) return v.error();
  if (v->empty() || *v == "0" || *v == "false") return false;
  if (*v == "1" || *v == "true") return true;
  return BadRequest(name + ": expected 1 or 0 (" + *v + ")");
}

}  // namespace

std::optional<int64_t> ParseDate(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  using namespace std::chrono;
  year_month_day ymd{year{std::stoi(s.substr(0, 4))},
                     month{static_cast<unsigned>(std::stoi(s.substr(5, 2)))},
                     day{static_cast<unsigned>(std::stoi(s.substr(8, 2)))}};
  if (ymd.year() < year{1970} || !ymd.ok()) return std::nullopt;  // ok(): not 2026-02-30
  return sys_days{ymd}.time_since_epoch().count();
}

std::string FormatDate(int64_t day) {
  std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string IsoWeekName(int64_t day) {
  int year = 0, week = 0;
  IsoWeekOf(day - (IsoWeekday(day) - 1), &year, &week);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-W%02d", year, week);
  return buf;
}

ViewFilter ResolvedFilter::View(bool previous_period) const {
  const Period& p = previous_period ? previous : period;
  ViewFilter f;
  f.basis = ViewFilter::Basis::kLocal;
  f.from_ms = p.from_day * kDayMs;
  f.to_ms = (p.to_day + 1) * kDayMs;
  if (!every_store) f.stores = stores;
  f.touchpoint = touchpoint;
  f.stage = stage;
  f.include_suspect = suspect;
  return f;
}

Scope ScopeOf(const User& u, const WebConfig& config, const std::vector<std::string>& known) {
  Scope s;
  if (u.role == "admin" || u.role == "analyst") {
    s.all = true;
    s.stores.insert(known.begin(), known.end());
    return s;
  }
  // Regional (and anything unknown: no stores).
  if (u.role != "regional") return s;
  for (const std::string& r : u.regions) {
    if (r == kNoRegion) {
      for (const std::string& k : known) {
        if (config.RegionOf(k) == kNoRegion) s.stores.insert(k);
      }
      continue;
    }
    auto it = config.regions.find(r);
    if (it != config.regions.end()) s.stores.insert(it->second.begin(), it->second.end());
  }
  return s;
}

ApiResult<std::string> Param(const Params& params, const std::string& name) {
  auto [lo, hi] = params.equal_range(name);
  if (lo == hi) return std::string();
  if (std::next(lo) != hi) return BadRequest(name + ": given more than once");
  if (lo->second.size() > 4096) return BadRequest(name + ": longer than 4096 characters");
  return lo->second;
}

ApiResult<ResolvedFilter> ResolveFilter(const Params& params, const User& user,
                                        const WebConfig& config,
                                        const std::vector<std::string>& known, int64_t today_day,
                                        const std::string* path_store) {
  ResolvedFilter f;
  // Dates.
  auto from = Param(params, "from");
  if (!from.ok()) return from.error();
  auto to = Param(params, "to");
  if (!to.ok()) return to.error();
  f.period.to_day = today_day - 1;
  if (!to->empty()) {
    auto d = ParseDate(*to);
    if (!d) return BadRequest("to: not a date like 2026-11-23 (" + *to + ")");
    f.period.to_day = *d;
  }
  f.period.from_day = f.period.to_day - (kDefaultRangeDays - 1);
  if (!from->empty()) {
    auto d = ParseDate(*from);
    if (!d) return BadRequest("from: not a date like 2026-11-23 (" + *from + ")");
    f.period.from_day = *d;
  }
  if (f.period.from_day > f.period.to_day) {
    return BadRequest("from: after to (" + f.period.from() + " > " + f.period.to() + ")");
  }
  int64_t days = f.period.to_day - f.period.from_day + 1;
  if (days > kMaxRangeDays) {
    return BadRequest("from: the range " + f.period.from() + " .. " + f.period.to() + " is " +
                      std::to_string(days) + " days; at most " + std::to_string(kMaxRangeDays));
  }
  f.previous.to_day = f.period.from_day - 1;
  f.previous.from_day = f.previous.to_day - (days - 1);

  // Flags and one-value filters.
  for (auto [name, out] :
       {std::pair<const char*, bool*>{"suspect", &f.suspect}, {"compare", &f.compare}}) {
    auto v = Flag(params, name);
    if (!v.ok()) return v.error();
    *out = *v;
  }
  auto format = Param(params, "format");
  if (!format.ok()) return format.error();
  if (!format->empty() && *format != "json" && *format != "csv") {
    return BadRequest("format: json or csv (" + *format + ")");
  }
  f.csv = *format == "csv";
  for (auto [name, out] :
       {std::pair<const char*, std::string*>{"touchpoint", &f.touchpoint}, {"stage", &f.stage}}) {
    auto v = Param(params, name);
    if (!v.ok()) return v.error();
    if (!v->empty() && !sync::IsValidId(*v)) {
      return BadRequest(std::string(name) + ": not an id ([A-Za-z0-9_-], 1 to 64 characters)");
    }
    *out = *v;
  }

  // Stores: the scope, then what the query names (the union of its regions and stores).
  Scope scope = ScopeOf(user, config, known);
  std::set<std::string> named;
  bool any_named = false;
  if (path_store) {
    any_named = true;
    if (!scope.all && !scope.stores.count(*path_store)) {
      return Forbidden("store: " + *path_store + " is outside your regions");
    }
    if (!scope.stores.count(*path_store)) {
      return NotFoundError("store: unknown store (" + *path_store + ")");
    }
    named.insert(*path_store);
  } else {
    auto regions = Param(params, "region");
    if (!regions.ok()) return regions.error();
    for (const std::string& r : SplitList(*regions)) {
      any_named = true;
      bool known_region = r == kNoRegion || config.regions.count(r);
      if (user.role == "regional" &&
          std::find(user.regions.begin(), user.regions.end(), r) == user.regions.end()) {
        return Forbidden("region: " + r + " is outside your regions");
      }
      if (!known_region) return BadRequest("region: unknown region (" + r + ")");
      for (const std::string& s : known) {
        if (config.RegionOf(s) == r) named.insert(s);
      }
      if (r != kNoRegion) {
        const auto& rs = config.regions.at(r);
        named.insert(rs.begin(), rs.end());
      }
    }
    auto stores = Param(params, "store");
    if (!stores.ok()) return stores.error();
    for (const std::string& s : SplitList(*stores)) {
      any_named = true;
      if (!sync::IsValidId(s)) {
        return BadRequest("store: not an id ([A-Za-z0-9_-], 1 to 64 characters)");
      }
      if (!scope.all && !scope.stores.count(s)) {
        return Forbidden("store: " + s + " is outside your regions");
      }
      if (!scope.stores.count(s)) return BadRequest("store: unknown store (" + s + ")");
      named.insert(s);
    }
  }
  if (!any_named) {
    f.every_store = scope.all;
    f.stores.assign(scope.stores.begin(), scope.stores.end());
  } else {
    // Everything named is within the scope (checked above); regions may name configured stores
    // the hub has not seen yet: they stay (their figures are empty).
    for (const std::string& s : named) {
      if (scope.all || scope.stores.count(s)) f.stores.push_back(s);
    }
  }
  return f;
}

}  // namespace touchpoint::hub::web
