#include "web_views.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace touchpoint::hub::web {

namespace {

constexpr int64_t kDayMs = 86400000;

Json Nullable(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }

// Sums of rows added together (with their coverage gaps).
struct Acc {
  metrics::Sums sums;
  int64_t gap_s = 0;
  void Add(const ViewRow& r) {
    sums.Add(r.sums);
    gap_s += r.gap_s;
  }
  void Add(const Acc& a) {
    sums.Add(a.sums);
    gap_s += a.gap_s;
  }
  Json Figures(bool suspect) const { return FiguresJson(sums, gap_s, suspect); }
};

// The rows of a view, or none when the filter selects no store (an empty ViewFilter::stores
// would mean every store).
ApiResult<std::vector<ViewRow>> Rows(const ViewContext& c, const ViewFilter& f, ViewBy by) {
  if (!c.filter->SelectsAny()) return std::vector<ViewRow>{};
  auto r = c.store->View(f, by);
  if (!r.ok()) return ServerError("store: " + r.status().ToString());
  return std::move(r.value());
}

Json PeriodJson(const Period& p) { return Json{{"from", p.from()}, {"to", p.to()}}; }

Json Start(const ResolvedFilter& f) {
  Json out;
  out["filter"] = FilterJson(f);
  if (f.compare) out["previous_period"] = PeriodJson(f.previous);
  return out;
}

std::string ParamOr(const Params& p, const std::string& name, const std::string& def,
                    std::optional<ApiError>* error) {
  auto v = Param(p, name);
  if (!v.ok()) {
    *error = v.error();
    return def;
  }
  return v->empty() ? def : *v;
}

bool OneOf(const std::string& v, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed) {
    if (v == a) return true;
  }
  return false;
}

using TpStage = std::pair<std::string, std::string>;

std::map<TpStage, Acc> ByTpStage(const std::vector<ViewRow>& rows) {
  std::map<TpStage, Acc> out;
  for (const ViewRow& r : rows) out[{r.touchpoint, r.stage}].Add(r);
  return out;
}

std::map<std::string, Acc> ByStage(const std::vector<ViewRow>& rows) {
  std::map<std::string, Acc> out;
  for (const ViewRow& r : rows) out[r.stage].Add(r);
  return out;
}

Json PainPointsJson(const metrics::Sums& sums, bool suspect, size_t top) {
  Json out = Json::array();
  for (const ReasonRow& r : PainPoints(sums, suspect)) {
    if (out.size() >= top) break;
    out.push_back({{"reason", r.reason}, {"sessions", r.sessions}, {"unhappy", r.unhappy}});
  }
  return out;
}

// The stages with data (in `rows`), ordered as configured.
std::vector<std::string> Stages(const WebConfig& config, const std::vector<ViewRow>& a,
                                const std::vector<ViewRow>& b = {}) {
  std::set<std::string> seen;
  for (const ViewRow& r : a) seen.insert(r.stage);
  for (const ViewRow& r : b) seen.insert(r.stage);
  return config.OrderStages({seen.begin(), seen.end()});
}

std::vector<std::string> Touchpoints(const std::vector<ViewRow>& a,
                                     const std::vector<ViewRow>& b = {}) {
  std::set<std::string> seen;
  for (const ViewRow& r : a) seen.insert(r.touchpoint);
  for (const ViewRow& r : b) seen.insert(r.touchpoint);
  return {seen.begin(), seen.end()};
}

}  // namespace

Json FiguresJson(const metrics::Sums& sums, int64_t gap_s, bool include_suspect) {
  metrics::Figures f = metrics::Compute(sums, include_suspect);
  Json dist = Json::array();
  for (int score = 1; score <= 5; ++score) dist.push_back(f.scored.csat.counts[score]);
  std::string confidence = "ok";
  int64_t covered = sums.counted_s + gap_s;
  if (f.visitors_in == 0 && f.visitors_out == 0 && sums.counted_s == 0 && gap_s == 0 &&
      f.responses == 0 && f.suspect == 0 && f.abandoned == 0) {
    confidence = "no_data";
  } else if (gap_s > 0 && gap_s * 20 > covered) {
    confidence = "coverage_gap";
  } else if (f.responses < 10) {
    confidence = "low_n";
  }
  Json j;
  j["visitors_in"] = f.visitors_in;
  j["visitors_out"] = f.visitors_out;
  j["responses"] = f.responses;
  j["suspect"] = f.suspect;
  j["abandoned"] = f.abandoned;
  j["response_rate"] = Nullable(f.response_rate);
  j["csat_mean"] = Nullable(f.csat_mean);
  j["csat_n"] = f.csat_n;
  j["csat_dist"] = dist;
  j["csat_satisfied_pct"] = Nullable(f.csat_satisfied_pct);
  j["nps"] = Nullable(f.nps);
  j["nps_n"] = f.nps_n;
  j["effort_mean"] = Nullable(f.effort_mean);
  j["effort_n"] = f.effort_n;
  j["unhappy"] = f.scored.unhappy;
  j["gap_s"] = gap_s;
  j["counted_s"] = sums.counted_s;
  j["confidence"] = confidence;
  // Dwell (footfall v2 zones): over every zone together and per zone id.
  j["dwell_mean_s"] = Nullable(f.dwell_mean_s);
  j["dwell_p90_s"] = Nullable(f.dwell_p90_s);
  j["dwell_n"] = f.dwell_n;
  Json zones = Json::object();
  for (const auto& [zone, d] : f.dwell_by_zone) {
    zones[zone] = {{"mean_s", Nullable(d.mean_s)}, {"p90_s", Nullable(d.p90_s)}, {"n", d.n}};
  }
  j["dwell_by_zone"] = std::move(zones);
  // Crowding (feedback v2 context): the scored sessions' headline CSAT by the band of people in
  // view when they started.
  j["with_context"] = f.scored.with_context;
  Json crowd = Json::object();
  for (size_t b = 0; b < metrics::kCrowdBands; ++b) {
    crowd[metrics::CrowdBandName(b)] = {
        {"csat_n", f.csat_n_by_crowd[b]},
        {"csat_mean", Nullable(f.scored.csat_by_crowd[b].Mean())},
        {"csat_satisfied_pct", Nullable(f.csat_satisfied_pct_by_crowd[b])}};
  }
  j["csat_by_crowd"] = std::move(crowd);
  return j;
}

Json FilterJson(const ResolvedFilter& f) {
  Json j;
  j["from"] = f.period.from();
  j["to"] = f.period.to();
  j["stores"] = f.stores;
  j["touchpoint"] = f.touchpoint;
  j["stage"] = f.stage;
  j["suspect"] = f.suspect;
  return j;
}

ApiResult<Json> JourneyView(const ViewContext& c) {
  const ResolvedFilter& f = *c.filter;
  std::optional<ApiError> error;
  std::string curve_by = ParamOr(*c.params, "curve_by", "chain", &error);
  std::string metric = ParamOr(*c.params, "metric", "csat_mean", &error);
  if (error) return *error;
  if (!OneOf(curve_by, {"chain", "region", "store"})) {
    return BadRequest("curve_by: chain, region or store (" + curve_by + ")");
  }
  if (!OneOf(metric,
             {"visitors_in", "visitors_out", "responses", "response_rate", "csat_mean",
              "csat_satisfied_pct", "nps", "effort_mean", "unhappy", "abandoned", "suspect"})) {
    return BadRequest("metric: not a figure (" + metric + ")");
  }
  auto rows = Rows(c, f.View(), ViewBy::kJourney);
  if (!rows.ok()) return rows.error();
  std::vector<ViewRow> prev_rows;
  if (f.compare) {
    auto p = Rows(c, f.View(true), ViewBy::kJourney);
    if (!p.ok()) return p.error();
    prev_rows = std::move(p.value());
  }
  std::vector<std::string> stages = Stages(*c.config, *rows, prev_rows);
  std::map<std::string, size_t> stage_index;
  for (size_t i = 0; i < stages.size(); ++i) stage_index[stages[i]] = i;
  auto cur = ByTpStage(*rows), prev = ByTpStage(prev_rows);
  std::vector<TpStage> keys;
  for (const auto& [k, a] : cur) keys.push_back(k);
  for (const auto& [k, a] : prev) {
    if (!cur.count(k)) keys.push_back(k);
  }
  std::sort(keys.begin(), keys.end(), [&](const TpStage& a, const TpStage& b) {
    return std::make_pair(stage_index[a.second], a.first) <
           std::make_pair(stage_index[b.second], b.first);
  });
  Json out = Start(f);
  out["metric"] = metric;
  out["curve_by"] = curve_by;
  out["stages"] = stages;
  out["touchpoints"] = Touchpoints(*rows, prev_rows);
  Json cells = Json::array();
  for (const TpStage& k : keys) {
    const Acc& a = cur[k];
    Json cell{{"touchpoint", k.first}, {"stage", k.second}, {"figures", a.Figures(f.suspect)}};
    if (f.compare) cell["previous"] = prev[k].Figures(f.suspect);
    cell["pain_points"] = PainPointsJson(a.sums, f.suspect, 3);
    cells.push_back(std::move(cell));
  }
  out["cells"] = std::move(cells);

  // The emotion curve: per stage across touchpoints, one series per store, region or the chain.
  struct Series {
    std::string name;
    std::vector<std::string> stores;  // empty: the filter's own selection
  };
  std::vector<Series> series;
  if (curve_by == "chain") {
    series.push_back({"chain", {}});
  } else if (curve_by == "store") {
    for (const std::string& s : f.stores) series.push_back({s, {s}});
  } else {
    std::map<std::string, std::vector<std::string>> by_region;
    for (const std::string& s : f.stores) by_region[c.config->RegionOf(s)].push_back(s);
    for (auto& [r, ss] : by_region) series.push_back({r, std::move(ss)});
  }
  if (series.size() > kMaxCurveSeries) {
    return BadRequest("curve_by: " + std::to_string(series.size()) + " series; at most " +
                      std::to_string(kMaxCurveSeries) + " (filter by region or store)");
  }
  Json curve = Json::array();
  for (const Series& s : series) {
    std::map<std::string, Acc> now, before;
    if (s.stores.empty()) {
      now = ByStage(*rows);
      before = ByStage(prev_rows);
    } else {
      ViewFilter v = f.View();
      v.stores = s.stores;
      auto r = Rows(c, v, ViewBy::kJourney);
      if (!r.ok()) return r.error();
      now = ByStage(*r);
      if (f.compare) {
        ViewFilter pv = f.View(true);
        pv.stores = s.stores;
        auto p = Rows(c, pv, ViewBy::kJourney);
        if (!p.ok()) return p.error();
        before = ByStage(*p);
      }
    }
    Json points = Json::array();
    for (const std::string& stage : stages) {
      Json point{{"stage", stage}, {"figures", now[stage].Figures(f.suspect)}};
      if (f.compare) point["previous"] = before[stage].Figures(f.suspect);
      points.push_back(std::move(point));
    }
    curve.push_back({{"name", s.name}, {"points", std::move(points)}});
  }
  out["curve"] = std::move(curve);
  return out;
}

ApiResult<Json> TrendsView(const ViewContext& c) {
  const ResolvedFilter& f = *c.filter;
  std::optional<ApiError> error;
  std::string bucket = ParamOr(*c.params, "bucket", "day", &error);
  std::string by = ParamOr(*c.params, "by", "none", &error);
  if (error) return *error;
  if (!OneOf(bucket, {"day", "week"})) return BadRequest("bucket: day or week (" + bucket + ")");
  if (!OneOf(by, {"none", "stage", "touchpoint"})) {
    return BadRequest("by: none, stage or touchpoint (" + by + ")");
  }
  ViewBy view_by = bucket == "day" ? ViewBy::kLocalDay : ViewBy::kIsoWeek;
  std::vector<std::string> keys{"all"};
  if (by != "none") {
    auto j = Rows(c, f.View(), ViewBy::kJourney);
    if (!j.ok()) return j.error();
    if (by == "stage") {
      keys.clear();
      std::set<std::string> seen;
      for (const ViewRow& r : *j) seen.insert(r.stage);
      for (const std::string& s : c.config->OrderStages({seen.begin(), seen.end()})) {
        if (seen.count(s)) keys.push_back(s);
      }
    } else {
      keys = Touchpoints(*j);
    }
  }
  auto series_of = [&](bool previous) -> ApiResult<Json> {
    const Period& p = previous ? f.previous : f.period;
    Json series = Json::array();
    for (const std::string& key : keys) {
      ViewFilter v = f.View(previous);
      if (by == "stage") v.stage = key;
      if (by == "touchpoint") v.touchpoint = key;
      auto rows = Rows(c, v, view_by);
      if (!rows.ok()) return rows.error();
      std::map<int64_t, Acc> by_day;  // the bucket's first day
      for (const ViewRow& r : *rows) by_day[r.local_ms / kDayMs].Add(r);
      Json points = Json::array();
      int64_t first = bucket == "day" ? p.from_day : p.from_day - (IsoWeekday(p.from_day) - 1);
      int64_t step = bucket == "day" ? 1 : 7;
      for (int64_t d = first; d <= p.to_day; d += step) {
        Json point{{"date", FormatDate(d)}};
        if (bucket == "week") point["week"] = IsoWeekName(d);
        point["figures"] = by_day[d].Figures(f.suspect);
        points.push_back(std::move(point));
      }
      series.push_back({{"key", key}, {"points", std::move(points)}});
    }
    return series;
  };
  Json out = Start(f);
  out["bucket"] = bucket;
  out["by"] = by;
  auto s = series_of(false);
  if (!s.ok()) return s.error();
  out["series"] = std::move(*s);
  if (f.compare) {
    auto ps = series_of(true);
    if (!ps.ok()) return ps.error();
    out["previous_series"] = std::move(*ps);
  }
  return out;
}

ApiResult<Json> HeatmapView(const ViewContext& c) {
  const ResolvedFilter& f = *c.filter;
  auto rows = Rows(c, f.View(), ViewBy::kWeekdayHour);
  if (!rows.ok()) return rows.error();
  std::map<std::pair<int, int>, Acc> prev;
  if (f.compare) {
    auto p = Rows(c, f.View(true), ViewBy::kWeekdayHour);
    if (!p.ok()) return p.error();
    for (const ViewRow& r : *p) prev[{r.weekday, r.hour}].Add(r);
  }
  std::map<std::pair<int, int>, Acc> cur;
  for (const ViewRow& r : *rows) cur[{r.weekday, r.hour}].Add(r);
  Json out = Start(f);
  Json cells = Json::array();
  for (const auto& [k, a] : cur) {
    Json cell{{"weekday", k.first}, {"hour", k.second}, {"figures", a.Figures(f.suspect)}};
    if (f.compare) cell["previous"] = prev[k].Figures(f.suspect);
    cells.push_back(std::move(cell));
  }
  out["cells"] = std::move(cells);
  return out;
}

namespace {

struct Ranked {
  std::string store;
  Acc acc;
  std::optional<double> score, raw;
  int64_t n = 0;
  int rank = 0;
};

// Ranks stores by the Bayesian mean (n * mean + m * chain) / (n + m) of their CSAT answers.
std::vector<Ranked> Rank(const std::vector<ViewRow>& rows, bool suspect) {
  std::map<std::string, Acc> by_store;
  Acc chain;
  for (const ViewRow& r : rows) {
    by_store[r.store].Add(r);
    chain.Add(r);
  }
  std::optional<double> chain_mean = metrics::Compute(chain.sums, suspect).csat_mean;
  std::vector<Ranked> out;
  for (auto& [store, acc] : by_store) {
    Ranked r{store, acc, std::nullopt, std::nullopt, 0, 0};
    metrics::Figures fig = metrics::Compute(acc.sums, suspect);
    r.raw = fig.csat_mean;
    r.n = fig.csat_n;
    if (r.raw && chain_mean) {
      const double m = static_cast<double>(kRankPriorResponses);
      r.score =
          (static_cast<double>(r.n) * *r.raw + m * *chain_mean) / (static_cast<double>(r.n) + m);
    }
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(), [](const Ranked& a, const Ranked& b) {
    if (a.score.has_value() != b.score.has_value()) return a.score.has_value();
    if (a.score && *a.score != *b.score) return *a.score > *b.score;
    if (a.n != b.n) return a.n > b.n;
    return a.store < b.store;
  });
  for (size_t i = 0; i < out.size(); ++i) out[i].rank = static_cast<int>(i) + 1;
  return out;
}

}  // namespace

ApiResult<Json> StoresView(const ViewContext& c) {
  const ResolvedFilter& f = *c.filter;
  auto rows = Rows(c, f.View(), ViewBy::kStore);
  if (!rows.ok()) return rows.error();
  std::map<std::string, Ranked> prev;
  if (f.compare) {
    auto p = Rows(c, f.View(true), ViewBy::kStore);
    if (!p.ok()) return p.error();
    for (Ranked& r : Rank(*p, f.suspect)) prev[r.store] = std::move(r);
  }
  Json out = Start(f);
  out["method"] =
      "score = (n x store CSAT mean + " + std::to_string(kRankPriorResponses) +
      " x chain CSAT mean) / (n + " + std::to_string(kRankPriorResponses) +
      "), n = the store's CSAT answers: a Bayesian mean that pulls stores with few responses "
      "toward the chain mean of the selected stores (prior weight m = " +
      std::to_string(kRankPriorResponses) + " responses); stores without CSAT answers rank last.";
  Json stores = Json::array();
  for (const Ranked& r : Rank(*rows, f.suspect)) {
    Json s{{"store", r.store},
           {"region", c.config->RegionOf(r.store)},
           {"rank", r.rank},
           {"score", Nullable(r.score)},
           {"raw_csat_mean", Nullable(r.raw)},
           {"figures", r.acc.Figures(f.suspect)}};
    if (f.compare) {
      auto it = prev.find(r.store);
      s["previous_rank"] = it == prev.end() ? Json(nullptr) : Json(it->second.rank);
      s["previous_score"] = it == prev.end() ? Json(nullptr) : Nullable(it->second.score);
      s["previous"] =
          it == prev.end() ? Acc().Figures(f.suspect) : it->second.acc.Figures(f.suspect);
    }
    stores.push_back(std::move(s));
  }
  out["stores"] = std::move(stores);
  return out;
}

ApiResult<Json> StorePageView(const ViewContext& c, const std::string& store, Json kiosks) {
  const ResolvedFilter& f = *c.filter;
  Acc total, prev_total;
  auto t = Rows(c, f.View(), ViewBy::kTotal);
  if (!t.ok()) return t.error();
  for (const ViewRow& r : *t) total.Add(r);
  if (f.compare) {
    auto p = Rows(c, f.View(true), ViewBy::kTotal);
    if (!p.ok()) return p.error();
    for (const ViewRow& r : *p) prev_total.Add(r);
  }
  auto j = Rows(c, f.View(), ViewBy::kJourney);
  if (!j.ok()) return j.error();
  auto h = Rows(c, f.View(), ViewBy::kWeekdayHour);
  if (!h.ok()) return h.error();
  auto d = Rows(c, f.View(), ViewBy::kLocalDay);
  if (!d.ok()) return d.error();
  Json out = Start(f);
  out["store"] = store;
  out["region"] = c.config->RegionOf(store);
  out["figures"] = total.Figures(f.suspect);
  if (f.compare) out["previous"] = prev_total.Figures(f.suspect);
  std::vector<std::string> stages = Stages(*c.config, *j);
  std::map<std::string, size_t> stage_index;
  for (size_t i = 0; i < stages.size(); ++i) stage_index[stages[i]] = i;
  auto cells = ByTpStage(*j);
  std::vector<TpStage> keys;
  for (const auto& [k, a] : cells) keys.push_back(k);
  std::sort(keys.begin(), keys.end(), [&](const TpStage& a, const TpStage& b) {
    return std::make_pair(stage_index[a.second], a.first) <
           std::make_pair(stage_index[b.second], b.first);
  });
  Json tps = Json::array();
  for (const TpStage& k : keys) {
    tps.push_back(
        {{"touchpoint", k.first}, {"stage", k.second}, {"figures", cells[k].Figures(f.suspect)}});
  }
  out["touchpoints"] = std::move(tps);
  std::map<std::pair<int, int>, Acc> hours;
  for (const ViewRow& r : *h) hours[{r.weekday, r.hour}].Add(r);
  Json hj = Json::array();
  for (const auto& [k, a] : hours) {
    hj.push_back({{"weekday", k.first}, {"hour", k.second}, {"figures", a.Figures(f.suspect)}});
  }
  out["hours"] = std::move(hj);
  std::map<int64_t, Acc> days;
  for (const ViewRow& r : *d) days[r.local_ms / kDayMs].Add(r);
  Json dj = Json::array();
  for (int64_t day = f.period.from_day; day <= f.period.to_day; ++day) {
    dj.push_back({{"date", FormatDate(day)}, {"figures", days[day].Figures(f.suspect)}});
  }
  out["days"] = std::move(dj);
  out["kiosks"] = std::move(kiosks);
  return out;
}

ApiResult<Json> PainPointsView(const ViewContext& c) {
  const ResolvedFilter& f = *c.filter;
  auto t = Rows(c, f.View(), ViewBy::kTotal);
  if (!t.ok()) return t.error();
  Acc total;
  for (const ViewRow& r : *t) total.Add(r);
  std::map<std::string, ReasonRow> prev;
  if (f.compare) {
    auto p = Rows(c, f.View(true), ViewBy::kTotal);
    if (!p.ok()) return p.error();
    Acc pt;
    for (const ViewRow& r : *p) pt.Add(r);
    for (ReasonRow& r : PainPoints(pt.sums, f.suspect)) prev[r.reason] = r;
  }
  auto j = Rows(c, f.View(), ViewBy::kJourney);
  if (!j.ok()) return j.error();
  auto w = Rows(c, f.View(), ViewBy::kIsoWeek);
  if (!w.ok()) return w.error();
  std::map<std::string, Json> by;  // reason -> [{touchpoint, stage, sessions, unhappy}]
  for (const auto& [k, a] : ByTpStage(*j)) {
    for (const ReasonRow& r : PainPoints(a.sums, f.suspect)) {
      by[r.reason].push_back({{"touchpoint", k.first},
                              {"stage", k.second},
                              {"sessions", r.sessions},
                              {"unhappy", r.unhappy}});
    }
  }
  std::map<int64_t, std::map<std::string, ReasonRow>> weeks;  // Monday -> reason -> row
  for (const ViewRow& r : *w) {
    for (const ReasonRow& rr : PainPoints(r.sums, f.suspect)) {
      ReasonRow& acc = weeks[r.local_ms / kDayMs][rr.reason];
      acc.sessions += rr.sessions;
      acc.unhappy += rr.unhappy;
    }
  }
  int64_t unhappy_total = metrics::Compute(total.sums, f.suspect).scored.unhappy;
  Json out = Start(f);
  out["unhappy_sessions"] = unhappy_total;
  Json reasons = Json::array();
  int64_t first_monday = f.period.from_day - (IsoWeekday(f.period.from_day) - 1);
  for (const ReasonRow& r : PainPoints(total.sums, f.suspect)) {
    Json j2{{"reason", r.reason}, {"sessions", r.sessions}, {"unhappy", r.unhappy}};
    j2["unhappy_share"] =
        unhappy_total > 0
            ? Json(static_cast<double>(r.unhappy) / static_cast<double>(unhappy_total))
            : Json(nullptr);
    j2["by"] = by.count(r.reason) ? by[r.reason] : Json::array();
    Json wj = Json::array();
    for (int64_t d = first_monday; d <= f.period.to_day; d += 7) {
      const ReasonRow& wr = weeks[d][r.reason];
      wj.push_back({{"week", IsoWeekName(d)}, {"sessions", wr.sessions}, {"unhappy", wr.unhappy}});
    }
    j2["weeks"] = std::move(wj);
    if (f.compare) {
      const ReasonRow& pr = prev[r.reason];
      j2["previous"] = {{"sessions", pr.sessions}, {"unhappy", pr.unhappy}};
    }
    reasons.push_back(std::move(j2));
  }
  out["reasons"] = std::move(reasons);
  return out;
}

namespace {

void Flatten(const Json& v, const std::string& prefix, Json* row) {
  auto name = [&](const std::string& k) { return prefix.empty() ? k : prefix + "_" + k; };
  if (v.is_object()) {
    for (const auto& [k, x] : v.items()) {
      // "figures" adds nothing to a column's name; "previous" figures become previous_*.
      Flatten(x, k == "figures" ? prefix : name(k), row);
    }
  } else if (v.is_array()) {
    bool numbers = std::all_of(v.begin(), v.end(), [](const Json& x) { return x.is_number(); });
    if (numbers) {
      for (size_t i = 0; i < v.size(); ++i) (*row)[prefix + "_" + std::to_string(i + 1)] = v[i];
    } else {
      std::string joined;
      for (const Json& x : v) {
        std::string cell;
        if (x.is_object()) {
          for (const auto& [k, y] : x.items()) {
            cell += (cell.empty() ? "" : " ") + (y.is_string() ? y.get<std::string>() : y.dump());
          }
        } else {
          cell = x.is_string() ? x.get<std::string>() : x.dump();
        }
        joined += (joined.empty() ? "" : "; ") + cell;
      }
      (*row)[prefix] = joined;
    }
  } else {
    (*row)[prefix] = v;
  }
}

std::string CsvCell(const Json& v) {
  if (v.is_null()) return "";
  std::string s;
  if (v.is_string()) {
    s = v.get<std::string>();
    // A spreadsheet would run a cell starting with these as a formula.
    if (!s.empty() && std::string("=+-@\t\r").find(s[0]) != std::string::npos) s = "'" + s;
  } else if (v.is_number_float()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", v.get<double>());
    s = buf;
  } else {
    s = v.dump();
  }
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return q + "\"";
}

}  // namespace

std::string ToCsv(const Json& rows, const std::vector<std::pair<std::string, Json>>& fixed) {
  std::vector<Json> flat;
  std::vector<std::string> columns;
  std::set<std::string> seen;
  for (const Json& r : rows) {
    Json row = Json::object();
    for (const auto& [k, v] : fixed) row[k] = v;
    Flatten(r, "", &row);
    for (const auto& [k, v] : row.items()) {
      if (seen.insert(k).second) columns.push_back(k);
    }
    flat.push_back(std::move(row));
  }
  std::string out;
  for (size_t i = 0; i < columns.size(); ++i) out += (i ? "," : "") + CsvCell(columns[i]);
  out += "\r\n";
  for (const Json& row : flat) {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i) out += ",";
      auto it = row.find(columns[i]);
      if (it != row.end()) out += CsvCell(*it);
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace touchpoint::hub::web
