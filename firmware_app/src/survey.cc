// The [survey] table: questions, translations, and the checks that keep a bad definition (from
// the config file or pushed from central) from ever reaching the shopper's screen.
#include <algorithm>
#include <set>

#include "config_sections.h"
#include "touchpoint/core/survey.h"

namespace touchpoint {

SurveyDefinition DefaultSurvey() {
  SurveyDefinition s;
  s.id = "default";
  s.version = 1;
  s.languages = {"en"};
  s.title = {{"en", "Tell us about your visit"}};
  s.thank_you = {{"en", "Thank you for your feedback!"}};
  Question csat;
  csat.id = "overall";
  csat.type = QuestionType::kCsat;
  csat.prompt = {{"en", "How was your visit today?"}};
  Question reasons;
  reasons.id = "reasons";
  reasons.type = QuestionType::kTags;
  reasons.prompt = {{"en", "What stood out?"}};
  reasons.optional = true;
  reasons.max_tags = 3;
  for (auto [id, label] : {std::pair{"staff", "Friendly staff"},
                           {"queue", "Waiting time"},
                           {"choice", "Product choice"},
                           {"price", "Prices"},
                           {"clean", "Cleanliness"}}) {
    reasons.tags.push_back(ReasonTag{id, {{"en", label}}});
  }
  Question nps;
  nps.id = "recommend";
  nps.type = QuestionType::kNps;
  nps.prompt = {{"en", "How likely are you to recommend us to a friend?"}};
  nps.low_label = {{"en", "Not likely"}};
  nps.high_label = {{"en", "Very likely"}};
  s.questions = {csat, reasons, nps};
  return s;
}

}  // namespace touchpoint

namespace touchpoint::config {

namespace {

bool IsLanguageTag(const std::string& s) {
  if (s.size() < 2 || s.size() > 35) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return s.front() != '-' && s.back() != '-';
}

// A table of language -> text that must cover every survey language.
void ReadTranslations(TableReader& r, const char* key, const std::vector<std::string>& languages,
                      bool required, Translations* out) {
  const toml::node* n = r.table().get(key);
  if (!n) {
    if (required) r.problems()->Add(r.table().source(), r.KeyPath(key) + ": missing (required)");
    r.MarkSeen(key);
    return;
  }
  if (n->is_string() && languages.size() == 1) {  // shorthand for single-language surveys
    r.String(key, &(*out)[languages.front()]);
    return;
  }
  const toml::table* t = r.Table(key);
  if (!t) return;
  Translations result;
  for (const auto& [lang, text] : *t) {
    std::string code(lang.str());
    if (!text.is_string()) {
      r.ErrorAt(text, r.KeyPath(key) + "." + code + ": expected a string");
      continue;
    }
    if (std::find(languages.begin(), languages.end(), code) == languages.end()) {
      r.ErrorAt(text, r.KeyPath(key) + "." + code + ": \"" + code +
                          "\" is not one of the survey's languages");
      continue;
    }
    result[code] = *text.value<std::string>();
  }
  for (const auto& lang : languages) {
    if (!result.count(lang)) r.Error(key, "missing the \"" + lang + "\" translation");
  }
  *out = std::move(result);
}

}  // namespace

void ReadSurvey(const toml::table& t, const std::string& path, Problems* p, SurveyDefinition* out) {
  TableReader r(t, path, p);
  SurveyDefinition s;
  s.title.clear();
  s.thank_you.clear();
  r.Identifier("id", &s.id, true);
  r.Int("version", &s.version, 0, INT32_MAX);
  r.StringArray("languages", &s.languages);
  if (s.languages.empty()) {
    r.Error("languages", "needs at least one language, e.g. [\"en\"]");
    s.languages = {"en"};
  }
  std::set<std::string> seen_langs;
  for (const auto& l : s.languages) {
    if (!IsLanguageTag(l))
      r.Error("languages", "\"" + l + "\" is not a language code like en or de-CH");
    if (!seen_langs.insert(l).second) r.Error("languages", "\"" + l + "\" is listed twice");
  }
  r.Bool("free_text", &s.free_text);
  ReadTranslations(r, "title", s.languages, false, &s.title);
  ReadTranslations(r, "thank_you", s.languages, false, &s.thank_you);
  for (const auto& lang : s.languages) {
    if (!s.thank_you.count(lang)) s.thank_you[lang] = "Thank you!";
  }

  const toml::array* questions = r.Array("questions");
  if (!questions || questions->empty()) {
    p->Add(questions ? questions->source() : t.source(),
           path + ".questions: a survey needs at least one question ([[" + path + ".questions]])");
  } else if (questions->size() > 20) {
    p->Add(questions->source(), path + ".questions: at most 20 questions");
  } else {
    std::set<std::string> ids;
    for (size_t i = 0; i < questions->size(); ++i) {
      const toml::node& n = *questions->get(i);
      std::string qpath = path + ".questions[" + std::to_string(i) + "]";
      if (!n.is_table()) {
        p->Add(n.source(), qpath + ": expected a table");
        continue;
      }
      TableReader qr(*n.as_table(), qpath, p);
      Question q;
      qr.Identifier("id", &q.id, true);
      if (!q.id.empty() && !ids.insert(q.id).second)
        qr.Error("id", "\"" + q.id + "\" is used twice");
      std::string type;
      if (!qr.table().get("type")) {
        p->Add(n.source(), qpath + ".type: missing (one of csat, nps, effort, tags, text)");
      }
      qr.String("type", &type);
      if (auto qt = ParseQuestionType(type)) {
        q.type = *qt;
      } else if (!type.empty()) {
        qr.Error("type", "\"" + type + "\" is not one of csat, nps, effort, tags, text");
      }
      ReadTranslations(qr, "prompt", s.languages, true, &q.prompt);
      // A shopper is never made to type: free text is optional unless `optional = false`.
      if (q.type == QuestionType::kText) q.optional = true;
      qr.Bool("optional", &q.optional);
      ReadTranslations(qr, "low_label", s.languages, false, &q.low_label);
      ReadTranslations(qr, "high_label", s.languages, false, &q.high_label);
      if (q.type == QuestionType::kText && !s.free_text) {
        qr.Error("type", "free-text questions are off (privacy); set " + path +
                             ".free_text = true to allow them");
      }
      if (q.type == QuestionType::kTags) {
        qr.Int("max_tags", &q.max_tags, 0, 64);
        const toml::array* tags = qr.Array("tags");
        if (!tags || tags->empty()) {
          p->Add(tags ? tags->source() : n.source(),
                 qpath + ".tags: a tags question needs at least one tag");
        } else {
          std::set<std::string> tag_ids;
          for (size_t k = 0; k < tags->size(); ++k) {
            const toml::node& tn = *tags->get(k);
            std::string tpath = qpath + ".tags[" + std::to_string(k) + "]";
            if (!tn.is_table()) {
              p->Add(tn.source(),
                     tpath + ": expected a table like { id = \"staff\", label = ... }");
              continue;
            }
            TableReader tr(*tn.as_table(), tpath, p);
            ReasonTag tag;
            tr.Identifier("id", &tag.id, true);
            if (!tag.id.empty() && !tag_ids.insert(tag.id).second) {
              tr.Error("id", "\"" + tag.id + "\" is used twice");
            }
            ReadTranslations(tr, "label", s.languages, true, &tag.label);
            tr.RejectUnknown();
            q.tags.push_back(std::move(tag));
          }
        }
      } else {
        for (const char* key : {"tags", "max_tags"}) {
          if (qr.table().get(key)) qr.Error(key, "only for questions of type tags");
          qr.MarkSeen(key);
        }
      }
      qr.RejectUnknown();
      s.questions.push_back(std::move(q));
    }
  }
  r.RejectUnknown();
  *out = std::move(s);
}

}  // namespace touchpoint::config
