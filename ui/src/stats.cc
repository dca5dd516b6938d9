#include "stats.h"

#include <cstdio>
#include <ctime>

namespace touchpoint::ui {

void ScoreSums::Add(const ScoreSums& o) {
  csat_sum += o.csat_sum;
  csat_n += o.csat_n;
  csat_satisfied += o.csat_satisfied;
  nps_promoters += o.nps_promoters;
  nps_detractors += o.nps_detractors;
  nps_n += o.nps_n;
  effort_sum += o.effort_sum;
  effort_n += o.effort_n;
}

void Bucket::Add(const Bucket& o) {
  visitors_in += o.visitors_in;
  visitors_out += o.visitors_out;
  responses += o.responses;
  flagged += o.flagged;
  abandoned += o.abandoned;
  scores.Add(o.scores);
}

void HourlyStats::Add(const Event& e) {
  int64_t offset_ms = static_cast<int64_t>(e.utc_offset_min) * 60'000;
  int64_t local = e.time_ms + offset_ms;
  if (const auto* ff = std::get_if<FootfallPayload>(&e.payload)) {
    local = ff->interval_start_ms + offset_ms;
  }
  int64_t hour = LocalDayStart(local) + (local - LocalDayStart(local)) / kHourMs * kHourMs;
  Bucket& b = hours_[hour];
  if (const auto* ff = std::get_if<FootfallPayload>(&e.payload)) {
    for (const LineCount& l : ff->lines) {
      b.visitors_in += l.in;
      b.visitors_out += l.out;
    }
  } else if (const auto* fb = std::get_if<FeedbackPayload>(&e.payload)) {
    if (fb->suspect) {
      ++b.flagged;
      return;
    }
    ++b.responses;
    for (const Answer& a : fb->answers) {
      if (!a.score) {
        for (const std::string& t : a.tags) {
          ++reasons_[t];
          reason_log_.emplace_back(local, t);
        }
        continue;
      }
      int s = *a.score;
      switch (a.type) {
        case QuestionType::kCsat:
          b.scores.csat_sum += s;
          ++b.scores.csat_n;
          if (s >= 4) ++b.scores.csat_satisfied;
          break;
        case QuestionType::kNps:
          ++b.scores.nps_n;
          if (s >= 9) ++b.scores.nps_promoters;
          if (s <= 6) ++b.scores.nps_detractors;
          break;
        case QuestionType::kEffort:
          b.scores.effort_sum += s;
          ++b.scores.effort_n;
          break;
        default:
          break;
      }
    }
  } else if (std::holds_alternative<FeedbackAbandonedPayload>(e.payload)) {
    ++b.abandoned;
  }
}

Bucket HourlyStats::Sum(int64_t from_local_ms, int64_t to_local_ms) const {
  Bucket total;
  for (auto it = hours_.lower_bound(from_local_ms); it != hours_.end() && it->first < to_local_ms;
       ++it) {
    total.Add(it->second);
  }
  return total;
}

std::map<std::string, int64_t> HourlyStats::Reasons(int64_t from_local_ms,
                                                    int64_t to_local_ms) const {
  std::map<std::string, int64_t> out;
  for (const auto& [t, tag] : reason_log_) {
    if (t >= from_local_ms && t < to_local_ms) ++out[tag];
  }
  return out;
}

std::string LocalDate(int64_t local_ms) {
  time_t secs = static_cast<time_t>(LocalDayStart(local_ms) / 1000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

int LocalHour(int64_t local_ms) {
  return static_cast<int>((local_ms - LocalDayStart(local_ms)) / kHourMs);
}

}  // namespace touchpoint::ui
