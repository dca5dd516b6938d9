// A survey question: 5-face CSAT, NPS 0-10, effort 1-7, multi-select reason tags or free text
// (its body in screen_text_question.cc), with the progress bar, language switch, back and
// skip/next.
#include <algorithm>
#include <cstdio>

#include "i18n.h"
#include "screens.h"
#include "touchpoint/ui/ui_probe.h"

namespace touchpoint::ui {

namespace {

std::string Format(const char* fmt, int a, int b = 0) {
  char buf[128];
  std::snprintf(buf, sizeof buf, fmt, a, b);
  return buf;
}

// Score buttons in rows, coloured along the scale. Returns the tapped score or -1.
int ScoreGrid(const Frame& f, const Question& q, const std::optional<Answer>& prev, int min,
              int max, ImVec2 pos, float width, int per_row, bool nps) {
  int tapped = -1;
  int n = max - min + 1;
  float gap = f.u * 1.6f;
  float w = (width - gap * static_cast<float>(per_row - 1)) / static_cast<float>(per_row);
  float h = std::min(w * 1.1f, f.u * 16.0f);
  int rows = (n + per_row - 1) / per_row;
  for (int i = 0; i < n; ++i) {
    int row = i / per_row, col = i % per_row;
    int in_row = std::min(per_row, n - row * per_row);
    float row_w = w * static_cast<float>(in_row) + gap * static_cast<float>(in_row - 1);
    float x = pos.x + (width - row_w) * 0.5f + static_cast<float>(col) * (w + gap);
    float y = pos.y + static_cast<float>(row) * (h + gap);
    int score = min + i;
    ButtonStyle st;
    st.fill = nps ? NpsColor(score) : ScoreColor(max - (score - min), min, max);
    st.font = f.fonts->huge;
    st.font_size = std::min(f.fonts->huge->FontSize, h * 0.6f);
    st.selected = prev && prev->score == score;
    if (BigButton(f, "score:" + std::to_string(score), std::to_string(score), ImVec2(x, y),
                  ImVec2(w, h), st)) {
      tapped = score;
    }
  }
  (void)q;
  (void)rows;
  return tapped;
}

float GridHeight(const Frame& f, int n, float width, int per_row) {
  float gap = f.u * 1.6f;
  float w = (width - gap * static_cast<float>(per_row - 1)) / static_cast<float>(per_row);
  float h = std::min(w * 1.1f, f.u * 16.0f);
  int rows = (n + per_row - 1) / per_row;
  return static_cast<float>(rows) * h + static_cast<float>(rows - 1) * gap;
}

void ScaleLabels(const Frame& f, ImVec2 pos, float width, const std::string& low,
                 const std::string& high) {
  ImFont* font = f.fonts->small;
  float fs = font->FontSize * 1.1f;
  float half = width * 0.48f;
  fs = std::min(FitFontSize(font, fs, low, half), FitFontSize(font, fs, high, half));
  TextAt(font, fs, pos, color::kMuted, low);
  const std::string& h = high;
  TextAt(font, fs, ImVec2(pos.x + width - TextSize(font, fs, h).x, pos.y), color::kMuted, h);
}

}  // namespace

QuestionAction DrawQuestionScreen(const Frame& f, const SurveySession& s,
                                  const std::string& fallback, const KeyboardState& keyboard) {
  QuestionAction action;
  const Question& q = s.current();
  const std::string& lang = s.language();
  const SurveyDefinition& survey = s.survey();
  float u = f.u;
  BeginScreen(f, "question", color::kBackground);
  if (f.probe != nullptr) f.probe->AddTarget("question:" + q.id, TargetRect{});
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float margin = u * 5.0f;
  float content_w = f.size.x - 2 * margin;

  // ---- top bar: progress and language ----
  float bar_y = u * 4.0f;
  std::string progress = Format(Phrase(Phrase::kQuestionOf, lang), s.index() + 1, s.total());
  TextAt(f.fonts->body, f.fonts->body->FontSize * 0.85f, ImVec2(margin, bar_y), color::kMuted,
         progress);
  if (survey.languages.size() > 1) {
    auto it = std::find(survey.languages.begin(), survey.languages.end(), lang);
    size_t next =
        it == survey.languages.end()
            ? 0
            : static_cast<size_t>(it - survey.languages.begin() + 1) % survey.languages.size();
    ButtonStyle st;
    st.fill = color::kPanelLight;
    st.font = f.fonts->small;
    float w = u * 26.0f, h = u * 8.0f;
    if (BigButton(f, "language", LanguageName(lang), ImVec2(f.size.x - margin - w, bar_y - u),
                  ImVec2(w, h), st)) {
      action = {QuestionAction::kLanguage, 0, "", survey.languages[next], {}};
    }
  }
  float track_y = bar_y + u * 8.5f;
  dl->AddRectFilled(ImVec2(margin, track_y), ImVec2(margin + content_w, track_y + u * 1.4f),
                    color::kPanelLight, u);
  float done = static_cast<float>(s.index()) / static_cast<float>(std::max(1, s.total()));
  dl->AddRectFilled(ImVec2(margin, track_y),
                    ImVec2(margin + std::max(u * 1.4f, content_w * done), track_y + u * 1.4f),
                    color::kAccent, u);
  if (q.type == QuestionType::kText) {
    DrawTextQuestion(f, s, keyboard, fallback, track_y + u * 1.4f, &action);
    EndScreen();
    return action;
  }

  // ---- the prompt ----
  float y = track_y + u * (f.portrait() ? 10.0f : 5.0f);
  y += TextWrappedCentered(f.fonts->title, f.fonts->title->FontSize, f.size.x * 0.5f, y, content_w,
                           color::kText, Tr(q.prompt, lang, fallback));
  y += u * (f.portrait() ? 8.0f : 4.0f);

  // ---- the answers ----
  float bottom_h = u * 11.0f;
  float bottom_y = f.size.y - bottom_h - u * 4.0f;
  const auto& prev = s.answer(s.index());
  switch (q.type) {
    case QuestionType::kCsat: {
      float avail_h = bottom_y - y - u * 4.0f;
      float r = std::min({content_w / 5.0f * 0.42f, avail_h * 0.45f, u * 11.0f});
      float step = content_w / 5.0f;
      float cy = y + r * 1.2f;
      for (int i = 0; i < 5; ++i) {
        int score = i + 1;
        ImVec2 c(margin + step * (static_cast<float>(i) + 0.5f), cy);
        bool sel = prev && prev->score == score;
        ImVec2 p0(c.x - step * 0.5f, c.y - r * 1.2f);
        if (HitArea(f, "score:" + std::to_string(score), p0, ImVec2(step, r * 2.4f))) {
          action = {QuestionAction::kScore, score, "", "", {}};
        }
        float rr = ImGui::IsItemActive() ? r * 0.92f : r;
        DrawFace(dl, c, rr, score, sel);
      }
      break;
    }
    case QuestionType::kNps: {
      int per_row = f.portrait() ? 6 : 11;
      float gh = GridHeight(f, 11, content_w, per_row);
      int t = ScoreGrid(f, q, prev, 0, 10, ImVec2(margin, y), content_w, per_row, true);
      if (t >= 0) action = {QuestionAction::kScore, t, "", "", {}};
      std::string low = Tr(q.low_label, lang, fallback), high = Tr(q.high_label, lang, fallback);
      if (low.empty()) low = Phrase(Phrase::kNotLikely, lang);
      if (high.empty()) high = Phrase(Phrase::kVeryLikely, lang);
      ScaleLabels(f, ImVec2(margin, y + gh + u * 2.0f), content_w, low, high);
      break;
    }
    case QuestionType::kEffort: {
      float gh = GridHeight(f, 7, content_w, 7);
      int t = ScoreGrid(f, q, prev, 1, 7, ImVec2(margin, y), content_w, 7, false);
      if (t >= 0) action = {QuestionAction::kScore, t, "", "", {}};
      std::string low = Tr(q.low_label, lang, fallback), high = Tr(q.high_label, lang, fallback);
      if (low.empty()) low = Phrase(Phrase::kVeryDifficult, lang);
      if (high.empty()) high = Phrase(Phrase::kVeryEasy, lang);
      ScaleLabels(f, ImVec2(margin, y + gh + u * 2.0f), content_w, low, high);
      break;
    }
    case QuestionType::kText:  // drawn by DrawTextQuestion above
    case QuestionType::kTags: {
      std::string hint = q.max_tags > 0 ? Format(Phrase(Phrase::kUpTo, lang), q.max_tags)
                                        : Phrase(Phrase::kChooseAll, lang);
      TextCentered(f.fonts->small, f.fonts->small->FontSize * 1.1f,
                   ImVec2(f.size.x * 0.5f, y - u * 3.0f), color::kMuted, hint);
      int cols = f.portrait() ? 2 : 3;
      float gap = u * 2.0f;
      float w = (content_w - gap * static_cast<float>(cols - 1)) / static_cast<float>(cols);
      int rows = (static_cast<int>(q.tags.size()) + cols - 1) / cols;
      float avail = bottom_y - y - u * 3.0f;
      float h = std::min(u * 13.0f, (avail - gap * static_cast<float>(rows - 1)) /
                                        static_cast<float>(std::max(1, rows)));
      for (size_t i = 0; i < q.tags.size(); ++i) {
        const ReasonTag& tag = q.tags[i];
        float x = margin + static_cast<float>(static_cast<int>(i) % cols) * (w + gap);
        float ty = y + static_cast<float>(static_cast<int>(i) / cols) * (h + gap);
        bool sel = s.TagSelected(tag.id);
        ButtonStyle st;
        st.fill = sel ? color::kPrimary : color::kPanelLight;
        st.selected = sel;
        std::string label = Tr(tag.label, lang, fallback);
        if (BigButton(f, "tag:" + tag.id, label, ImVec2(x, ty), ImVec2(w, h), st)) {
          action = {QuestionAction::kToggleTag, 0, tag.id, "", {}};
        }
      }
      break;
    }
  }

  // ---- bottom bar: back, skip / next ----
  float bw = std::min(u * 34.0f, content_w * 0.4f);
  if (s.index() > 0) {
    ButtonStyle st;
    st.fill = color::kMuted;
    st.outline_only = true;
    if (BigButton(f, "back", std::string("‹ ") + Phrase(Phrase::kBack, lang),
                  ImVec2(margin, bottom_y), ImVec2(bw, bottom_h), st)) {
      action = {QuestionAction::kBack, 0, "", "", {}};
    }
  }
  ImVec2 right_pos(f.size.x - margin - bw, bottom_y);
  bool last = s.index() + 1 >= s.total();
  if (q.type == QuestionType::kTags) {
    bool can = s.CanGoNext();
    ButtonStyle st;
    st.fill = can ? color::kGood : color::kPanelLight;
    st.text = can ? color::kText : color::kMuted;
    std::string label = std::string(Phrase(last ? Phrase::kDone : Phrase::kNext, lang)) + " ›";
    if (BigButton(f, "next", label, right_pos, ImVec2(bw, bottom_h), st) && can) {
      action = {QuestionAction::kNext, 0, "", "", {}};
    }
  } else if (q.optional) {
    ButtonStyle st;
    st.fill = color::kMuted;
    st.outline_only = true;
    if (BigButton(f, "skip", Phrase(Phrase::kSkip, lang), right_pos, ImVec2(bw, bottom_h), st)) {
      action = {QuestionAction::kSkip, 0, "", "", {}};
    }
  }
  EndScreen();
  return action;
}

}  // namespace touchpoint::ui
