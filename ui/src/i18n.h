// Text for the shopper screens: survey texts come from the survey definition's translations;
// the few words of the UI's own chrome (Back, Next, ...) come from a small built-in table,
// English when a language is missing. Pure functions.
#pragma once

#include <string>

#include "touchpoint/core/survey.h"

namespace touchpoint::ui {

// The text for `lang`, else the survey's default language, else any, else "".
std::string Tr(const Translations& t, const std::string& lang, const std::string& fallback_lang);

enum class Phrase {
  kTapToStart,
  kBack,
  kNext,
  kSkip,
  kDone,
  kQuestionOf,  // "Question %d of %d"
  kThankYou,
  kSaved,
  kSaving,
  kCannotSave,  // attract and thank-you while the store cannot save (disk full, ...)
  kChooseAll,   // multi-select hint
  kUpTo,        // "Choose up to %d"
  kNotLikely,
  kVeryLikely,
  kVeryEasy,
  kVeryDifficult,
  kWelcome,      // attract subtitle
  kPrivacyHint,  // under a free-text answer
  kTypeHere,     // an empty free-text answer
};
const char* Phrase(Phrase p, const std::string& lang);

// The language's own name ("Deutsch"), or the code upper-cased.
std::string LanguageName(const std::string& code);

}  // namespace touchpoint::ui
