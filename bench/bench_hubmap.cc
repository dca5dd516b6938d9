// touchpoint-bench hubmap [--stores N] [--small-events N] [--large-events N] [--repeat R]
//                         [--keep DIR]:
// the hub's journey map at two lengths of history.
//
// Builds two hub stores of a realistic fleet (default 200 stores x 3 touchpoints, one kiosk per
// touchpoint, stores in three time zones; footfall every hour the store is open, feedback
// sessions by a daily and weekly shape, ~2% suspect, ~5% abandoned, one coverage gap a week):
// the small one with ~1M events (the last ~5 weeks), the large one with ~10M (a year), both
// ending on the same day. Events go through the store's writer as the hub writes them (rollups
// included), which gives BENCH hubmap_ingest_events_per_s (the writes alone, one transaction per
// day of the fleet). Then each view the hub answers
// (map, daily and weekly trends, weekday x hour, stores, reasons) is asked for the last month,
// for all stores and for one store, R times each (default 20), and the p95 of each is printed
// as BENCH hubmap_view_ms_p95_<view>_<scope> (on the large store; the view's CPU time as
// hubmap_view_cpu_ms_p95_<view>_<scope>), with the worst wall time as
// BENCH hubmap_view_ms_p95 and the ratio of the large store's to the small store's total view
// time as BENCH hubmap_history_ratio (each view run on the two stores in turn). Targets (issue
// 11): p95 <= 100 ms, ratio <= 1.5.
// --keep DIR keeps both stores in DIR; a later run with the same DIR (and sizes) opens them
// again instead of building them (no ingest figure then): for timing the views alone.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "bench.h"
#include "test_support.h"
#include "touchpoint/core/clock.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/hub/hub_store.h"

namespace touchpoint::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kHourMs = 3'600'000;
constexpr int64_t kDayMs = 24 * kHourMs;
// The last day of history: 2026-11-30 00:00 UTC (a Monday).
constexpr int64_t kEndDayMs = 1796083200000;

double MsSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

struct Fleet {
  int stores = 200;
  const char* touchpoints[3] = {"entrance", "fitting-room", "checkout"};
  const char* stages[3] = {"arrive", "try", "pay"};
  const char* reasons[6] = {"queue", "staff", "stock", "price", "clean", "layout"};
  // Offsets by store: Western Europe (+60), UK (0), US East (-300).
  int32_t OffsetMin(int store) const {
    static const int32_t kOffsets[3] = {60, 0, -300};
    return kOffsets[store % 3];
  }
  std::string StoreId(int s) const {
    char b[32];
    std::snprintf(b, sizeof b, "store-%04d", s);
    return b;
  }
};

// Feedback sessions per kiosk and local hour (08..19) on a weekday; weekends x1.6.
double SessionsPerHour(int hour) {
  static const double kShape[12] = {0.5, 1, 1.5, 2, 3, 3, 2, 2, 2.5, 3, 2.5, 1.5};
  return hour >= 8 && hour < 20 ? kShape[hour - 8] : 0;
}

// Generates every event of one day for every kiosk into `w`, in (kiosk, time) order, scaled so
// that the fleet makes about `events_per_day` events a day.
class Generator {
 public:
  Generator(const Fleet& fleet, double events_per_day) : fleet_(fleet), rng_(42) {
    int kiosks = fleet.stores * 3;
    // Footfall: 12 open hours a day per kiosk at the entrance and checkout (the fitting room
    // has no camera); feedback sessions make up the rest.
    double footfall = 2.0 * fleet.stores * 12;
    double base = 0;
    for (int h = 0; h < 24; ++h) base += SessionsPerHour(h);
    scale_ = std::max(0.05, (events_per_day - footfall) / (kiosks * base * 1.17));
    seqs_.assign(static_cast<size_t>(kiosks), 0);
  }

  int64_t Day(int64_t day_utc_ms, hub::HubWrite* w) {
    int64_t n = 0;
    int weekday = static_cast<int>(((day_utc_ms / kDayMs) % 7 + 3) % 7);  // 0 = Monday
    double week_factor = weekday >= 5 ? 1.6 : 1.0;
    for (int s = 0; s < fleet_.stores; ++s) {
      int32_t offset = fleet_.OffsetMin(s);
      // A store's quality drifts slowly; some stores are much worse.
      double quality = 0.55 + 0.35 * std::sin(s * 1.7) * ((s % 7) == 0 ? 1.0 : 0.4);
      for (int t = 0; t < 3; ++t) {
        size_t k = static_cast<size_t>(s * 3 + t);
        Event e;
        e.kiosk_id = fleet_.StoreId(s) + "-k" + std::to_string(t);
        e.store_id = fleet_.StoreId(s);
        e.touchpoint = fleet_.touchpoints[t];
        e.journey_stage = fleet_.stages[t];
        e.boot_count = 1;
        e.utc_offset_min = offset;
        e.clock_synced = true;
        for (int h = 8; h < 20; ++h) {
          int64_t hour_utc = day_utc_ms + h * kHourMs - offset * 60'000LL;
          if (t != 1) {
            FootfallPayload f;
            f.interval_start_ms = hour_utc;
            f.interval_s = 3600;
            int64_t in =
                std::poisson_distribution<int>(40 * week_factor * SessionsPerHour(h))(rng_);
            f.lines = {{"door", in, std::max<int64_t>(0, in - 2)}};
            f.occupancy_max = in / 3;
            e.payload = f;
            Add(&e, k, hour_utc + 3600'000, w);
            ++n;
          }
          int sessions =
              std::poisson_distribution<int>(scale_ * week_factor * SessionsPerHour(h))(rng_);
          for (int i = 0; i < sessions; ++i) {
            int64_t at = hour_utc + std::uniform_int_distribution<int64_t>(0, 3599'999)(rng_);
            if (Chance(0.05)) {
              FeedbackAbandonedPayload a;
              a.survey_id = "visit";
              a.survey_version = 3;
              a.language = "en";
              a.questions_total = 3;
              a.questions_answered = 1;
              a.answers = {Answer{"overall", QuestionType::kCsat, Score(1, 5, quality), {}, ""}};
              e.payload = a;
            } else {
              FeedbackPayload f;
              f.survey_id = "visit";
              f.survey_version = 3;
              f.language = "en";
              f.duration_ms = 9000;
              int csat = Score(1, 5, quality);
              f.answers = {Answer{"overall", QuestionType::kCsat, csat, {}, ""}};
              if (csat <= 3) {
                Answer tags{"reasons", QuestionType::kTags, std::nullopt, {}, ""};
                tags.tags.push_back(fleet_.reasons[Pick(6)]);
                if (Chance(0.3)) tags.tags.push_back(fleet_.reasons[Pick(6)]);
                if (tags.tags.size() == 2 && tags.tags[0] == tags.tags[1]) tags.tags.pop_back();
                f.answers.push_back(tags);
              }
              f.answers.push_back(
                  Answer{"recommend", QuestionType::kNps, Score(0, 10, quality), {}, ""});
              if (Chance(0.02)) {
                f.suspect = true;
                f.suspect_reason = "rapid_repeat";
              }
              e.payload = f;
            }
            Add(&e, k, at, w);
            ++n;
          }
        }
        if (weekday == 2 && t == 0) {  // a camera gap on Wednesdays, 14:00-14:20 local
          CoveragePayload c;
          c.source = "camera";
          c.start_ms = day_utc_ms + 14 * kHourMs - offset * 60'000LL;
          c.end_ms = c.start_ms + 20 * 60'000;
          c.reason = "frame_timeout";
          e.payload = c;
          Add(&e, k, c.end_ms, w);
          ++n;
        }
      }
    }
    return n;
  }

 private:
  void Add(Event* e, size_t kiosk, int64_t time_ms, hub::HubWrite* w) {
    e->seq = ++seqs_[kiosk];
    e->time_ms = time_ms;
    e->id = NewUuidV7(time_ms);
    std::string json = EncodeEvent(*e);
    w->events.push_back(hub::ToHubEvent(*e, std::move(json), "mqtt"));
  }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  // A score in [lo, hi], high with probability ~quality.
  int Score(int lo, int hi, double quality) {
    std::binomial_distribution<int> d(hi - lo, std::clamp(quality, 0.05, 0.95));
    return lo + d(rng_);
  }

  const Fleet& fleet_;
  std::mt19937_64 rng_;
  double scale_ = 1;
  std::vector<uint64_t> seqs_;
};

struct Built {
  std::unique_ptr<hub::HubStore> store;
  int64_t events = 0;
  double ingest_s = 0;
};

Result<Built> Build(const std::string& path, const Fleet& fleet, int64_t target_events, int days,
                    bool reuse) {
  auto hs = hub::OpenSqliteHubStore(path);
  if (!hs.ok()) return hs.status();
  Built b;
  b.store = std::move(hs.value());
  if (reuse) {
    auto n = b.store->CountEvents();
    if (!n.ok()) return n.status();
    b.events = *n;
    return b;
  }
  Generator gen(fleet, static_cast<double>(target_events) / days);
  for (int d = days; d >= 1; --d) {
    hub::HubWrite w;
    int64_t day = kEndDayMs - static_cast<int64_t>(d) * kDayMs;
    b.events += gen.Day(day, &w);
    auto start = Clock::now();  // the store's write only, not the generator
    auto r = b.store->Write(w, day + kDayMs);
    if (!r.ok()) return r.status();
    b.ingest_s += std::chrono::duration<double>(Clock::now() - start).count();
  }
  return b;
}

struct View {
  std::string name;
  std::function<Status()> run;
};

// The views the hub answers for the last month (local dates), all stores or one, read from
// the rollup cells (HubStore::View): the journey map (touchpoint x stage over the month), every
// hour cell (the CLI map's rows), daily and weekly trends, weekday x hour, the store ranking and
// the pain points (reasons of the total).
std::vector<View> Views(hub::HubStore* store, const std::string& one_store) {
  std::vector<View> v;
  const std::pair<const char*, hub::ViewBy> kViews[] = {{"journey", hub::ViewBy::kJourney},
                                                        {"cells", hub::ViewBy::kCell},
                                                        {"days", hub::ViewBy::kLocalDay},
                                                        {"weeks", hub::ViewBy::kIsoWeek},
                                                        {"weekday_hour", hub::ViewBy::kWeekdayHour},
                                                        {"stores", hub::ViewBy::kStore},
                                                        {"reasons", hub::ViewBy::kTotal}};
  for (int scope = 0; scope < 2; ++scope) {
    hub::ViewFilter f;
    if (scope == 1) f.stores = {one_store};
    f.from_ms = kEndDayMs - 30 * kDayMs;  // local dates: the last 30 days
    f.to_ms = kEndDayMs;
    for (const auto& [name, by] : kViews) {
      std::string label = std::string(name) + (scope == 0 ? "_all" : "_store");
      bool reasons = by == hub::ViewBy::kTotal;
      if (by == hub::ViewBy::kCell) {
        // Every hour cell, streamed as the CLI map reads them (one row reused): the view's
        // time is the reading and decoding of every cell, each handed to the caller.
        v.push_back({label, [store, f] {
                       int64_t cells = 0, responses = 0;
                       Status s = store->ForEachCell(f, [&](const hub::ViewRow& r) {
                         ++cells;
                         responses += r.sums.ok.sessions;
                         return Status::Ok();
                       });
                       if (!s.ok()) return s;
                       return cells > 0 && responses > 0 ? Status::Ok()
                                                         : Status::NotFound("no cells");
                     }});
        continue;
      }
      v.push_back({label, [store, f, by = by, reasons] {
                     auto rows = store->View(f, by);
                     if (!rows.ok()) return rows.status();
                     if (rows->empty()) return Status::NotFound("no rows");
                     if (reasons) {
                       auto pains = hub::PainPoints(rows->front().sums, f.include_suspect);
                       if (pains.empty()) return Status::NotFound("no reasons");
                     }
                     return Status::Ok();
                   }});
    }
  }
  return v;
}

// Runs every view `repeat` times on both stores, the small store's run and the large one's in
// turn (so that the ratio compares them under the same load, not a quieter minute against a
// busier one); returns the p95 (ms) per view and store, wall and CPU (of the process, every
// thread: the map over many stores reads on a second thread; what other load on a shared machine
// inflates much less than wall), and per store the sum of the medians.
struct ViewTimes {
  std::string name;
  double wall_p95_ms = 0, cpu_p95_ms = 0;
};
struct StoreTimes {
  std::vector<ViewTimes> views;
  double total_median_ms = 0;
};
bool TimeViews(const std::vector<View>& small, const std::vector<View>& large, int repeat,
               StoreTimes* small_times, StoreTimes* large_times) {
  for (size_t k = 0; k < small.size() && k < large.size(); ++k) {
    std::vector<double> ms[2], cpu_ms[2];
    for (int i = 0; i < repeat; ++i) {
      for (int which : {0, 1}) {
        const View& v = which == 0 ? small[k] : large[k];
        auto t = Clock::now();
        double cpu = ProcessCpuSeconds();
        Status s = v.run();
        cpu_ms[which].push_back((ProcessCpuSeconds() - cpu) * 1000);
        ms[which].push_back(MsSince(t));
        if (!s.ok()) {
          std::fprintf(stderr, "hubmap: %s: %s\n", v.name.c_str(), s.ToString().c_str());
          return false;
        }
      }
    }
    for (int which : {0, 1}) {
      StoreTimes* out = which == 0 ? small_times : large_times;
      out->total_median_ms += Percentile(ms[which], 50);
      out->views.push_back(
          {small[k].name, Percentile(ms[which], 95), Percentile(cpu_ms[which], 95)});
    }
  }
  return true;
}

int Run(const std::vector<std::string>& args) {
  Fleet fleet;
  int64_t small_events = 1'000'000, large_events = 10'000'000;
  int repeat = 20;
  std::string keep, only;  // --only NAME: just the views whose name contains NAME (profiling)
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--stores") fleet.stores = std::stoi(args[i + 1]);
    if (args[i] == "--small-events") small_events = std::stoll(args[i + 1]);
    if (args[i] == "--large-events") large_events = std::stoll(args[i + 1]);
    if (args[i] == "--repeat") repeat = std::stoi(args[i + 1]);
    if (args[i] == "--keep") keep = args[i + 1];
    if (args[i] == "--only") only = args[i + 1];
  }
  testing::TempDir temp;
  auto file = [&](const char* name) { return keep.empty() ? temp.File(name) : keep + "/" + name; };
  // A kept directory is reused once both stores were built completely.
  bool reuse = !keep.empty() && std::filesystem::exists(keep + "/complete");
  if (!keep.empty()) std::filesystem::create_directories(keep);
  // Both stores have the same daily volume; the large one keeps 10x the history.
  int large_days = 365;
  int small_days = static_cast<int>(
      std::max<int64_t>(31, large_days * small_events / std::max<int64_t>(1, large_events)));
  std::fprintf(stderr, "hubmap: building %lld events over %d days and %lld over %d days\n",
               static_cast<long long>(small_events), small_days,
               static_cast<long long>(large_events), large_days);
  double per_day = static_cast<double>(large_events) / large_days;
  auto small =
      Build(file("small.db"), fleet, static_cast<int64_t>(per_day * small_days), small_days, reuse);
  if (!small.ok()) {
    std::fprintf(stderr, "hubmap: %s\n", small.status().ToString().c_str());
    return 1;
  }
  auto large = Build(file("large.db"), fleet, large_events, large_days, reuse);
  if (!large.ok()) {
    std::fprintf(stderr, "hubmap: %s\n", large.status().ToString().c_str());
    return 1;
  }
  std::fprintf(stderr, "hubmap: small %lld events, large %lld events\n",
               static_cast<long long>(small->events), static_cast<long long>(large->events));
  if (!reuse) {
    PrintBench("hubmap_ingest_events_per_s", static_cast<double>(large->events) / large->ingest_s,
               "events/s");
  }
  if (!keep.empty() && !reuse) std::fclose(std::fopen((keep + "/complete").c_str(), "w"));

  std::string one = fleet.StoreId(fleet.stores / 2);
  auto views = [&](hub::HubStore* store) {
    std::vector<View> v = Views(store, one);
    std::erase_if(v, [&](const View& x) { return x.name.find(only) == std::string::npos; });
    return v;
  };
  StoreTimes small_times, large_times;
  if (!TimeViews(views(small->store.get()), views(large->store.get()), repeat, &small_times,
                 &large_times)) {
    return 1;
  }
  double worst = 0;
  for (const ViewTimes& t : large_times.views) {
    PrintBench("hubmap_view_ms_p95_" + t.name, t.wall_p95_ms, "ms");
    worst = std::max(worst, t.wall_p95_ms);
  }
  for (const ViewTimes& t : large_times.views) {
    PrintBench("hubmap_view_cpu_ms_p95_" + t.name, t.cpu_p95_ms, "ms");
  }
  PrintBench("hubmap_view_ms_p95", worst, "ms");
  PrintBench("hubmap_history_ratio",
             large_times.total_median_ms / std::max(small_times.total_median_ms, 1e-3), "x");
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  PrintBench("hubmap_peak_rss_mb", static_cast<double>(ru.ru_maxrss) / 1024.0, "MB");
  return 0;
}

Registrar reg("hubmap", "hub journey map views at 1M and 10M events of history", &Run);

}  // namespace
}  // namespace touchpoint::bench
