// The thank-you screen. It always thanks the shopper; the small line underneath says "saved"
// only once the submission is durable, and that it could not be saved if the store failed
// (details on the dashboard).
#include <algorithm>
#include <cmath>

#include "i18n.h"
#include "screens.h"

namespace touchpoint::ui {

bool DrawThankYouScreen(const Frame& f, const ThankYouView& v) {
  BeginScreen(f, "thank_you", color::kBackground);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float u = f.u;
  bool tapped = HitArea(f, "finish", ImVec2(0, 0), f.size);
  ImVec2 c(f.size.x * 0.5f, f.size.y * (f.portrait() ? 0.33f : 0.3f));
  float r = u * 15.0f;
  dl->AddCircleFilled(c, r, color::kGood, 96);
  ImVec2 tick[] = {ImVec2(c.x - r * 0.45f, c.y + r * 0.02f),
                   ImVec2(c.x - r * 0.12f, c.y + r * 0.35f),
                   ImVec2(c.x + r * 0.5f, c.y - r * 0.32f)};
  dl->AddPolyline(tick, 3, color::kText, 0, r * 0.16f);
  float y = c.y + r + u * 6.0f;
  std::string title = Phrase(Phrase::kThankYou, v.language);
  y += TextWrappedCentered(f.fonts->title, f.fonts->title->FontSize * 1.2f, f.size.x * 0.5f, y,
                           f.size.x * 0.86f, color::kText, title);
  y += u * 3.0f;
  if (!v.message.empty()) {
    y += TextWrappedCentered(f.fonts->body, f.fonts->body->FontSize, f.size.x * 0.5f, y,
                             f.size.x * 0.8f, color::kMuted, v.message);
  }
  // Saved indicator: only for a durable submission.
  if (v.save == SaveState::kSaved) {
    TextCentered(f.fonts->small, f.fonts->small->FontSize, ImVec2(f.size.x * 0.5f, y + u * 6.0f),
                 color::kGood, Phrase(Phrase::kSaved, v.language));
  } else if (v.save == SaveState::kFailed) {
    ImVec2 at(f.size.x * 0.5f, y + u * 6.0f);
    TextCentered(f.fonts->small, f.fonts->small->FontSize, at, color::kWarn,
                 Phrase(Phrase::kCannotSave, v.language));
    ProbeTarget(f, "notice:cannot_save", ImVec2(0, at.y - u * 2.0f), ImVec2(f.size.x, u * 4.0f));
  } else if (v.save == SaveState::kSaving) {
    TextCentered(f.fonts->small, f.fonts->small->FontSize, ImVec2(f.size.x * 0.5f, y + u * 6.0f),
                 color::kMuted, Phrase(Phrase::kSaving, v.language));
  }
  // Time left before the kiosk returns to the attract screen.
  float w = f.size.x * 0.5f;
  ImVec2 p(f.size.x * 0.25f, f.size.y - u * 8.0f);
  dl->AddRectFilled(p, ImVec2(p.x + w, p.y + u * 1.0f), color::kPanelLight, u);
  dl->AddRectFilled(p, ImVec2(p.x + w * (1.0f - std::clamp(v.progress, 0.0f, 1.0f)), p.y + u),
                    color::kAccent, u);
  EndScreen();
  return tapped;
}

}  // namespace touchpoint::ui
