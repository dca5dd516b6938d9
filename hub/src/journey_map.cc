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

JourneyMapBuilder::JourneyMapBuilder(const ViewFilter& filter, Sink sink)
    : filter_(filter), sink_(std::move(sink)) {}

void JourneyMapBuilder::Emit(MapCell&& c) {
  if (sink_) {
    sink_(std::move(c));
  } else {
    out_.push_back(std::move(c));
  }
}

void JourneyMapBuilder::Add(const ViewRow& cell) {
  if (!group_.empty()) {
    const MapCell& g = group_.front();
    if (g.store != cell.store || g.touchpoint != cell.touchpoint || g.stage != cell.stage) {
      FlushGroup();
    }
  }
  group_.push_back(CellOf(cell, filter_.include_suspect));
}

std::vector<MapCell> JourneyMapBuilder::Finish() {
  FlushGroup();
  return std::move(out_);
}

void JourneyMapBuilder::FlushGroup() {
  if (group_.empty()) return;
  bool local_range = filter_.basis == ViewFilter::Basis::kLocal;
  int64_t first = group_.front().hour_local_ms, last = group_.back().hour_local_ms;
  // (Clamped far beyond any event time: no overflow; the hours listed are capped below.)
  constexpr int64_t kFar = int64_t{1} << 60;
  if (local_range && filter_.from_ms) {
    first = HourOf(std::clamp(*filter_.from_ms, -kFar, kFar) + kHourMs - 1);
  }
  if (local_range && filter_.to_ms) last = HourOf(std::clamp(*filter_.to_ms, -kFar, kFar) - 1);
  if ((last - first) / kHourMs > kMaxHoursPerGroup) {
    // Too long to list: the hours with data, and of those the latest if still too long.
    first = std::max(first, group_.front().hour_local_ms);
    last = std::min(last, group_.back().hour_local_ms);
    if ((last - first) / kHourMs > kMaxHoursPerGroup) first = last - kMaxHoursPerGroup * kHourMs;
  }
  size_t i = 0, end = group_.size();
  int32_t offset = group_.front().utc_offset_min;
  // The missing hours' row (the group's cells are moved out as they are emitted).
  ViewRow empty;
  empty.store = group_.front().store;
  empty.touchpoint = group_.front().touchpoint;
  empty.stage = group_.front().stage;
  for (int64_t h = first; h <= last; h += kHourMs) {
    while (i < end && group_[i].hour_local_ms < h) ++i;
    if (i < end && group_[i].hour_local_ms == h) {
      for (; i < end && group_[i].hour_local_ms == h; ++i) {
        offset = group_[i].utc_offset_min;
        Emit(std::move(group_[i]));
      }
      continue;
    }
    empty.local_ms = h;
    empty.utc_offset_min = offset;
    Emit(CellOf(empty, filter_.include_suspect));
  }
  group_.clear();
}

std::vector<MapCell> JourneyMapFromCells(const std::vector<ViewRow>& cells,
                                         const ViewFilter& filter) {
  JourneyMapBuilder map(filter);
  for (const ViewRow& c : cells) map.Add(c);
  return map.Finish();
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

namespace {

nlohmann::json CellJson(const MapCell& c) {
  auto opt = [](const auto& v) -> nlohmann::json {
    if (v) return *v;
    return nullptr;
  };
  nlohmann::json reasons = nlohmann::json::array();
  for (const auto& [tag, n] : c.top_reasons) reasons.push_back({{"reason", tag}, {"count", n}});
  return {{"store", c.store},
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
          {"top_reasons", reasons}};
}

}  // namespace

JourneyMapWriter::JourneyMapWriter(MapFormat format, Out out)
    : format_(format), out_(std::move(out)), width_(kColumns.size(), 0) {
  if (format_ == MapFormat::kCsv) WriteRow(kColumns);
  if (format_ == MapFormat::kTable) held_.push_back(kColumns);
}

void JourneyMapWriter::WriteRow(const std::vector<std::string>& row) {
  std::string line;
  for (size_t i = 0; i < row.size(); ++i) {
    if (format_ == MapFormat::kCsv) {
      if (i) line += ',';
      line += CsvField(row[i]);
      continue;
    }
    width_[i] = std::max(width_[i], row[i].size());
    line += row[i];
    if (i + 1 < row.size()) line.append(width_[i] - row[i].size() + 2, ' ');
  }
  line += '\n';
  out_(line);
}

void JourneyMapWriter::Write(const MapCell& c) {
  if (format_ == MapFormat::kJson) {
    // As nlohmann's dump(2) of the whole array: each object indented one level.
    std::string obj = CellJson(c).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    std::string text = rows_ == 0 ? "[\n  " : ",\n  ";
    for (char ch : obj) {
      text += ch;
      if (ch == '\n') text += "  ";  // (strings hold no raw newline: JSON escapes them)
    }
    out_(text);
  } else if (format_ == MapFormat::kCsv || aligned_) {
    WriteRow(Row(c));
  } else {
    held_.push_back(Row(c));
    if (held_.size() > kTableLookahead) Align();
  }
  ++rows_;
}

void JourneyMapWriter::Align() {
  for (const auto& r : held_) {
    for (size_t i = 0; i < r.size(); ++i) width_[i] = std::max(width_[i], r[i].size());
  }
  for (const auto& r : held_) WriteRow(r);
  held_ = {};
  aligned_ = true;
}

void JourneyMapWriter::Finish() {
  if (format_ == MapFormat::kJson) {
    out_(rows_ == 0 ? "[]\n" : "\n]\n");
  } else if (format_ == MapFormat::kTable) {
    if (!aligned_) Align();
    if (rows_ == 0) out_("(no data for these filters)\n");
  }
}

std::string FormatJourneyMap(const std::vector<MapCell>& cells, MapFormat format) {
  std::string text;
  JourneyMapWriter w(format, [&](std::string_view s) { text += s; });
  for (const MapCell& c : cells) w.Write(c);
  w.Finish();
  return text;
}

}  // namespace touchpoint::hub
