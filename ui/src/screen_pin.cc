// The manager's PIN prompt: a big keypad, dots for the digits typed, lockout message.
#include "screens.h"

namespace touchpoint::ui {

PinAction DrawPinScreen(const Frame& f, const PinView& v) {
  PinAction action;
  BeginScreen(f, "pin", color::kDark);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float u = f.u;
  float key = std::min(f.size.x / 4.2f, (f.size.y - u * 40.0f) / 4.8f);
  key = std::min(key, u * 22.0f);
  float gap = key * 0.12f;
  float pad_w = key * 3 + gap * 2;
  float pad_h = key * 4 + gap * 3;
  float top = u * 6.0f;
  TextCentered(f.fonts->title, f.fonts->title->FontSize, ImVec2(f.size.x * 0.5f, top + u * 3.0f),
               color::kText, v.heading);
  // Entered digits as dots (up to 8 slots).
  float dots_y = top + u * 13.0f;
  int slots = std::max(6, std::min(8, v.digits_entered));
  float dr = u * 1.6f, dgap = u * 5.0f;
  float dx = f.size.x * 0.5f - dgap * static_cast<float>(slots - 1) * 0.5f;
  for (int i = 0; i < slots; ++i) {
    ImVec2 c(dx + dgap * static_cast<float>(i), dots_y);
    if (i < v.digits_entered) {
      dl->AddCircleFilled(c, dr, color::kAccent, 24);
    } else {
      dl->AddCircle(c, dr, color::kMuted, 24, 2.0f);
    }
  }
  float msg_y = dots_y + u * 5.0f;
  if (!v.message.empty()) {
    TextCentered(f.fonts->small,
                 FitFontSize(f.fonts->small, f.fonts->small->FontSize, v.message, f.size.x * 0.9f),
                 ImVec2(f.size.x * 0.5f, msg_y), v.message_is_error ? color::kBad : color::kMuted,
                 v.message);
  }
  float x0 = f.size.x * 0.5f - pad_w * 0.5f;
  float y0 = std::max(msg_y + u * 5.0f, (f.size.y - pad_h) * 0.5f + u * 4.0f);
  const char* kKeys = "123456789<0>";
  for (int i = 0; i < 12; ++i) {
    char k = kKeys[i];
    ImVec2 pos(x0 + static_cast<float>(i % 3) * (key + gap),
               y0 + static_cast<float>(i / 3) * (key + gap));
    ButtonStyle st;
    st.font = f.fonts->huge;
    st.font_size = key * 0.45f;
    std::string label(1, k), target = std::string("key:") + k;
    if (k == '<') {
      label = "Del";
      target = "key:del";
      st.fill = color::kPanelLight;
      st.font = f.fonts->body;
      st.font_size = 0;
    } else if (k == '>') {
      label = "OK";
      target = "key:ok";
      st.fill = v.locked ? color::kPanelLight : color::kGood;
    } else {
      st.fill = color::kPanel;
    }
    if (BigButton(f, target, label, pos, ImVec2(key, key), st) && !v.locked) {
      if (k == '<') {
        action.kind = PinAction::kDelete;
      } else if (k == '>') {
        action.kind = PinAction::kEnter;
      } else {
        action.kind = PinAction::kDigit;
        action.digit = k;
      }
    }
  }
  ButtonStyle cancel;
  cancel.fill = color::kMuted;
  cancel.outline_only = true;
  float cw = pad_w, ch = u * 10.0f;
  float cy = std::min(f.size.y - ch - u * 3.0f, y0 + pad_h + u * 5.0f);
  if (BigButton(f, "cancel", "Cancel", ImVec2(f.size.x * 0.5f - cw * 0.5f, cy), ImVec2(cw, ch),
                cancel)) {
    action.kind = PinAction::kCancel;
  }
  EndScreen();
  return action;
}

}  // namespace touchpoint::ui
