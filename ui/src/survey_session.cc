#include "survey_session.h"

#include <algorithm>

#include "text_entry.h"

namespace touchpoint::ui {

SurveySession::SurveySession(std::shared_ptr<const SurveyDefinition> survey, std::string language,
                             int64_t start_mono_ms)
    : survey_(std::move(survey)), language_(std::move(language)), start_mono_ms_(start_mono_ms) {
  for (const Question& q : survey_->questions) {
    if (q.type == QuestionType::kText && !survey_->free_text) continue;  // privacy default
    questions_.push_back(&q);
  }
  answers_.resize(questions_.size());
}

void SurveySession::AnswerScore(int score) {
  if (finished()) return;
  const Question& q = current();
  Answer a;
  a.question_id = q.id;
  a.type = q.type;
  if (auto range = ScoreRangeOf(q.type)) score = std::clamp(score, range->min, range->max);
  a.score = score;
  answers_[static_cast<size_t>(index_)] = a;
  ++index_;
}

bool SurveySession::ToggleTag(const std::string& tag_id) {
  if (finished()) return false;
  const Question& q = current();
  auto& slot = answers_[static_cast<size_t>(index_)];
  if (!slot) {
    slot = Answer{};
    slot->question_id = q.id;
    slot->type = q.type;
  }
  auto& tags = slot->tags;
  if (auto it = std::find(tags.begin(), tags.end(), tag_id); it != tags.end()) {
    tags.erase(it);
    return true;
  }
  if (q.max_tags > 0 && static_cast<int>(tags.size()) >= q.max_tags) return false;
  tags.push_back(tag_id);
  return true;
}

bool SurveySession::TagSelected(const std::string& tag_id) const {
  if (finished()) return false;
  const auto& slot = answers_[static_cast<size_t>(index_)];
  return slot && std::find(slot->tags.begin(), slot->tags.end(), tag_id) != slot->tags.end();
}

const std::string& SurveySession::text() const {
  static const std::string kEmpty;
  if (finished()) return kEmpty;
  const auto& slot = answers_[static_cast<size_t>(index_)];
  return slot ? slot->text : kEmpty;
}

void SurveySession::SetText(std::string text) {
  if (finished() || current().type != QuestionType::kText) return;
  auto& slot = answers_[static_cast<size_t>(index_)];
  if (text.empty()) {
    slot.reset();
    return;
  }
  std::string kept;
  AppendText(&kept, text, kMaxAnswerChars);
  slot = Answer{};
  slot->question_id = current().id;
  slot->type = QuestionType::kText;
  slot->text = std::move(kept);
}

namespace {
// Whether an answer says something: a score, a tag, or text beyond white space.
bool HasContent(const Answer& a) {
  if (a.type == QuestionType::kText) return !TrimWhitespace(a.text).empty();
  return a.score.has_value() || !a.tags.empty();
}
// The survey fields `feedback` and `feedback_abandoned` share.
template <typename Payload>
void FillSurveyFields(const SurveyDefinition& survey, const std::string& language,
                      int64_t duration_ms, std::vector<Answer> answers, Payload* p) {
  p->survey_id = survey.id;
  p->survey_version = survey.version;
  p->language = language;
  p->duration_ms = std::max<int64_t>(0, duration_ms);
  p->answers = std::move(answers);
}

}  // namespace

bool SurveySession::CanGoNext() const {
  if (finished()) return false;
  const auto& slot = answers_[static_cast<size_t>(index_)];
  return (slot && HasContent(*slot)) || current().optional;
}

void SurveySession::Next() {
  if (finished()) return;
  auto& slot = answers_[static_cast<size_t>(index_)];
  if (slot && slot->type == QuestionType::kText) slot->text = TrimWhitespace(slot->text);
  if (slot && !HasContent(*slot)) slot.reset();
  ++index_;
}

void SurveySession::Skip() {
  if (finished()) return;
  answers_[static_cast<size_t>(index_)].reset();
  ++index_;
}

void SurveySession::Back() {
  if (index_ > 0) --index_;
}

int SurveySession::answered() const {
  return static_cast<int>(std::count_if(answers_.begin(), answers_.end(), [](const auto& a) {
    return a.has_value() && (a->type != QuestionType::kText || HasContent(*a));
  }));
}

std::vector<Answer> SurveySession::CollectAnswers() const {
  std::vector<Answer> out;
  for (const auto& a : answers_) {
    if (!a) continue;
    if (a->type == QuestionType::kText) {
      // A draft (an abandoned session) is stored as typed, without the white space around it.
      Answer trimmed = *a;
      trimmed.text = TrimWhitespace(a->text);
      if (!trimmed.text.empty()) out.push_back(std::move(trimmed));
      continue;
    }
    out.push_back(*a);
  }
  return out;
}

FeedbackPayload SurveySession::ToFeedback(int64_t now_mono_ms) const {
  FeedbackPayload p;
  FillSurveyFields(*survey_, language_, now_mono_ms - start_mono_ms_, CollectAnswers(), &p);
  return p;
}

FeedbackAbandonedPayload SurveySession::ToAbandoned(int64_t now_mono_ms) const {
  FeedbackAbandonedPayload p;
  FillSurveyFields(*survey_, language_, now_mono_ms - start_mono_ms_, CollectAnswers(), &p);
  p.questions_total = total();
  p.questions_answered = answered();
  if (!questions_.empty()) {
    size_t shown = static_cast<size_t>(std::min(index_, total() - 1));
    p.last_question_id = questions_[shown]->id;
  }
  return p;
}

std::string SpamGuard::Check(int64_t start_ms, int64_t end_ms, int questions) const {
  if (last_end_ms_ && start_ms - *last_end_ms_ < window_ms_) {
    return "rapid_repeat: started " + std::to_string((start_ms - *last_end_ms_) / 1000) +
           " s after the previous session (window " + std::to_string(window_ms_ / 1000) + " s)";
  }
  // Reading and answering takes a person at least ~0.4 s per question.
  int64_t min_ms = 400LL * std::max(1, questions);
  if (end_ms - start_ms < min_ms) {
    return "too_fast: " + std::to_string(end_ms - start_ms) + " ms for " +
           std::to_string(questions) + " questions";
  }
  return "";
}

void KioskPresenceCheck::Sample(const std::optional<FeedbackContext>& context) {
  if (!context || !context->people_at_kiosk) return;
  ++samples_;
  if (*context->people_at_kiosk > 0) ++with_person_;
}

std::string KioskPresenceCheck::Reason() const {
  if (samples_ == 0 || with_person_ > 0) return "";
  return "nobody_at_kiosk: the camera saw nobody in front of the kiosk at the start or any of " +
         std::to_string(samples_ - 1) + " answers";
}

}  // namespace touchpoint::ui
