// The simulated fleet's history (touchpoint-bench fleet and hubweb): stores, kiosks, opening
// hours, footfall and feedback with a daily and weekly shape, and what is made visible on purpose
// (see bench_fleet.cc). Header-only, shared by the two benchmarks.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "touchpoint/core/clock.h"
#include "touchpoint/core/config.h"
#include "touchpoint/core/event.h"
#include "touchpoint/core/event_stamper.h"

namespace touchpoint::bench::fleet {

inline constexpr int64_t kMinuteMs = 60'000;
inline constexpr int64_t kHourMs = 60 * kMinuteMs;
inline constexpr int64_t kDayMs = 24 * kHourMs;

struct TouchpointSpec {
  const char* touchpoint;
  const char* stage;
  double visitors_per_hour;  // at the busiest hour of an average weekday, average store
  double response_rate;
  double quality;                    // added to the store's
  std::vector<const char*> reasons;  // what unhappy shoppers name here
  const char* zone;                  // the footfall zone its camera measures dwell in
  double dwell_median_s;             // a typical visit's time in that zone
};

inline const std::vector<TouchpointSpec>& Touchpoints() {
  static const std::vector<TouchpointSpec> kSpecs = {
      {"entrance",
       "arrive",
       70,
       0.05,
       0.05,
       {"signage", "crowded", "staff", "parking"},
       "entrance",
       12},
      {"fitting-room",
       "try",
       18,
       0.10,
       -0.05,
       {"queue", "staff", "sizes", "cleanliness"},
       "fitting-rooms",
       240},
      {"checkout", "pay", 40, 0.07, 0.0, {"queue", "price", "payment", "staff"}, "queue", 90},
  };
  return kSpecs;
}

struct SimKiosk {
  std::string kiosk, store, region;
  int store_index = 0, tp = 0;
  int32_t offset_min = 0;
  double size = 1, quality = 0.7;
};

struct FleetSpec {
  int stores = 12;
  int days = 30;
  int64_t end_day_ms = 0;  // the local day AFTER the history (00:00 as UTC ms)
  uint64_t seed = 7;

  std::string StoreId(int s) const {
    char b[24];
    std::snprintf(b, sizeof b, "store-%02d", s + 1);
    return b;
  }
  static const char* Region(int s, int stores) {
    int third = std::max(1, (stores + 2) / 3);
    return s < third ? "central" : s < 2 * third ? "west" : "uk";
  }
  std::vector<SimKiosk> Kiosks() const {
    std::vector<SimKiosk> out;
    for (int s = 0; s < stores; ++s) {
      for (int t = 0; t < static_cast<int>(Touchpoints().size()); ++t) {
        SimKiosk k;
        k.store = StoreId(s);
        k.kiosk = k.store + "-" + Touchpoints()[static_cast<size_t>(t)].touchpoint;
        k.region = Region(s, stores);
        k.store_index = s;
        k.tp = t;
        k.offset_min = k.region == std::string("uk") ? 0 : 60;
        k.size = 0.6 + 0.8 * std::fmod(0.37 * (s + 1) * 1.618, 1.0);
        k.quality = 0.62 + 0.2 * std::fmod(0.53 * (s + 3) * 1.414, 1.0) +
                    Touchpoints()[static_cast<size_t>(t)].quality;
        out.push_back(k);
      }
    }
    return out;
  }
  bool Problem(const SimKiosk& k, int64_t day_ms) const {
    return k.store_index == 4 && k.tp == 1 && day_ms >= end_day_ms - 10 * kDayMs;
  }
  bool Offline(const SimKiosk& k) const { return k.store_index == 10 && k.tp == 2; }
  // The live phase (bench fleet --live-s): this kiosk's camera is down, it sends no footfall
  // (the hub's camera_not_counting_min rule raises it while its store is open).
  bool LiveCameraDown(const SimKiosk& k) const { return k.store_index == 2 && k.tp == 0; }
  bool CameraGap(const SimKiosk& k, int64_t day_ms, int hour) const {
    return k.store_index == 2 && k.tp == 0 && day_ms == end_day_ms - 4 * kDayMs && hour >= 13 &&
           hour < 17;
  }
};

// Visitors at local hour h relative to the busiest hour: a midday and a late-afternoon peak.
inline double HourShape(int h) {
  static const double kShape[24] = {0,   0,   0,   0,   0,   0,    0,    0,   0.35, 0.5, 0.7, 0.9,
                                    1.0, 0.9, 0.7, 0.7, 0.8, 0.95, 0.85, 0.5, 0,    0,   0,   0};
  return kShape[h];
}

// 0 = Monday .. 6 = Sunday, of a day starting at `day_ms` (UTC ms of local midnight).
inline int WeekdayOf(int64_t day_ms) { return static_cast<int>(((day_ms / kDayMs) % 7 + 10) % 7); }

class HistoryMaker {
 public:
  explicit HistoryMaker(const FleetSpec& spec) : spec_(spec), rng_(spec.seed) {}

  // Every event of kiosk `k` on the local day starting at `day_ms` (local midnight as UTC ms),
  // stamped by `stamper` (whose clock it sets to each event's time).
  std::vector<Event> Day(const SimKiosk& k, int64_t day_ms, const EventStamper& stamper,
                         ManualClock* clock) {
    std::vector<Event> out;
    const TouchpointSpec& tp = Touchpoints()[static_cast<size_t>(k.tp)];
    const int weekday = WeekdayOf(day_ms);
    const double day_factor = weekday == 5 ? 1.5 : weekday == 6 ? 0.8 : weekday == 4 ? 1.15 : 1.0;
    const int open = weekday == 6 ? 10 : 8, close = weekday == 6 ? 18 : 20;
    const double quality = spec_.Problem(k, day_ms) ? 0.25 : k.quality;
    const int64_t local_to_utc = -int64_t{k.offset_min} * kMinuteMs;
    for (int h = open; h < close; ++h) {
      const int64_t hour_utc = day_ms + h * kHourMs + local_to_utc;
      if (spec_.CameraGap(k, day_ms, h)) {
        if (h == 13) {
          CoveragePayload c{"camera", hour_utc, hour_utc + 4 * kHourMs, "frame_timeout"};
          out.push_back(Stamp(stamper, clock, c, hour_utc + 4 * kHourMs));
        }
      } else {
        double mean = tp.visitors_per_hour * k.size * day_factor * HourShape(h);
        FootfallPayload f;
        f.interval_start_ms = hour_utc;
        f.interval_s = 3600;
        int64_t in = Poisson(mean);
        f.lines = {{"door", in, std::max<int64_t>(0, in + Poisson(2) - Poisson(2))}};
        f.occupancy_max = std::max<int64_t>(1, in / 6);
        f.occupancy_end = in / 12;
        f.zones = {Zone(tp, in, spec_.Problem(k, day_ms))};
        out.push_back(Stamp(stamper, clock, f, hour_utc + kHourMs));
      }
      const double visitors = tp.visitors_per_hour * k.size * day_factor * HourShape(h);
      const int sessions = static_cast<int>(Poisson(visitors * tp.response_rate));
      for (int i = 0; i < sessions; ++i) {
        int64_t at = hour_utc + Uniform(0, kHourMs - 1);
        // Crowding: people in view when the session started (about a tenth of the hour's
        // visitors); shoppers in a crowded space rate a little lower, an empty one a little
        // higher, so the chain's mean stays about the store's quality.
        FeedbackContext context;
        context.occupancy_at_start = Poisson(visitors / 10);
        context.visitors_in_15min = Poisson(visitors / 4);
        const double crowded =
            0.03 * (3.0 - static_cast<double>(std::min<int64_t>(context.occupancy_at_start, 10)));
        out.push_back(Stamp(stamper, clock,
                            Session(k, quality + crowded, spec_.Problem(k, day_ms), context), at));
      }
    }
    std::sort(out.begin(), out.end(),
              [](const Event& a, const Event& b) { return a.time_ms < b.time_ms; });
    return out;
  }

  // The hour's visits of the touchpoint's zone: a log-normal dwell around its median (twice as
  // long where the stage has its problem), binned straight into the histogram's buckets.
  ZoneStats Zone(const TouchpointSpec& tp, int64_t visits, bool problem) {
    ZoneStats z;
    z.id = tp.zone;
    z.visits = z.dwell_n = visits;
    const double median = tp.dwell_median_s * (problem ? 2.0 : 1.0), sigma = 0.6;
    auto below = [&](double s) {  // the log-normal's distribution function
      return 0.5 * std::erfc(-(std::log(s) - std::log(median)) / (sigma * std::sqrt(2.0)));
    };
    int64_t left = visits;
    double p_done = 0;
    for (size_t i = 0; i < kDwellBuckets && left > 0; ++i) {
      const double p_to = i < kDwellBucketUpperS.size() ? below(kDwellBucketUpperS[i]) : 1.0;
      const double p = p_to >= 1.0 ? 1.0 : (p_to - p_done) / std::max(1e-12, 1.0 - p_done);
      const int64_t n = std::binomial_distribution<int64_t>(left, std::clamp(p, 0.0, 1.0))(rng_);
      z.dwell_hist[i] = n;
      left -= n;
      p_done = p_to;
    }
    if (visits > 0) {
      z.dwell_mean_s = median * std::exp(sigma * sigma / 2);  // the log-normal's mean
      z.dwell_p90_s = DwellQuantileOf(z.dwell_hist, 0.9);
      z.occupancy_max = std::max<int64_t>(1, visits * static_cast<int64_t>(median) / 1800);
      z.occupancy_mean = static_cast<double>(visits) * median / 3600.0;
    }
    return z;
  }

  // One shopper's session at kiosk `k`, satisfied about `quality` (0..1), with the crowding
  // around it when given.
  Payload Session(const SimKiosk& k, double quality, bool problem,
                  std::optional<FeedbackContext> context = std::nullopt) {
    const TouchpointSpec& tp = Touchpoints()[static_cast<size_t>(k.tp)];
    int csat = std::clamp(static_cast<int>(std::lround(Normal(1 + 4 * quality, 0.9))), 1, 5);
    std::vector<Answer> answers = {Answer{"overall", QuestionType::kCsat, csat, {}, ""}};
    if (csat <= 3) {
      Answer reasons{"reasons", QuestionType::kTags, std::nullopt, {}, ""};
      const char* first = problem && Chance(0.7) ? "queue"
                          : problem              ? "staff"
                                                 : tp.reasons[Pick(tp.reasons.size())];
      reasons.tags.push_back(first);
      const char* second = tp.reasons[Pick(tp.reasons.size())];
      if (Chance(0.3) && second != std::string(first)) reasons.tags.push_back(second);
      answers.push_back(reasons);
    }
    int nps = csat == 5   ? static_cast<int>(Uniform(9, 10))
              : csat == 4 ? static_cast<int>(Uniform(7, 9))
                          : static_cast<int>(Uniform(0, 6));
    answers.push_back(Answer{"recommend", QuestionType::kNps, nps, {}, ""});
    if (k.tp == 2) {
      int effort = std::clamp(static_cast<int>(std::lround(Normal(1 + 6 * quality, 1.0))), 1, 7);
      answers.push_back(Answer{"effort", QuestionType::kEffort, effort, {}, ""});
    }
    if (Chance(0.05)) {
      FeedbackAbandonedPayload a;
      a.survey_id = "store-visit";
      a.survey_version = 1;
      a.language = "en";
      a.duration_ms = 30'000 + Uniform(0, 5000);
      a.questions_total = static_cast<int>(answers.size()) + 1;
      a.questions_answered = 1;
      a.last_question_id = answers.size() > 1 ? answers[1].question_id : "recommend";
      a.answers = {answers[0]};
      a.context = context;
      return a;
    }
    FeedbackPayload f;
    f.survey_id = "store-visit";
    f.survey_version = 1;
    f.language = Chance(0.8) ? "en" : "de";
    f.duration_ms = 4000 + Uniform(0, 9000);
    f.answers = std::move(answers);
    f.context = context;
    if (Chance(0.015)) {
      f.suspect = true;
      f.suspect_reason = "rapid_repeat";
    }
    return f;
  }

 private:
  static Event Stamp(const EventStamper& stamper, ManualClock* clock, Payload p, int64_t at) {
    clock->SetUtcMs(at);
    return stamper.MakeAt(std::move(p), at);
  }
  int64_t Poisson(double mean) {
    return mean <= 0 ? 0 : std::poisson_distribution<int64_t>(mean)(rng_);
  }
  int64_t Uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  double Normal(double mean, double sd) { return std::normal_distribution<double>(mean, sd)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  size_t Pick(size_t n) { return static_cast<size_t>(Uniform(0, static_cast<int64_t>(n) - 1)); }

  const FleetSpec& spec_;
  std::mt19937_64 rng_;
};

inline KioskConfig KioskOf(const SimKiosk& k) {
  KioskConfig c;
  c.kiosk_id = k.kiosk;
  c.store_id = k.store;
  c.touchpoint = Touchpoints()[static_cast<size_t>(k.tp)].touchpoint;
  c.journey_stage = Touchpoints()[static_cast<size_t>(k.tp)].stage;
  c.status_interval_s = 10;  // the fleet view sees queues drain soon after delivery
  return c;
}

// The days of history of kiosk `k`: [first, last) local midnights.
inline int64_t LastDayOf(const FleetSpec& spec, const SimKiosk& k) {
  return spec.Offline(k) ? spec.end_day_ms - 2 * kDayMs : spec.end_day_ms;
}

inline std::string HubConfig(const FleetSpec& spec) {
  std::string out =
      "# The simulated fleet's hub config (touchpoint-bench fleet --hub-config, hubweb).\n"
      "[journey]\nstages = [";
  for (size_t t = 0; t < Touchpoints().size(); ++t) {
    out += std::string(t ? ", " : "") + "\"" + Touchpoints()[t].stage + "\"";
  }
  out += "]\n\n[regions]\n";
  for (const char* region : {"central", "west", "uk"}) {
    std::string stores;
    for (int s = 0; s < spec.stores; ++s) {
      if (std::string(FleetSpec::Region(s, spec.stores)) != region) continue;
      stores += std::string(stores.empty() ? "" : ", ") + "\"" + spec.StoreId(s) + "\"";
    }
    if (!stores.empty()) out += std::string(region) + " = [" + stores + "]\n";
  }
  // The hours HistoryMaker::Day opens the stores (the camera rule watches them).
  out +=
      "\n[opening_hours]\nmon = \"08:00-20:00\"\ntue = \"08:00-20:00\"\nwed = \"08:00-20:00\"\n"
      "thu = \"08:00-20:00\"\nfri = \"08:00-20:00\"\nsat = \"08:00-20:00\"\nsun = "
      "\"10:00-18:00\"\n";
  return out;
}

}  // namespace touchpoint::bench::fleet
