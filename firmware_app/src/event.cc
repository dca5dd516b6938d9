#include "touchpoint/core/event.h"

#include <array>

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
