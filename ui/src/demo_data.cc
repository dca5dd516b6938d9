#include "touchpoint/ui/demo_data.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "stats.h"

namespace touchpoint::ui {

Result<int64_t> SeedDemoData(EventStore& store, const EventStamper& stamper,
                             const SurveyDefinition& survey, int days, uint32_t seed) {
  std::mt19937 rng(seed);
  const Clock& clock = stamper.clock();
  int64_t now = clock.NowUtcMs();
  int64_t offset_ms = static_cast<int64_t>(clock.UtcOffsetMin(now)) * 60'000;
  int64_t today_local = LocalDayStart(now + offset_ms);
  std::vector<Event> batch;
  int64_t stored = 0;
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    auto r = store.AppendBatch(std::move(batch));
    batch.clear();
    if (!r.ok()) return r.status();
    stored += static_cast<int64_t>(r->size());
    return Status::Ok();
  };
  const int64_t kInterval = 15 * 60'000;
  for (int d = days - 1; d >= 0; --d) {
    int64_t day = today_local - d * kDayMs;
    double mood = std::uniform_real_distribution<double>(-0.6, 0.6)(rng);
    for (int64_t t = day + 8 * kHourMs; t < day + 20 * kHourMs; t += kInterval) {
      int64_t utc = t - offset_ms;
      if (utc + kInterval > now) break;
      double hour = static_cast<double>(t - day) / kHourMs;
      // Two peaks: late morning and late afternoon.
      double rate = 6 + 10 * std::exp(-std::pow((hour - 11.5) / 1.5, 2)) +
                    14 * std::exp(-std::pow((hour - 17.0) / 1.3, 2));
      int64_t in = std::poisson_distribution<int64_t>(rate)(rng);
      int64_t out = std::max<int64_t>(0, in + std::uniform_int_distribution<int64_t>(-2, 2)(rng));
      FootfallPayload ff;
      ff.interval_start_ms = utc;
      ff.interval_s = static_cast<int32_t>(kInterval / 1000);
      ff.lines.push_back(LineCount{"door", in, out});
      ff.occupancy_end = std::uniform_int_distribution<int64_t>(2, 25)(rng);
      ff.occupancy_min = ff.occupancy_end / 2;
      ff.occupancy_max = ff.occupancy_end + 5;
      batch.push_back(stamper.MakeAt(ff, utc + kInterval));
      // About one visitor in twelve answers the survey.
      int64_t responses = std::binomial_distribution<int64_t>(in, 0.08)(rng);
      for (int64_t r = 0; r < responses; ++r) {
        int64_t at = utc + std::uniform_int_distribution<int64_t>(0, kInterval - 1)(rng);
        FeedbackPayload fb;
        fb.survey_id = survey.id;
        fb.survey_version = survey.version;
        fb.language = survey.languages[static_cast<size_t>(std::uniform_int_distribution<int>(
            0, static_cast<int>(survey.languages.size()) - 1)(rng))];
        fb.duration_ms = std::uniform_int_distribution<int64_t>(4000, 25000)(rng);
        double happy = std::normal_distribution<double>(0.45 + mood * 0.3, 0.3)(rng);
        for (const Question& q : survey.questions) {
          Answer a;
          a.question_id = q.id;
          a.type = q.type;
          if (auto range = ScoreRangeOf(q.type)) {
            double v =
                range->min +
                std::clamp(happy + std::normal_distribution<double>(0, 0.12)(rng), 0.0, 1.0) *
                    (range->max - range->min);
            a.score = static_cast<int>(std::lround(v));
          } else if (q.type == QuestionType::kTags && !q.tags.empty()) {
            int k = std::uniform_int_distribution<int>(
                1, std::min<int>(2, static_cast<int>(q.tags.size())))(rng);
            for (int i = 0; i < k; ++i) {
              // Skewed: the first tags are chosen more often.
              double x = std::pow(std::uniform_real_distribution<double>(0, 1)(rng), 1.8);
              const std::string& id =
                  q.tags[static_cast<size_t>(x * static_cast<double>(q.tags.size()))].id;
              if (std::find(a.tags.begin(), a.tags.end(), id) == a.tags.end()) a.tags.push_back(id);
            }
          } else {
            continue;
          }
          fb.answers.push_back(a);
        }
        batch.push_back(stamper.MakeAt(fb, at));
      }
      if (batch.size() >= 500) {
        if (Status st = flush(); !st.ok()) return st;
      }
    }
  }
  if (Status st = flush(); !st.ok()) return st;
  return stored;
}

}  // namespace touchpoint::ui
