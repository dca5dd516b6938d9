#include "touchpoint/core/metrics.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace touchpoint::metrics {

void ScoreDist::AddScore(int score) {
  if (score >= 0 && score <= 10) ++counts[static_cast<size_t>(score)];
}

void ScoreDist::Add(const ScoreDist& o) {
  for (size_t i = 0; i < counts.size(); ++i) counts[i] += o.counts[i];
}

int64_t ScoreDist::n() const { return CountIn(0, 10); }

int64_t ScoreDist::sum() const {
  int64_t s = 0;
  for (size_t i = 0; i < counts.size(); ++i) s += counts[i] * static_cast<int64_t>(i);
  return s;
}

int64_t ScoreDist::CountIn(int lo, int hi) const {
  int64_t c = 0;
  for (int i = std::max(lo, 0); i <= std::min(hi, 10); ++i) c += counts[static_cast<size_t>(i)];
  return c;
}

std::optional<double> ScoreDist::Mean() const {
  int64_t total = n();
  if (total == 0) return std::nullopt;
  return static_cast<double>(sum()) / static_cast<double>(total);
}

std::optional<double> ScoreDist::SatisfiedPct() const {
  int64_t total = n();
  if (total == 0) return std::nullopt;
  return 100.0 * static_cast<double>(CountIn(4, 5)) / static_cast<double>(total);
}

std::optional<double> ScoreDist::Nps() const {
  int64_t total = n();
  if (total == 0) return std::nullopt;
  return 100.0 * static_cast<double>(CountIn(9, 10) - CountIn(0, 6)) / static_cast<double>(total);
}

namespace {

void AddCounts(FlatMap<int64_t>& to, const FlatMap<int64_t>& from) {
  to.MergeFrom(from, [](int64_t& mine, int64_t theirs) { mine += theirs; });
}

}  // namespace

void DwellSums::Add(const DwellSums& o) {
  n += o.n;
  sum_ms += o.sum_ms;
  for (size_t i = 0; i < hist.size(); ++i) hist[i] += o.hist[i];
}

void DwellSums::AddZone(const ZoneStats& z) {
  if (z.dwell_n <= 0) return;
  n += z.dwell_n;
  sum_ms += std::llround(z.dwell_mean_s.value_or(0) * static_cast<double>(z.dwell_n) * 1000.0);
  for (size_t i = 0; i < hist.size(); ++i) hist[i] += z.dwell_hist[i];
}

DwellSums DwellSums::Negated() const {
  DwellSums d;
  d.n = -n;
  d.sum_ms = -sum_ms;
  for (size_t i = 0; i < hist.size(); ++i) d.hist[i] = -hist[i];
  return d;
}

std::optional<double> DwellSums::MeanS() const {
  if (n <= 0) return std::nullopt;
  return static_cast<double>(sum_ms) / 1000.0 / static_cast<double>(n);
}

std::optional<double> DwellSums::P90S() const { return DwellQuantileOf(hist, 0.9); }

const char* CrowdBandName(size_t band) {
  static constexpr std::array<const char*, kCrowdBands> kNames = {"0", "1-2", "3-5", "6-10", "11+"};
  return band < kNames.size() ? kNames[band] : "?";
}

size_t CrowdBandOf(int64_t occupancy) {
  size_t i = 0;
  while (i < kCrowdBandMax.size() && occupancy > kCrowdBandMax[i]) ++i;
  return i;
}

void SessionSums::Add(const SessionSums& o) {
  sessions += o.sessions;
  csat.Add(o.csat);
  nps.Add(o.nps);
  effort.Add(o.effort);
  questions.MergeFrom(o.questions, [](QuestionSums& mine, const QuestionSums& theirs) {
    mine.scores.Add(theirs.scores);
  });
  AddCounts(reasons, o.reasons);
  AddCounts(reasons_unhappy, o.reasons_unhappy);
  unhappy += o.unhappy;
  with_context += o.with_context;
  for (size_t i = 0; i < kCrowdBands; ++i) csat_by_crowd[i].Add(o.csat_by_crowd[i]);
}

void SessionSums::AddFeedback(const FeedbackPayload& f) { AddAnswers(f.answers, f.context); }

void SessionSums::AddAnswers(const std::vector<Answer>& answers,
                             const std::optional<FeedbackContext>& context) {
  ++sessions;
  std::optional<int> first_csat, first_nps, first_effort;
  size_t tag_count = 0;
  for (const Answer& a : answers) {
    if (a.type == QuestionType::kTags) {
      tag_count += a.tags.size();
      continue;
    }
    if (!a.score) continue;
    std::optional<int>* first = nullptr;
    switch (a.type) {
      case QuestionType::kCsat:
        first = &first_csat;
        break;
      case QuestionType::kNps:
        first = &first_nps;
        break;
      case QuestionType::kEffort:
        first = &first_effort;
        break;
      default:
        continue;
    }
    if (!*first) *first = *a.score;
    auto [it, fresh] = questions.try_emplace(a.question_id);
    if (fresh) it->second.type = a.type;
    it->second.scores.AddScore(*a.score);
  }
  if (first_csat) csat.AddScore(*first_csat);
  if (context) {
    ++with_context;
    if (first_csat) csat_by_crowd[CrowdBandOf(context->occupancy_at_start)].AddScore(*first_csat);
  }
  if (first_nps) nps.AddScore(*first_nps);
  if (first_effort) effort.AddScore(*first_effort);
  bool is_unhappy = first_csat ? *first_csat <= 2 : (first_nps && *first_nps <= 6);
  if (is_unhappy) ++unhappy;
  if (tag_count == 0) return;
  // Each reason counts once per session, also when two tag questions name it.
  std::vector<const std::string*> tags;
  tags.reserve(tag_count);
  for (const Answer& a : answers) {
    if (a.type != QuestionType::kTags) continue;
    for (const std::string& t : a.tags) tags.push_back(&t);
  }
  auto less = [](const std::string* x, const std::string* y) { return *x < *y; };
  auto same = [](const std::string* x, const std::string* y) { return *x == *y; };
  std::sort(tags.begin(), tags.end(), less);
  tags.erase(std::unique(tags.begin(), tags.end(), same), tags.end());
  for (const std::string* t : tags) {
    ++reasons[*t];
    if (is_unhappy) ++reasons_unhappy[*t];
  }
}

void Sums::Add(const Sums& o) {
  visitors_in += o.visitors_in;
  visitors_out += o.visitors_out;
  counted_s += o.counted_s;
  ok.Add(o.ok);
  suspect.Add(o.suspect);
  abandoned += o.abandoned;
  if (o.dwell.empty()) return;
  dwell.MergeFrom(o.dwell, [](DwellSums& mine, const DwellSums& theirs) { mine.Add(theirs); });
  // A delta that takes back what was added (a compaction replacing its originals at the hub)
  // leaves no empty zone behind: equal sums compare equal however they were reached.
  dwell.EraseIf([](const auto& zone) { return zone.second == DwellSums{}; });
}

void Sums::AddZones(const std::vector<ZoneStats>& zones) {
  for (const ZoneStats& z : zones) {
    if (z.dwell_n > 0) dwell[z.id].AddZone(z);
  }
}

void Sums::AddEvent(const Event& e) {
  if (const auto* fb = std::get_if<FeedbackPayload>(&e.payload)) {
    (fb->suspect ? suspect : ok).AddFeedback(*fb);
  } else if (std::holds_alternative<FeedbackAbandonedPayload>(e.payload)) {
    ++abandoned;
  } else if (const auto* ff = std::get_if<FootfallPayload>(&e.payload)) {
    for (const LineCount& l : ff->lines) {
      visitors_in += l.in;
      visitors_out += l.out;
    }
    counted_s += ff->interval_s;
    AddZones(ff->zones);
  }
}

int64_t LocalHourOf(int64_t utc_ms, int32_t offset_min) {
  constexpr int64_t kHourMs = 3'600'000;
  int64_t local = utc_ms + int64_t{offset_min} * 60'000;
  return local / kHourMs - (local % kHourMs != 0 && local < 0 ? 1 : 0);  // floor
}

int64_t LocalHourOf(const Event& e) {
  const auto* ff = std::get_if<FootfallPayload>(&e.payload);
  return LocalHourOf(ff != nullptr ? ff->interval_start_ms : e.time_ms, e.utc_offset_min);
}

Figures Compute(const Sums& s, bool include_suspect) {
  Figures f;
  f.scored = s.ok;
  if (include_suspect) f.scored.Add(s.suspect);
  f.responses = f.scored.sessions;
  f.suspect = s.suspect.sessions;
  f.abandoned = s.abandoned;
  f.visitors_in = s.visitors_in;
  f.visitors_out = s.visitors_out;
  if (s.visitors_in > 0) {
    f.response_rate = static_cast<double>(f.responses) / static_cast<double>(s.visitors_in);
  }
  f.csat_mean = f.scored.csat.Mean();
  f.csat_satisfied_pct = f.scored.csat.SatisfiedPct();
  f.nps = f.scored.nps.Nps();
  f.effort_mean = f.scored.effort.Mean();
  f.csat_n = f.scored.csat.n();
  f.nps_n = f.scored.nps.n();
  f.effort_n = f.scored.effort.n();
  DwellSums all;
  for (const auto& [zone, d] : s.dwell) {
    all.Add(d);
    f.dwell_by_zone[zone] = {d.MeanS(), d.P90S(), d.n};
  }
  f.dwell_mean_s = all.MeanS();
  f.dwell_p90_s = all.P90S();
  f.dwell_n = all.n;
  for (size_t i = 0; i < kCrowdBands; ++i) {
    f.csat_satisfied_pct_by_crowd[i] = f.scored.csat_by_crowd[i].SatisfiedPct();
    f.csat_n_by_crowd[i] = f.scored.csat_by_crowd[i].n();
  }
  return f;
}

}  // namespace touchpoint::metrics
