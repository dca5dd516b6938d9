#include "touchpoint/hub/journey_map.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "touchpoint/core/event_json.h"

namespace touchpoint::hub {

namespace {

constexpr int64_t kHourMs = 3600 * 1000;
constexpr int64_t kMaxHoursPerGroup = 24 * 400;

int64_t HourOf(int64_t ms) {
  return ms >= 0 ? ms - ms % kHourMs : ms - (kHourMs + ms % kHourMs) % kHourMs;
}

}  // namespace

namespace {

MapCell CellOf(const ViewRow& r, bool include_suspect) {
  MapCell c;
  c.store = r.store;
  c.touchpoint = r.touchpoint;
  c.stage = r.stage;
  c.hour_local_ms = r.local_ms;
  c.utc_offset_min = r.utc_offset_min;
  c.hour_ms = r.utc_ms();
  metrics::Figures f = r.Figures(include_suspect);
  int64_t counted = std::clamp<int64_t>(r.sums.counted_s, 0, 3600);
  c.counted_fraction = static_cast<double>(counted) / 3600.0;
  c.gap_s = std::clamp<int64_t>(r.gap_s, 0, 3600);
  c.coverage = counted == 0 ? "missing" : (counted < 3600 || c.gap_s > 0 ? "partial" : "ok");
  if (counted > 0) {
    c.visitors_in = f.visitors_in;
    c.visitors_out = f.visitors_out;
    c.response_rate = f.response_rate;
  }
  c.responses = f.responses;
  c.suspect = f.suspect;
  c.abandoned = f.abandoned;
  for (size_t i = 0; i < c.csat_counts.size(); ++i) c.csat_counts[i] = f.scored.csat.counts[i + 1];
  c.csat_mean = f.csat_mean;
  c.csat_satisfied_pct = f.csat_satisfied_pct;
  c.nps_answers = f.nps_n;
  c.nps = f.nps;
  c.effort_answers = f.effort_n;
  c.effort_mean = f.effort_mean;
  std::vector<std::pair<std::string, int64_t>> reasons(f.scored.reasons.begin(),
                                                       f.scored.reasons.end());
  std::stable_sort(reasons.begin(), reasons.end(),
                   [](const auto& x, const auto& y) { return x.second > y.second; });
  if (reasons.size() > 3) reasons.resize(3);
  c.top_reasons = std::move(reasons);
  return c;
}

}  // namespace

std::vector<MapCell> JourneyMapFromCells(const std::vector<ViewRow>& cells,
                                         const ViewFilter& filter) {
  std::vector<MapCell> out;
  bool local_range = filter.basis == ViewFilter::Basis::kLocal;
  auto same_group = [](const ViewRow& a, const ViewRow& b) {
    return a.store == b.store && a.touchpoint == b.touchpoint && a.stage == b.stage;
  };
  for (size_t begin = 0; begin < cells.size();) {
    size_t end = begin + 1;
    while (end < cells.size() && same_group(cells[begin], cells[end])) ++end;
    int64_t first = cells[begin].local_ms, last = cells[end - 1].local_ms;
    // (Clamped far beyond any event time: no overflow; the hours listed are capped below.)
    constexpr int64_t kFar = int64_t{1} << 60;
    if (local_range && filter.from_ms) {
      first = HourOf(std::clamp(*filter.from_ms, -kFar, kFar) + kHourMs - 1);
    }
    if (local_range && filter.to_ms) last = HourOf(std::clamp(*filter.to_ms, -kFar, kFar) - 1);
    if ((last - first) / kHourMs > kMaxHoursPerGroup) {
      // Too long to list: the hours with data, and of those the latest if still too long.
      first = std::max(first, cells[begin].local_ms);
      last = std::min(last, cells[end - 1].local_ms);
      if ((last - first) / kHourMs > kMaxHoursPerGroup) first = last - kMaxHoursPerGroup * kHourMs;
    }
    size_t i = begin;
    int32_t offset = cells[begin].utc_offset_min;
    for (int64_t h = first; h <= last; h += kHourMs) {
      while (i < end && cells[i].local_ms < h) ++i;
      if (i < end && cells[i].local_ms == h) {
        for (; i < end && cells[i].local_ms == h; ++i) {
          out.push_back(CellOf(cells[i], filter.include_suspect));
          offset = cells[i].utc_offset_min;
        }
        continue;
      }
      ViewRow empty;
      empty.store = cells[begin].store;
      empty.touchpoint = cells[begin].touchpoint;
      empty.stage = cells[begin].stage;
      empty.local_ms = h;
      empty.utc_offset_min = offset;
      out.push_back(CellOf(empty, filter.include_suspect));
    }
    begin = end;
  }
  return out;
}

namespace {

std::string Fixed(std::optional<double> v, int digits) {
  if (!v) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, *v);
  return buf;
}

std::string Int(std::optional<int64_t> v) { return v ? std::to_string(*v) : ""; }

std::string Reasons(const MapCell& c) {
  std::string s;
  for (const auto& [tag, n] : c.top_reasons) {
    if (!s.empty()) s += ' ';
    s += tag + ":" + std::to_string(n);
  }
  return s;
}

std::string Csat(const MapCell& c) {
  std::string s;
  for (size_t i = 0; i < 5; ++i) s += (i ? "/" : "") + std::to_string(c.csat_counts[i]);
  return s;
}

const std::vector<std::string> kColumns = {
    "store",         "touchpoint",  "stage",        "hour_local",   "utc_offset",
    "hour_utc",      "coverage",    "visitors_in",  "visitors_out", "responses",
    "response_rate", "csat_mean",   "csat_sat_pct", "csat_1..5",    "nps",
    "nps_n",         "effort_mean", "abandoned",    "suspect",      "top_reasons"};

std::string Offset(int32_t min) {
  char buf[16];
  int a = min < 0 ? -min : min;
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", min < 0 ? '-' : '+', a / 60, a % 60);
  return buf;
}

std::string LocalHour(int64_t local_ms) { return FormatUtcMs(local_ms).substr(0, 16); }

std::vector<std::string> Row(const MapCell& c) {
  std::string hour = FormatUtcMs(c.hour_ms).substr(0, 16) + "Z";
  std::string cov = c.coverage;
  if (c.coverage == "partial") cov += " " + Fixed(c.counted_fraction * 100, 0) + "%";
  return {c.store,
          c.touchpoint,
          c.stage,
          LocalHour(c.hour_local_ms),
          Offset(c.utc_offset_min),
          hour,
          cov,
          Int(c.visitors_in),
          Int(c.visitors_out),
          std::to_string(c.responses),
          Fixed(c.response_rate, 3),
          Fixed(c.csat_mean, 2),
          Fixed(c.csat_satisfied_pct, 1),
          Csat(c),
          Fixed(c.nps, 1),
          std::to_string(c.nps_answers),
          Fixed(c.effort_mean, 2),
          std::to_string(c.abandoned),
          std::to_string(c.suspect),
          Reasons(c)};
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char ch : s) {
    if (ch == '"') q += '"';
    q += ch;
  }
  return q + "\"";
}

}  // namespace

std::string FormatJourneyMap(const std::vector<MapCell>& cells, MapFormat format) {
  std::ostringstream out;
  if (format == MapFormat::kJson) {
    nlohmann::json a = nlohmann::json::array();
    auto opt = [](const auto& v) -> nlohmann::json {
      if (v) return *v;
      return nullptr;
    };
    for (const MapCell& c : cells) {
      nlohmann::json reasons = nlohmann::json::array();
      for (const auto& [tag, n] : c.top_reasons) reasons.push_back({{"reason", tag}, {"count", n}});
      a.push_back({{"store", c.store},
                   {"touchpoint", c.touchpoint},
                   {"stage", c.stage},
                   {"hour_local", LocalHour(c.hour_local_ms)},
                   {"utc_offset_min", c.utc_offset_min},
                   {"hour", FormatUtcMs(c.hour_ms)},
                   {"coverage", c.coverage},
                   {"counted_fraction", c.counted_fraction},
                   {"gap_s", c.gap_s},
                   {"visitors_in", opt(c.visitors_in)},
                   {"visitors_out", opt(c.visitors_out)},
                   {"responses", c.responses},
                   {"response_rate", opt(c.response_rate)},
                   {"csat_counts", c.csat_counts},
                   {"csat_mean", opt(c.csat_mean)},
                   {"csat_satisfied_pct", opt(c.csat_satisfied_pct)},
                   {"nps", opt(c.nps)},
                   {"nps_answers", c.nps_answers},
                   {"effort_mean", opt(c.effort_mean)},
                   {"effort_answers", c.effort_answers},
                   {"abandoned", c.abandoned},
                   {"suspect", c.suspect},
                   {"top_reasons", reasons}});
    }
    out << a.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return out.str();
  }
  std::vector<std::vector<std::string>> rows;
  rows.push_back(kColumns);
  for (const MapCell& c : cells) rows.push_back(Row(c));
  if (format == MapFormat::kCsv) {
    for (const auto& r : rows) {
      for (size_t i = 0; i < r.size(); ++i) out << (i ? "," : "") << CsvField(r[i]);
      out << "\n";
    }
    return out.str();
  }
  std::vector<size_t> width(kColumns.size(), 0);
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    out << line << "\n";
  }
  if (cells.empty()) out << "(no data for these filters)\n";
  return out.str();
}

}  // namespace touchpoint::hub
