#include "touchpoint/core/event.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace touchpoint {

namespace {
constexpr std::array<const char*, 5> kEventTypeNames = {"feedback", "feedback_abandoned",
                                                        "footfall", "coverage", "status"};
constexpr std::array<const char*, 5> kQuestionTypeNames = {"csat", "nps", "effort", "tags", "text"};
}  // namespace

const char* EventTypeName(EventType t) { return kEventTypeNames[static_cast<size_t>(t)]; }

std::optional<EventType> ParseEventType(const std::string& name) {
  for (size_t i = 0; i < kEventTypeNames.size(); ++i) {
    if (name == kEventTypeNames[i]) return static_cast<EventType>(i);
  }
  return std::nullopt;
}

size_t DwellBucketOf(double seconds) {
  size_t i = 0;
  while (i < kDwellBucketUpperS.size() && seconds >= kDwellBucketUpperS[i]) ++i;
  return i;
}

std::optional<double> DwellQuantileOf(const DwellHistogram& hist, double q) {
  int64_t n = 0;
  for (int64_t c : hist) n += c;
  if (n <= 0) return std::nullopt;
  // The rank wanted (1-based, nearest-rank) and the bucket holding it.
  const double rank = std::max(1.0, std::ceil(q * static_cast<double>(n)));
  int64_t below = 0;
  for (size_t i = 0; i < hist.size(); ++i) {
    if (hist[i] == 0) continue;
    if (static_cast<double>(below + hist[i]) >= rank) {
      const double lo = i == 0 ? 0.0 : kDwellBucketUpperS[i - 1];
      if (i == kDwellBucketUpperS.size()) return lo;
      const double hi = kDwellBucketUpperS[i];
      return lo + (hi - lo) * (rank - static_cast<double>(below)) / static_cast<double>(hist[i]);
    }
    below += hist[i];
  }
  return static_cast<double>(kDwellBucketUpperS.back());
}

const char* QuestionTypeName(QuestionType t) { return kQuestionTypeNames[static_cast<size_t>(t)]; }

std::optional<QuestionType> ParseQuestionType(const std::string& name) {
  for (size_t i = 0; i < kQuestionTypeNames.size(); ++i) {
    if (name == kQuestionTypeNames[i]) return static_cast<QuestionType>(i);
  }
  return std::nullopt;
}

std::optional<ScoreRange> ScoreRangeOf(QuestionType t) {
  switch (t) {
    case QuestionType::kCsat:
      return ScoreRange{1, 5};
    case QuestionType::kNps:
      return ScoreRange{0, 10};
    case QuestionType::kEffort:
      return ScoreRange{1, 7};
    default:
      return std::nullopt;
  }
}

}  // namespace touchpoint
