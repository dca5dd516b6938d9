#include "touchpoint/hub/journey_map.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "touchpoint/core/event_json.h"

namespace touchpoint::hub {

namespace {

constexpr int64_t kHourMs = 3600 * 1000;
constexpr int64_t kMaxHoursPerGroup = 24 * 400;

int64_t HourOf(int64_t ms) {
  return ms >= 0 ? ms - ms % kHourMs : ms - (kHourMs + ms % kHourMs) % kHourMs;
}

struct Acc {
  int64_t counted_s = 0, gap_s = 0, in = 0, out = 0;
  int64_t responses = 0, suspect = 0, abandoned = 0;
  std::array<int64_t, 5> csat{};
  int64_t csat_sum = 0, csat_n = 0;
  int64_t promoters = 0, detractors = 0, nps_n = 0;
  int64_t effort_sum = 0, effort_n = 0;
  std::map<std::string, int64_t> reasons;
};

using GroupKey = std::tuple<std::string, std::string, std::string>;

}  // namespace

std::vector<MapCell> BuildJourneyMap(const std::vector<MapFact>& facts, const MapFilter& filter) {
  std::map<GroupKey, std::map<int64_t, Acc>> groups;
  for (const MapFact& f : facts) {
    auto& hours = groups[{f.store, f.touchpoint, f.stage}];
    switch (f.type) {
      case EventType::kFootfall: {
        Acc& a = hours[HourOf(f.time_ms)];
        a.counted_s += f.interval_s;
        a.in += f.visitors_in;
        a.out += f.visitors_out;
        break;
      }
      case EventType::kCoverage: {
        if (f.coverage_source != "camera" && f.coverage_source != "kiosk") break;
        int64_t start = f.coverage_start_ms, end = f.coverage_end_ms;
        if (filter.from_ms) start = std::max(start, *filter.from_ms);
        if (filter.to_ms) end = std::min(end, *filter.to_ms);
        for (int64_t h = HourOf(start), n = 0; h < end && n < kMaxHoursPerGroup;
             h += kHourMs, ++n) {
          int64_t overlap = std::min(end, h + kHourMs) - std::max(start, h);
          if (overlap > 0) hours[h].gap_s += overlap / 1000;
        }
        break;
      }
      case EventType::kFeedback:
      case EventType::kFeedbackAbandoned: {
        Acc& a = hours[HourOf(f.time_ms)];
        if (f.type == EventType::kFeedbackAbandoned) {
          ++a.abandoned;
          break;  // an abandoned session is not a response
        }
        ++a.responses;
        if (f.suspect) ++a.suspect;
        if (f.csat && *f.csat >= 1 && *f.csat <= 5) {
          ++a.csat[static_cast<size_t>(*f.csat - 1)];
          a.csat_sum += *f.csat;
          ++a.csat_n;
        }
        if (f.nps) {
          ++a.nps_n;
          if (*f.nps >= 9) ++a.promoters;
          if (*f.nps <= 6) ++a.detractors;
        }
        if (f.effort) {
          a.effort_sum += *f.effort;
          ++a.effort_n;
        }
        std::string_view tags = f.tags;
        while (!tags.empty()) {
          size_t c = tags.find(',');
          if (c != 0) ++a.reasons[std::string(tags.substr(0, c))];
          if (c == std::string_view::npos) break;
          tags.remove_prefix(c + 1);
        }
        break;
      }
      case EventType::kStatus:
        break;
    }
  }
  std::vector<MapCell> out;
  for (auto& [key, hours] : groups) {
    if (hours.empty()) continue;
    int64_t first = hours.begin()->first, last = hours.rbegin()->first;
    if (filter.from_ms) first = HourOf(*filter.from_ms);
    if (filter.to_ms) last = HourOf(*filter.to_ms - 1);
    if ((last - first) / kHourMs > kMaxHoursPerGroup) first = last - kMaxHoursPerGroup * kHourMs;
    for (int64_t h = first; h <= last; h += kHourMs) {
      auto it = hours.find(h);
      Acc a = it == hours.end() ? Acc{} : it->second;
      MapCell c;
      std::tie(c.store, c.touchpoint, c.stage) = key;
      c.hour_ms = h;
      c.hour_local_ms = h;
      int64_t counted = std::min<int64_t>(a.counted_s, 3600);
      c.counted_fraction = static_cast<double>(counted) / 3600.0;
      c.gap_s = std::min<int64_t>(a.gap_s, 3600);
      c.coverage = counted == 0 ? "missing" : (counted < 3600 || c.gap_s > 0 ? "partial" : "ok");
      if (counted > 0) {
        c.visitors_in = a.in;
        c.visitors_out = a.out;
        if (a.in > 0)
          c.response_rate = static_cast<double>(a.responses) / static_cast<double>(a.in);
      }
      c.responses = a.responses;
      c.suspect = a.suspect;
      c.abandoned = a.abandoned;
      c.csat_counts = a.csat;
      if (a.csat_n > 0)
        c.csat_mean = static_cast<double>(a.csat_sum) / static_cast<double>(a.csat_n);
      c.nps_answers = a.nps_n;
      if (a.nps_n > 0) {
        c.nps =
            100.0 * static_cast<double>(a.promoters - a.detractors) / static_cast<double>(a.nps_n);
      }
      c.effort_answers = a.effort_n;
      if (a.effort_n > 0) {
        c.effort_mean = static_cast<double>(a.effort_sum) / static_cast<double>(a.effort_n);
      }
      std::vector<std::pair<std::string, int64_t>> reasons(a.reasons.begin(), a.reasons.end());
      std::stable_sort(reasons.begin(), reasons.end(),
                       [](const auto& x, const auto& y) { return x.second > y.second; });
      if (reasons.size() > 3) reasons.resize(3);
      c.top_reasons = std::move(reasons);
      out.push_back(std::move(c));
    }
  }
  return out;
}

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
