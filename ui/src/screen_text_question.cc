// The free-text question's body: the prompt, a text area with a caret and a character counter,
// the privacy hint, a large on-screen keyboard (letters in the language's layout under a row of
// its accented letters, a layer of digits and punctuation, a layer of accented letters; Latin
// letters behind a script key for Cyrillic and Greek) and back / skip-or-next. A physical keyboard
// types too (SDL text input through ImGui).
//
// Portrait: the text area under the prompt, the keyboard above the buttons at the bottom.
// Landscape: back, the text area and next share one row under the prompt; the keyboard fills the
// rest. Keys are ImGui geometry on the keyboard's base-layer strip: one draw call, like every
// screen (docs/ui.md, Performance).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "i18n.h"
#include "screens.h"
#include "touchpoint/ui/ui_probe.h"

namespace touchpoint::ui {

namespace {

// Holding backspace: after kRepeatDelayS one erase every kRepeatEveryS (frames run at 60 fps
// while a finger is down).
constexpr float kRepeatDelayS = 0.5f;
constexpr float kRepeatEveryS = 0.1f;

// ---- icons drawn as geometry (the font has no ⇧ or ⌫) ----

void ShiftIcon(ImDrawList* dl, ImVec2 c, float s, ImU32 col, bool filled, bool locked) {
  float head = s * 0.5f, stem = s * 0.2f;
  ImVec2 pts[7] = {{c.x, c.y - s * 0.5f},
                   {c.x + head, c.y},
                   {c.x + stem, c.y},
                   {c.x + stem, c.y + s * 0.35f},
                   {c.x - stem, c.y + s * 0.35f},
                   {c.x - stem, c.y},
                   {c.x - head, c.y}};
  if (filled) {
    dl->AddTriangleFilled(pts[0], pts[1], pts[6], col);
    dl->AddRectFilled(ImVec2(c.x - stem, c.y - 0.5f), ImVec2(c.x + stem, c.y + s * 0.35f), col);
  } else {
    dl->AddPolyline(pts, 7, col, ImDrawFlags_Closed, std::max(1.5f, s * 0.07f));
  }
  if (locked) {
    dl->AddRectFilled(ImVec2(c.x - stem, c.y + s * 0.45f), ImVec2(c.x + stem, c.y + s * 0.55f),
                      col);
  }
}

void BackspaceIcon(ImDrawList* dl, ImVec2 c, float s, ImU32 col) {
  float w = s * 1.1f, h = s * 0.7f, t = std::max(1.5f, s * 0.07f);
  float x0 = c.x - w * 0.5f, x1 = c.x + w * 0.5f;
  ImVec2 pts[5] = {{x0, c.y},
                   {x0 + h * 0.5f, c.y - h * 0.5f},
                   {x1, c.y - h * 0.5f},
                   {x1, c.y + h * 0.5f},
                   {x0 + h * 0.5f, c.y + h * 0.5f}};
  dl->AddPolyline(pts, 5, col, ImDrawFlags_Closed, t);
  float xc = (x0 + h * 0.5f + x1) * 0.5f, d = h * 0.2f;
  dl->AddLine(ImVec2(xc - d, c.y - d), ImVec2(xc + d, c.y + d), col, t);
  dl->AddLine(ImVec2(xc - d, c.y + d), ImVec2(xc + d, c.y - d), col, t);
}

void SpaceIcon(ImDrawList* dl, ImVec2 c, float s, ImU32 col) {
  float w = s * 0.9f, h = s * 0.22f;
  ImVec2 pts[4] = {{c.x - w, c.y - h}, {c.x - w, c.y + h}, {c.x + w, c.y + h}, {c.x + w, c.y - h}};
  dl->AddPolyline(pts, 4, col, 0, std::max(1.5f, s * 0.07f));
}

// ---- the keyboard ----

// The keys: each row is one base-layer band (a clear) in the key colour, cut into keys by dark
// gaps and rounded by small non-anti-aliased corner fillets; only special, pressed and toggled
// keys get their own fill. Measured with llvmpipe (CPU per frame, 1080x1920 / 540x960): keys as
// rounded ImGui rectangles ~+11 / +4 ms (0.6 Mpx shaded, AA fringes); as one clear each +5 /
// +10 ms (each scissored clear has a fixed cost); anti-aliased fillets alone +2 / +4 ms (many
// thin triangles). Bands, gaps and plain fillets: ~+4 / +1.5 ms.
void DrawKeyboard(const Frame& f, const KeyboardState& kb, const std::string& lang, ImVec2 pos,
                  ImVec2 size, std::vector<KeyDef>* pressed) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImGuiIO& io = ImGui::GetIO();
  std::vector<KeyRow> rows = KeyboardRows(lang, kb.layer, kb.latin);
  float unit = size.x / 10.0f;
  float row_h = size.y / static_cast<float>(rows.size());
  float gap = std::round(std::max(3.0f, std::min(unit, row_h) * 0.12f));
  float key_h = row_h - gap;
  float rounding = std::min(unit, key_h) * 0.16f;
  ImFont* font = f.fonts->body;
  float fs = std::min(font->FontSize * 1.1f, key_h * 0.5f);
  float icon = std::min(key_h, unit) * 0.5f;
  for (size_t r = 0; r < rows.size(); ++r) {
    const KeyRow& row = rows[r];
    float units = 0;
    for (const KeyDef& k : row) units += k.width;
    float row_x0 = pos.x + (10.0f - units) * unit * 0.5f + gap * 0.5f;
    float y = std::round(pos.y + static_cast<float>(r) * row_h + gap * 0.5f);
    FillRect(dl, ImVec2(row_x0, y), ImVec2(row_x0 + units * unit - gap, y + key_h),
             color::kPanelLight);
    float x = row_x0;
    for (size_t i = 0; i < row.size(); ++i) {
      const KeyDef& k = row[i];
      ImVec2 kp(std::round(x), y);
      x += k.width * unit;
      ImVec2 ke(std::round(x - gap), y + key_h);
      ImVec2 ks(ke.x - kp.x, ke.y - kp.y);
      bool clicked = HitArea(f, KeyTarget(k), kp, ks);
      bool held = ImGui::IsItemActive();
      ImU32 fill = color::kPanelLight;
      ImU32 ink = color::kText;
      switch (k.kind) {
        case KeyDef::kShift:
          fill = kb.shift == ShiftState::kOff    ? color::kPanel
                 : kb.shift == ShiftState::kOnce ? color::kPrimary
                                                 : color::kAccent;
          if (kb.shift == ShiftState::kLocked) ink = color::kDark;
          break;
        case KeyDef::kBackspace:
        case KeyDef::kLayer:
        case KeyDef::kScript:
          fill = color::kPanel;
          break;
        default:
          break;
      }
      if (held) fill = Darken(fill, 0.7f);
      if (fill != color::kPanelLight) dl->AddRectFilled(kp, ke, fill);
      if (i + 1 < row.size()) {
        dl->AddRectFilled(ImVec2(ke.x, y), ImVec2(std::round(x), y + key_h), color::kDark);
      }
      RoundCorners(dl, kp, ke, rounding, color::kDark);
      ImVec2 c(kp.x + ks.x * 0.5f, kp.y + ks.y * 0.5f);
      switch (k.kind) {
        case KeyDef::kChar: {
          std::string label = KeyLabel(k, lang, kb);
          TextCentered(font, FitFontSize(font, fs, label, ks.x * 0.9f), c, ink, label);
          break;
        }
        case KeyDef::kLayer:
        case KeyDef::kScript: {
          std::string label = KeyLabel(k, lang, kb);
          TextCentered(font, FitFontSize(font, fs * 0.85f, label, ks.x * 0.9f), c, ink, label);
          break;
        }
        case KeyDef::kShift:
          ShiftIcon(dl, c, icon, ink, kb.shift != ShiftState::kOff,
                    kb.shift == ShiftState::kLocked);
          break;
        case KeyDef::kSpace:
          SpaceIcon(dl, c, icon, color::kMuted);
          break;
        case KeyDef::kBackspace: {
          BackspaceIcon(dl, c, icon, ink);
          // A tap erases on release; a held key repeats (and its release adds nothing of its
          // own). Repeats follow ImGui's hold time frame by frame; at the release the hold is
          // the time between the press and release events, so a hold over frames that stalled
          // (a busy machine) repeats as long as the finger was down instead of reading as a tap.
          auto ticks = [](float t) {
            return t < kRepeatDelayS
                       ? -1
                       : static_cast<int>(std::floor((t - kRepeatDelayS) / kRepeatEveryS));
          };
          bool released = ImGui::IsItemDeactivated() && f.released_hold_s >= 0;
          float hold_s = io.MouseDownDurationPrev[0];
          if (released) hold_s = std::max(hold_s, f.released_hold_s);
          clicked = clicked && hold_s < kRepeatDelayS;
          int n = 0;
          if (held && io.MouseDownDuration[0] >= kRepeatDelayS) {
            n = ticks(io.MouseDownDuration[0]) - ticks(io.MouseDownDurationPrev[0]);
          } else if (released) {
            n = ticks(hold_s) - ticks(io.MouseDownDurationPrev[0]);  // repeats due, not yet made
          }
          for (int j = 0; j < n; ++j) pressed->push_back(k);
          break;
        }
        case KeyDef::kText:
          break;
      }
      if (clicked) pressed->push_back(k);
    }
  }
}

// What a physical keyboard typed this frame.
void PhysicalKeys(std::vector<KeyDef>* pressed) {
  const ImGuiIO& io = ImGui::GetIO();
  if (!io.InputQueueCharacters.empty()) {
    KeyDef typed{KeyDef::kText, ""};
    for (ImWchar c : io.InputQueueCharacters) typed.text += EncodeUtf8(c);
    pressed->push_back(typed);
  }
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Backspace))) {
    pressed->push_back(KeyDef{KeyDef::kBackspace, ""});
  }
}

// Left-aligned text wrapped to `width`, at most `max_lines` lines. Returns the height used.
float TextWrappedLeft(ImFont* font, float size, ImVec2 pos, float width, ImU32 col,
                      const std::string& text, int max_lines) {
  const char* s = text.c_str();
  const char* end = s + text.size();
  float y = pos.y;
  for (int line = 0; s < end && line < max_lines; ++line) {
    const char* e = font->CalcWordWrapPositionA(size / font->FontSize, s, end, width);
    if (e == s) e = end;
    ImGui::GetWindowDrawList()->AddText(font, size, ImVec2(pos.x, y), col, s, e);
    y += size * 1.2f;
    s = e;
    while (s < end && *s == ' ') ++s;
  }
  return y - pos.y;
}

// The typed text, wrapped, its last lines when it is longer than the box, with the caret after
// the last character (blinking from `caret_since_s`, frames run at least at 10 fps).
void TextArea(const Frame& f, ImVec2 pos, ImVec2 size, const std::string& text,
              const std::string& placeholder, double caret_since_s) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float u = f.u;
  ImVec2 end(pos.x + size.x, pos.y + size.y);
  float rounding = u * 1.5f;
  FillRect(dl, pos, end, color::kPanel, rounding);
  dl->AddRect(pos, end, color::kPrimary, rounding, 0, std::max(2.0f, u * 0.4f));
  if (f.probe != nullptr) f.probe->AddTarget("text", TargetRect{pos.x, pos.y, size.x, size.y});
  ImFont* font = f.fonts->body;
  float fs = font->FontSize;
  float pad = u * 2.0f;
  float inner_w = size.x - 2 * pad;
  float line_h = fs * 1.2f;
  int max_lines = std::max(1, static_cast<int>((size.y - 2 * pad + fs * 0.2f) / line_h));
  std::vector<std::pair<const char*, const char*>> lines;
  const char* s = text.c_str();
  const char* text_end = s + text.size();
  while (s < text_end) {
    const char* e = font->CalcWordWrapPositionA(1.0f, s, text_end, inner_w);
    if (e == s) e = text_end;
    lines.emplace_back(s, e);
    s = e;
    // A wrap drops the blanks at the break, unless only blanks follow (the caret goes after
    // them).
    const char* t = s;
    while (t < text_end && *t == ' ') ++t;
    if (t < text_end)
      s = t;
    else if (s < text_end) {
      lines.back().second = text_end;
      break;
    }
  }
  if (lines.empty()) lines.emplace_back(s, s);
  size_t first = lines.size() > static_cast<size_t>(max_lines)
                     ? lines.size() - static_cast<size_t>(max_lines)
                     : 0;
  float y = pos.y + pad;
  float x = pos.x + pad;
  if (text.empty()) {
    float pfs = FitFontSize(font, fs, placeholder, inner_w - u * 2.0f);
    TextAt(font, pfs, ImVec2(x + u * 1.0f, y), color::kMuted, placeholder);
  }
  float caret_x = x;
  for (size_t i = first; i < lines.size(); ++i) {
    dl->AddText(font, fs, ImVec2(x, y), color::kText, lines[i].first, lines[i].second);
    if (i + 1 < lines.size()) y += line_h;
  }
  if (!text.empty()) {
    caret_x += font->CalcTextSizeA(fs, FLT_MAX, 0, lines.back().first, lines.back().second).x;
  }
  caret_x = std::min(caret_x + 1.0f, end.x - pad * 0.5f);
  if (std::fmod(std::max(0.0, f.time_s - caret_since_s), 1.0) < 0.6) {
    dl->AddRectFilled(ImVec2(caret_x, y), ImVec2(caret_x + std::max(2.0f, u * 0.4f), y + fs * 1.1f),
                      color::kAccent);
  }
}

}  // namespace

void DrawTextQuestion(const Frame& f, const SurveySession& s, const KeyboardState& keyboard,
                      const std::string& fallback, float top, QuestionAction* action) {
  const Question& q = s.current();
  const std::string& lang = s.language();
  float u = f.u;
  bool portrait = f.portrait();
  float margin = u * 5.0f;
  float content_w = f.size.x - 2 * margin;
  ImDrawList* dl = ImGui::GetWindowDrawList();

  // ---- the prompt ----
  ImFont* title = f.fonts->title;
  float title_fs = title->FontSize * (portrait ? 1.0f : 0.8f);
  float y = top + u * (portrait ? 6.0f : 3.0f);
  y += TextWrappedCentered(title, title_fs, f.size.x * 0.5f, y, content_w, color::kText,
                           Tr(q.prompt, lang, fallback));
  y += u * (portrait ? 3.0f : 2.0f);

  // ---- layout ----
  ImFont* small = f.fonts->small;
  float sfs = small->FontSize;
  float line_h = f.fonts->body->FontSize * 1.2f;
  float btn_h = u * 11.0f;
  float bw = portrait ? std::min(u * 34.0f, content_w * 0.4f) : u * 22.0f;
  ImVec2 back_pos, next_pos, btn_size(bw, btn_h), text_pos, text_size, kb_pos, kb_size;
  float hint_y = 0;
  if (portrait) {
    float bottom_y = f.size.y - btn_h - u * 4.0f;
    back_pos = ImVec2(margin, bottom_y);
    next_pos = ImVec2(f.size.x - margin - bw, bottom_y);
    float kb_w = f.size.x - u * 3.0f;
    float row_h = std::min(u * 16.0f, kb_w / 10.0f * 1.6f);
    kb_size = ImVec2(kb_w, row_h * 5.0f);
    kb_pos = ImVec2(u * 1.5f, bottom_y - u * 3.0f - kb_size.y);
    float hint_h = sfs * 2.4f;
    float text_h = kb_pos.y - u * 4.5f - hint_h - y;
    text_h = std::clamp(text_h, line_h * 2.0f + u * 4.0f, line_h * 5.0f + u * 4.0f);
    text_pos = ImVec2(margin, y);
    text_size = ImVec2(content_w, text_h);
    hint_y = y + text_h + u * 1.5f;
  } else {
    float row_h = std::max(u * 12.0f, line_h * 2.0f + u * 4.0f);  // two lines of text
    btn_size.y = row_h;
    back_pos = ImVec2(margin, y);
    next_pos = ImVec2(f.size.x - margin - bw, y);
    text_pos = ImVec2(margin + bw + u * 2.0f, y);
    text_size = ImVec2(content_w - 2 * bw - u * 4.0f, row_h);
    hint_y = y + row_h + u * 1.2f;
    float kb_top = hint_y + sfs * 1.3f + u * 1.5f;
    kb_pos = ImVec2(u * 1.5f, kb_top);
    kb_size = ImVec2(f.size.x - u * 3.0f, f.size.y - u * 1.5f - kb_top);
  }

  // ---- the text, its counter and the privacy hint ----
  const std::string& text = s.text();
  TextArea(f, text_pos, text_size, text, Phrase(Phrase::kTypeHere, lang), keyboard.last_key_s);
  int count = CharCount(text);
  char counter[32];
  std::snprintf(counter, sizeof counter, "%d / %d", count, kMaxAnswerChars);
  ImU32 counter_col = count >= kMaxAnswerChars            ? color::kBad
                      : count * 10 >= kMaxAnswerChars * 9 ? color::kWarn
                                                          : color::kMuted;
  float cw = TextSize(small, sfs, counter).x;
  TextAt(small, sfs, ImVec2(text_pos.x + text_size.x - cw, hint_y), counter_col, counter);
  float icon_r = sfs * 0.5f;
  ImVec2 icon_c(text_pos.x + icon_r, hint_y + sfs * 0.55f);
  dl->AddCircleFilled(icon_c, icon_r, color::kAccent, 16);
  TextCentered(small, sfs * 0.8f, icon_c, color::kDark, "i");
  float hint_x = icon_c.x + icon_r + u * 1.0f;
  float hint_w = text_pos.x + text_size.x - cw - u * 2.0f - hint_x;
  std::string hint = Phrase(Phrase::kPrivacyHint, lang);
  float hfs = portrait ? sfs : FitFontSize(small, sfs, hint, hint_w);
  TextWrappedLeft(small, hfs, ImVec2(hint_x, hint_y), hint_w, color::kText, hint, 2);

  // ---- the keyboard on its own strip ----
  FillRect(dl, ImVec2(0, kb_pos.y - u), ImVec2(f.size.x, kb_pos.y + kb_size.y + u), color::kDark);
  DrawKeyboard(f, keyboard, lang, kb_pos, kb_size, &action->keys);
  PhysicalKeys(&action->keys);

  // ---- back, skip / next ----
  if (s.index() > 0) {
    ButtonStyle st;
    st.fill = color::kMuted;
    st.outline_only = true;
    if (BigButton(f, "back", std::string("‹ ") + Phrase(Phrase::kBack, lang), back_pos, btn_size,
                  st)) {
      action->kind = QuestionAction::kBack;
    }
  }
  bool has_text = !TrimWhitespace(text).empty();
  bool last = s.index() + 1 >= s.total();
  ButtonStyle st;
  if (!has_text && q.optional) {
    st.fill = color::kMuted;
    st.outline_only = true;
    if (BigButton(f, "skip", Phrase(Phrase::kSkip, lang), next_pos, btn_size, st)) {
      action->kind = QuestionAction::kSkip;
    }
  } else {
    st.fill = has_text ? color::kGood : color::kPanelLight;
    st.text = has_text ? color::kText : color::kMuted;
    std::string label = std::string(Phrase(last ? Phrase::kDone : Phrase::kNext, lang)) + " ›";
    if (BigButton(f, "next", label, next_pos, btn_size, st) && has_text) {
      action->kind = QuestionAction::kNext;
    }
  }
}

}  // namespace touchpoint::ui
