// The attract screen: shown when idle; a touch anywhere starts a session.
#include <algorithm>
#include <cmath>

#include "i18n.h"
#include "screens.h"

namespace touchpoint::ui {

std::optional<std::string> DrawLanguageRow(const Frame& f, const std::vector<std::string>& langs,
                                           const std::string& current, ImVec2 pos, float width,
                                           float height) {
  if (langs.size() < 2) return std::nullopt;
  std::optional<std::string> chosen;
  float gap = f.u * 1.5f;
  float n = static_cast<float>(langs.size());
  float w = std::min(f.u * 24.0f, (width - gap * (n - 1)) / n);
  float x = pos.x + (width - (w * n + gap * (n - 1))) * 0.5f;
  for (const std::string& lang : langs) {
    ButtonStyle st;
    bool sel = lang == current;
    st.fill = sel ? color::kText : color::kPanelLight;
    st.text = sel ? color::kDark : color::kText;
    st.font = f.fonts->small;
    if (BigButton(f, "lang:" + lang, LanguageName(lang), ImVec2(x, pos.y), ImVec2(w, height), st)) {
      chosen = lang;
    }
    x += w + gap;
  }
  return chosen;
}

namespace {

// Progress through the current wave, 0..1, or 0 at rest.
float WaveProgress(double time_s) {
  double in_period = std::fmod(std::max(0.0, time_s), kAttractWavePeriodS);
  return in_period < kAttractWaveS ? static_cast<float>(in_period / kAttractWaveS) : 0.0f;
}

// 0 at rest, rising to 1 and back to 0 while `progress` crosses [start, start + length].
float Bump(float progress, float start, float length) {
  float x = (progress - start) / length;
  return x <= 0.0f || x >= 1.0f ? 0.0f : std::sin(x * 3.14159265f);
}

}  // namespace

double AttractStillForS(double time_s) {
  double in_period = std::fmod(std::max(0.0, time_s), kAttractWavePeriodS);
  return in_period < kAttractWaveS ? 0.0 : kAttractWavePeriodS - in_period;
}

AttractAction DrawAttractScreen(const Frame& f, const AttractView& v) {
  AttractAction action;
  BeginScreen(f, "attract", color::kBackground);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float u = f.u;
  // Everything above the language row is the start target.
  float lang_h = u * 9.0f;
  float lang_y = f.size.y - lang_h - u * 5.0f;
  if (HitArea(f, "start", ImVec2(0, 0), ImVec2(f.size.x, lang_y - u * 2.0f))) action.start = true;

  // A row of faces as a hint of what is coming; in a wave each hops in turn.
  const float wave = WaveProgress(f.time_s);
  float face_r = std::min(f.size.x / 13.0f, u * 8.0f);
  float cy = f.size.y * (f.portrait() ? 0.3f : 0.22f);
  for (int i = 0; i < 5; ++i) {
    float cx = f.size.x * 0.5f + static_cast<float>(i - 2) * face_r * 2.5f;
    float hop = Bump(wave, static_cast<float>(i) * 0.12f, 0.5f) * face_r * 0.15f;
    DrawFace(dl, ImVec2(cx, cy - hop), face_r, i + 1, false);
  }
  float wrap = f.size.x * 0.86f;
  float y = cy + face_r * 2.0f;
  y += TextWrappedCentered(f.fonts->title, f.fonts->title->FontSize * 1.1f, f.size.x * 0.5f, y,
                           wrap, color::kText, v.title);
  y += u * 3.0f;
  y += TextWrappedCentered(f.fonts->body, f.fonts->body->FontSize, f.size.x * 0.5f, y, wrap,
                           color::kMuted, Phrase(Phrase::kWelcome, v.language));

  // The call to action swells once in a wave.
  float pulse = Bump(wave, 0.0f, 1.0f);
  float cta_w = std::min(f.size.x * 0.84f, u * 90.0f), cta_h = u * 13.0f;
  float cta_y =
      f.portrait() ? std::max(y + u * 24.0f, f.size.y * 0.62f) : lang_y - cta_h - u * 6.0f;
  ImVec2 cta(f.size.x * 0.5f - cta_w * 0.5f, std::min(cta_y, lang_y - cta_h - u * 4.0f));
  float grow = pulse * u * 0.8f;
  FillRect(dl, ImVec2(cta.x - grow, cta.y - grow),
           ImVec2(cta.x + cta_w + grow, cta.y + cta_h + grow), color::kAccent, u * 3.0f);
  const std::string cta_text = Phrase(Phrase::kTapToStart, v.language);
  TextCentered(f.fonts->body,
               FitFontSize(f.fonts->body, f.fonts->body->FontSize, cta_text, cta_w * 0.9f),
               ImVec2(f.size.x * 0.5f, cta.y + cta_h * 0.5f), color::kDark, cta_text);

  if (v.cannot_save) {
    // Degraded kiosk (disk full, ...): the shopper may still answer, but is told the truth.
    const std::string notice = Phrase(Phrase::kCannotSave, v.language);
    float size = FitFontSize(f.fonts->body, f.fonts->body->FontSize, notice, f.size.x * 0.9f);
    ImVec2 at(f.size.x * 0.5f, u * 6.0f);
    TextCentered(f.fonts->body, size, at, color::kWarn, notice);
    ProbeTarget(f, "notice:cannot_save", ImVec2(f.size.x * 0.05f, at.y - size * 0.5f),
                ImVec2(f.size.x * 0.9f, size));
  }

  if (auto lang = DrawLanguageRow(f, v.languages, v.language, ImVec2(u * 4.0f, lang_y),
                                  f.size.x - u * 8.0f, lang_h)) {
    action.language = lang;
    action.start = false;
  }
  EndScreen();
  return action;
}

}  // namespace touchpoint::ui
