// The survey definition: which questions the shopper sees, in which languages. It comes from the
// [survey] section of the kiosk config, and later from central as a pushed TOML document with the
// same [survey] table (validated with the same code before it replaces the current one).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "touchpoint/core/event.h"

namespace touchpoint {

// Text per language code, e.g. {"en": "How was your visit?", "de": "Wie war Ihr Besuch?"}.
// Every survey language must be present.
using Translations = std::map<std::string, std::string>;

struct ReasonTag {
  std::string id;
  Translations label;
};

struct Question {
  std::string id;
  QuestionType type = QuestionType::kCsat;
  Translations prompt;
  bool optional = false;        // the shopper may skip it
  std::vector<ReasonTag> tags;  // kTags only
  int max_tags = 0;             // kTags: 0 = no limit
  // Labels of the scale ends (NPS/effort), optional.
  Translations low_label, high_label;
};

struct SurveyDefinition {
  std::string id = "default";
  int version = 1;
  std::vector<std::string> languages = {"en"};  // the first is the default
  bool free_text = false;  // privacy: text questions are refused unless enabled
  Translations title;
  Translations thank_you;
  std::vector<Question> questions;

  const std::string& default_language() const { return languages.front(); }
};

// The survey a kiosk starts with when its config has no [survey] section.
SurveyDefinition DefaultSurvey();

}  // namespace touchpoint

#include <memory>
#include <mutex>

namespace touchpoint {

// The survey in force. Central may replace it while the UI runs; the UI takes a snapshot at the
// start of each session, so a session never sees half of an update. Thread-safe.
class SurveySlot {
 public:
  explicit SurveySlot(SurveyDefinition initial)
      : current_(std::make_shared<const SurveyDefinition>(std::move(initial))) {}
  std::shared_ptr<const SurveyDefinition> Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return current_;
  }
  void Set(SurveyDefinition next) {
    auto p = std::make_shared<const SurveyDefinition>(std::move(next));
    std::lock_guard<std::mutex> lock(mu_);
    current_ = std::move(p);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const SurveyDefinition> current_;
};

}  // namespace touchpoint
