// One shopper's pass through the survey: which question is shown, the answers so far, back and
// skip, and the payloads recorded at the end (feedback or feedback_abandoned). Holds a snapshot
// of the survey taken at the start, so a survey pushed meanwhile never mixes in. Times are the
// clock's monotonic ms. Not thread-safe (UI thread). No ImGui here.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "touchpoint/core/event.h"
#include "touchpoint/core/survey.h"

namespace touchpoint::ui {

class SurveySession {
 public:
  SurveySession(std::shared_ptr<const SurveyDefinition> survey, std::string language,
                int64_t start_mono_ms);

  const SurveyDefinition& survey() const { return *survey_; }
  const std::string& language() const { return language_; }
  void set_language(std::string lang) { language_ = std::move(lang); }

  int index() const { return index_; }
  int total() const { return static_cast<int>(questions_.size()); }
  bool finished() const { return index_ >= total(); }
  // REQUIRES: !finished()
  const Question& current() const { return *questions_[static_cast<size_t>(index_)]; }
  const std::optional<Answer>& answer(int i) const { return answers_[static_cast<size_t>(i)]; }

  // Answers the current scored question and moves on.
  void AnswerScore(int score);
  // Toggles a reason tag on the current (tags) question; refuses beyond max_tags.
  bool ToggleTag(const std::string& tag_id);
  bool TagSelected(const std::string& tag_id) const;
  // The shopper's draft on the current (text) question, "" if none.
  const std::string& text() const;
  // Replaces the draft, kept to kMaxAnswerChars characters; "" clears the answer.
  // REQUIRES: !finished() && current().type == QuestionType::kText
  void SetText(std::string text);
  // Moves on from a tags or text question (keeping the selection or the text, trimmed; text
  // that is only white space counts as skipped) or skips an optional question.
  void Next();
  void Skip();
  void Back();
  bool CanGoNext() const;  // tags: something chosen; text: more than white space; or optional

  int answered() const;  // text answers count once they hold more than white space
  int64_t start_mono_ms() const { return start_mono_ms_; }

  FeedbackPayload ToFeedback(int64_t now_mono_ms) const;
  FeedbackAbandonedPayload ToAbandoned(int64_t now_mono_ms) const;

 private:
  std::vector<Answer> CollectAnswers() const;
  std::shared_ptr<const SurveyDefinition> survey_;
  std::vector<const Question*> questions_;  // shown questions (text only if free_text)
  std::vector<std::optional<Answer>> answers_;
  std::string language_;
  int index_ = 0;
  int64_t start_mono_ms_;
};

// Anti-spam: flags (never drops) sessions that follow the previous one too closely or are
// finished implausibly fast, as feedback terminals do. Times are monotonic ms.
class SpamGuard {
 public:
  explicit SpamGuard(int64_t window_ms) : window_ms_(window_ms) {}
  // The reason a session started at `start_ms` and submitted at `end_ms` is suspect, or "".
  std::string Check(int64_t start_ms, int64_t end_ms, int questions) const;
  void RecordSubmitted(int64_t end_ms) { last_end_ms_ = end_ms; }

 private:
  int64_t window_ms_;
  std::optional<int64_t> last_end_ms_;
};

// Camera-checked anti-spam (beyond SpamGuard): with a kiosk zone, a session during which the
// camera saw nobody in front of the screen (sampled at the start and at each answer) is flagged.
// Samples without a counting camera or without a kiosk zone are ignored; with none left,
// nothing is flagged.
class KioskPresenceCheck {
 public:
  void Sample(const std::optional<FeedbackContext>& context);
  // "nobody_at_kiosk: ..." when every usable sample saw nobody in the kiosk zone, else "".
  std::string Reason() const;

 private:
  int samples_ = 0;      // samples with a kiosk zone
  int with_person_ = 0;  // of those, with someone in it
};

}  // namespace touchpoint::ui
