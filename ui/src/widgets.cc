#include "widgets.h"

#include <SDL_opengl.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string_view>

#include "touchpoint/ui/ui_probe.h"

namespace touchpoint::ui {

namespace {

ImU32 Lerp(ImU32 a, ImU32 b, float t) {
  ImVec4 ca = ImGui::ColorConvertU32ToFloat4(a), cb = ImGui::ColorConvertU32ToFloat4(b);
  return ImGui::ColorConvertFloat4ToU32(
      ImVec4(ca.x + (cb.x - ca.x) * t, ca.y + (cb.y - ca.y) * t, ca.z + (cb.z - ca.z) * t, 1.0f));
}

// The screen's base layer: FillRect's clears for the frame being built. BeginScreen starts the
// list and puts one callback first in the screen's draw list that runs them all, so they cost
// no extra draw calls (every draw call has a fixed cost in llvmpipe). One screen per frame.
struct ClearOp {
  int x0, y0, x1, y1;  // window pixels, x1/y1 exclusive
  ImU32 col;
};
std::vector<ClearOp>& ClearOps() {
  static std::vector<ClearOp> ops;
  return ops;
}
// Below this many pixels a rectangle is cheaper as ImGui geometry than as a scissored clear.
constexpr int kMinClearArea = 128 * 128;
int g_overlay_depth = 0;         // inside BeginOverlay/EndOverlay: FillRect draws in order
BaseLayerFill g_fill = nullptr;  // null: glClear
void* g_fill_user = nullptr;

void BaseLayerCallback(const ImDrawList* /*list*/, const ImDrawCmd* cmd) {
  const ImDrawData* dd = ImGui::GetDrawData();
  if (dd == nullptr) return;
  ImVec2 off = dd->DisplayPos, scale = dd->FramebufferScale;
  int fb_h = static_cast<int>(dd->DisplaySize.y * scale.y);
  for (const ClearOp& op : ClearOps()) {
    // The same clip as the backend's for a draw command, intersected with the rectangle.
    float cx0 = std::max(static_cast<float>(op.x0), cmd->ClipRect.x) - off.x;
    float cy0 = std::max(static_cast<float>(op.y0), cmd->ClipRect.y) - off.y;
    float cx1 = std::min(static_cast<float>(op.x1), cmd->ClipRect.z) - off.x;
    float cy1 = std::min(static_cast<float>(op.y1), cmd->ClipRect.w) - off.y;
    int x0 = static_cast<int>(std::lround(cx0 * scale.x));
    int y0 = static_cast<int>(std::lround(cy0 * scale.y));
    int x1 = static_cast<int>(std::lround(cx1 * scale.x));
    int y1 = static_cast<int>(std::lround(cy1 * scale.y));
    if (x1 <= x0 || y1 <= y0) continue;
    ImVec4 c = ImGui::ColorConvertU32ToFloat4(op.col);
    if (g_fill != nullptr) {
      g_fill(x0, y0, x1 - x0, y1 - y0, c, g_fill_user);
      continue;
    }
    glScissor(x0, fb_h - y1, x1 - x0, y1 - y0);  // the backend sets its own before each draw
    glClearColor(c.x, c.y, c.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
  }
}

void Register(const Frame& f, const std::string& target, ImVec2 pos, ImVec2 size) {
  if (f.probe != nullptr) f.probe->AddTarget(target, TargetRect{pos.x, pos.y, size.x, size.y});
}

}  // namespace

void SetBaseLayerFill(BaseLayerFill fill, void* user) {
  g_fill = fill;
  g_fill_user = user;
}

void ProbeTarget(const Frame& f, const std::string& name, ImVec2 pos, ImVec2 size) {
  Register(f, name, pos, size);
}

ImU32 ScoreColor(int score, int min, int max) {
  static const ImU32 kStops[] = {IM_COL32(214, 48, 49, 255), IM_COL32(238, 121, 34, 255),
                                 IM_COL32(242, 190, 20, 255), IM_COL32(124, 179, 66, 255),
                                 IM_COL32(38, 150, 70, 255)};
  if (max <= min) return kStops[4];
  float t = static_cast<float>(score - min) / static_cast<float>(max - min) * 4.0f;
  int i = std::clamp(static_cast<int>(t), 0, 3);
  return Lerp(kStops[i], kStops[i + 1], t - static_cast<float>(i));
}

ImU32 NpsColor(int score) {
  if (score <= 6) return IM_COL32(214, 48, 49, 255);
  if (score <= 8) return IM_COL32(230, 150, 20, 255);
  return IM_COL32(38, 150, 70, 255);
}

ImU32 Darken(ImU32 c, float f) {
  ImVec4 v = ImGui::ColorConvertU32ToFloat4(c);
  return ImGui::ColorConvertFloat4ToU32(ImVec4(v.x * f, v.y * f, v.z * f, v.w));
}

void FillRect(ImDrawList* dl, ImVec2 min, ImVec2 max, ImU32 col, float rounding,
              ImDrawFlags flags) {
  int x0 = static_cast<int>(std::lround(min.x)), y0 = static_cast<int>(std::lround(min.y));
  int x1 = static_cast<int>(std::lround(max.x)), y1 = static_cast<int>(std::lround(max.y));
  int w = x1 - x0, h = y1 - y0;
  if (w <= 0 || h <= 0) return;
  ImVec2 a(static_cast<float>(x0), static_cast<float>(y0));
  ImVec2 b(static_cast<float>(x1), static_cast<float>(y1));
  if ((col & IM_COL32_A_MASK) != IM_COL32_A_MASK || w * h < kMinClearArea || g_overlay_depth > 0) {
    dl->AddRectFilled(a, b, col, rounding, flags);
    return;
  }
  if ((flags & ImDrawFlags_RoundCornersMask_) == 0) flags |= ImDrawFlags_RoundCornersAll;
  if (rounding < 0.5f || (flags & ImDrawFlags_RoundCornersNone) != 0) {
    ClearOps().push_back(ClearOp{x0, y0, x1, y1, col});
    return;
  }
  // One clear for the band between the rounded corners' columns; each side's column of corners
  // is a thin ImGui rectangle rounded at its corners, overlapping the band by a pixel (its
  // anti-aliased inner edge then blends over the same colour). Scissored clears are not free in
  // Mesa (each is a quad with state save/restore), so one per rectangle.
  rounding = std::min(rounding, static_cast<float>(std::min(w, h)) * 0.5f - 1.0f);
  int r = static_cast<int>(std::ceil(std::max(rounding, 0.0f)));
  ImDrawFlags left = flags & ImDrawFlags_RoundCornersLeft;
  ImDrawFlags right = flags & ImDrawFlags_RoundCornersRight;
  int lw = left != 0 ? r : 0, rw = right != 0 ? r : 0;
  if (x1 - rw > x0 + lw) ClearOps().push_back(ClearOp{x0 + lw, y0, x1 - rw, y1, col});
  if (lw > 0) {
    dl->AddRectFilled(a, ImVec2(a.x + static_cast<float>(lw + 1), b.y), col, rounding, left);
  }
  if (rw > 0) {
    dl->AddRectFilled(ImVec2(b.x - static_cast<float>(rw + 1), a.y), b, col, rounding, right);
  }
}

void RoundCorners(ImDrawList* dl, ImVec2 min, ImVec2 max, float rounding, ImU32 outside) {
  float r = std::min(rounding, std::min(max.x - min.x, max.y - min.y) * 0.5f);
  if (r < 1.0f) return;
  // Each fillet: the corner point, then the quarter arc inside it, clockwise on screen like
  // ImGui's own paths, filled as a fan from the corner.
  const float kPi = 3.14159265f;
  struct Corner {
    ImVec2 center, corner;
    float a0;
  };
  const Corner corners[4] = {{ImVec2(min.x + r, min.y + r), min, 1.0f * kPi},
                             {ImVec2(max.x - r, min.y + r), ImVec2(max.x, min.y), 1.5f * kPi},
                             {ImVec2(max.x - r, max.y - r), max, 0.0f},
                             {ImVec2(min.x + r, max.y - r), ImVec2(min.x, max.y), 0.5f * kPi}};
  ImDrawListFlags flags = dl->Flags;
  dl->Flags &= ~ImDrawListFlags_AntiAliasedFill;
  for (const Corner& c : corners) {
    dl->PathLineTo(c.corner);
    dl->PathArcTo(c.center, r, c.a0 + 0.5f * kPi, c.a0, 3);
    dl->PathFillConvex(outside);
  }
  dl->Flags = flags;
}

void BeginScreen(const Frame& f, const char* name, ImU32 background) {
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(f.size);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0.0f);
  ImGui::Begin(name, nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                   ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NoBackground);
  ClearOps().clear();  // the previous frame has been rendered
  g_overlay_depth = 0;
  ImGui::GetWindowDrawList()->AddCallback(&BaseLayerCallback, nullptr);
  FillRect(ImGui::GetWindowDrawList(), ImVec2(0, 0), f.size, background);
}

void BeginOverlay() { ++g_overlay_depth; }
void EndOverlay() { g_overlay_depth = std::max(0, g_overlay_depth - 1); }

void EndScreen() {
  ImGui::End();
  ImGui::PopStyleVar(2);
}

uint64_t FrameFingerprint(const ImDrawData& dd) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const void* data, size_t bytes) {
    h = (h ^
         std::hash<std::string_view>{}(std::string_view(static_cast<const char*>(data), bytes))) *
        1099511628211ull;
  };
  mix(&dd.DisplaySize, sizeof dd.DisplaySize);
  for (int i = 0; i < dd.CmdListsCount; ++i) {
    const ImDrawList* l = dd.CmdLists[i];
    mix(l->VtxBuffer.Data, static_cast<size_t>(l->VtxBuffer.Size) * sizeof(ImDrawVert));
    mix(l->IdxBuffer.Data, static_cast<size_t>(l->IdxBuffer.Size) * sizeof(ImDrawIdx));
    for (const ImDrawCmd& c : l->CmdBuffer) {
      mix(&c.ClipRect, sizeof c.ClipRect);
      mix(&c.TextureId, sizeof c.TextureId);
      uint32_t counts[3] = {c.VtxOffset, c.IdxOffset, c.ElemCount};
      mix(counts, sizeof counts);
    }
  }
  for (const ClearOp& op : ClearOps()) {
    int32_t v[5] = {op.x0, op.y0, op.x1, op.y1, static_cast<int32_t>(op.col)};
    mix(v, sizeof v);
  }
  return h;
}

bool HitArea(const Frame& f, const std::string& target, ImVec2 pos, ImVec2 size) {
  Register(f, target, pos, size);
  ImGui::SetCursorScreenPos(pos);
  return ImGui::InvisibleButton(target.c_str(), size);
}

bool BigButton(const Frame& f, const std::string& target, const std::string& label, ImVec2 pos,
               ImVec2 size, const ButtonStyle& style) {
  bool clicked = HitArea(f, target, pos, size);
  bool held = ImGui::IsItemActive();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float rounding = std::min(size.x, size.y) * 0.18f;
  ImVec2 end(pos.x + size.x, pos.y + size.y);
  ImU32 fill = held ? Darken(style.fill, 0.75f) : style.fill;
  if (style.outline_only) {
    dl->AddRect(pos, end, style.fill, rounding, 0, std::max(2.0f, f.u * 0.35f));
  } else {
    FillRect(dl, pos, end, fill, rounding);
  }
  if (style.selected) {
    float t = std::max(3.0f, f.u * 0.7f);
    dl->AddRect(ImVec2(pos.x - t * 0.5f, pos.y - t * 0.5f),
                ImVec2(end.x + t * 0.5f, end.y + t * 0.5f), color::kAccent, rounding, 0, t);
  }
  ImFont* font = style.font != nullptr ? style.font : f.fonts->body;
  float fs = style.font_size > 0 ? style.font_size : font->FontSize;
  fs = FitFontSize(font, fs, label, size.x * 0.9f);
  TextCentered(font, fs, ImVec2(pos.x + size.x * 0.5f, pos.y + size.y * 0.5f), style.text, label);
  return clicked;
}

ImVec2 TextSize(ImFont* font, float size, const std::string& text, float wrap_width) {
  return font->CalcTextSizeA(size, FLT_MAX, wrap_width, text.c_str(), text.c_str() + text.size());
}

void TextAt(ImFont* font, float size, ImVec2 pos, ImU32 col, const std::string& text) {
  ImGui::GetWindowDrawList()->AddText(font, size, pos, col, text.c_str(),
                                      text.c_str() + text.size());
}

void TextCentered(ImFont* font, float size, ImVec2 center, ImU32 col, const std::string& text) {
  ImVec2 ts = TextSize(font, size, text);
  TextAt(font, size, ImVec2(std::floor(center.x - ts.x * 0.5f), std::floor(center.y - ts.y * 0.5f)),
         col, text);
}

float TextWrappedCentered(ImFont* font, float size, float center_x, float top, float width,
                          ImU32 col, const std::string& text) {
  const char* s = text.c_str();
  const char* end = s + text.size();
  float y = top;
  float scale = size / font->FontSize;
  while (s < end) {
    const char* line_end = font->CalcWordWrapPositionA(scale, s, end, width);
    if (line_end == s) line_end = s + 1;
    const char* nl = static_cast<const char*>(memchr(s, '\n', static_cast<size_t>(line_end - s)));
    if (nl != nullptr) line_end = nl;
    std::string line(s, line_end);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    ImVec2 ts = TextSize(font, size, line);
    TextAt(font, size, ImVec2(std::floor(center_x - ts.x * 0.5f), y), col, line);
    y += size * 1.15f;
    s = line_end;
    while (s < end && (*s == ' ' || *s == '\n')) ++s;
  }
  return y - top;
}

float FitFontSize(ImFont* font, float size, const std::string& text, float max_width) {
  float w = TextSize(font, size, text).x;
  if (w <= max_width || w <= 0) return size;
  return std::max(size * 0.4f, size * max_width / w);
}

void DrawFace(ImDrawList* dl, ImVec2 c, float r, int score, bool selected) {
  ImU32 fill = ScoreColor(score, 1, 5);
  if (selected) dl->AddCircleFilled(c, r * 1.12f, color::kAccent, 64);
  dl->AddCircleFilled(c, r, fill, 64);
  ImU32 ink = color::kDark;
  float eye_r = r * 0.11f;
  dl->AddCircleFilled(ImVec2(c.x - r * 0.33f, c.y - r * 0.22f), eye_r, ink, 24);
  dl->AddCircleFilled(ImVec2(c.x + r * 0.33f, c.y - r * 0.22f), eye_r, ink, 24);
  // Mouth: a parabola from frown (1) to big smile (5).
  float curve = (static_cast<float>(score) - 3.0f) * 0.16f * r;
  float w = r * 0.5f;
  float y0 = c.y + r * 0.35f - curve * 0.3f;
  const int kN = 20;
  ImVec2 pts[kN + 1];
  for (int i = 0; i <= kN; ++i) {
    float t = static_cast<float>(i) / kN * 2.0f - 1.0f;
    pts[i] = ImVec2(c.x + t * w, y0 + curve * (1.0f - t * t));
  }
  dl->AddPolyline(pts, kN + 1, ink, 0, r * 0.1f);
}

void DrawBarChart(const Frame& f, ImVec2 pos, ImVec2 size, const std::string& title,
                  const std::vector<BarSeries>& series, const std::vector<std::string>& labels) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  FillRect(dl, pos, ImVec2(pos.x + size.x, pos.y + size.y), color::kPanel, f.u);
  float pad = f.u * 1.2f;
  ImFont* small = f.fonts->small;
  float fs = small->FontSize;
  TextAt(f.fonts->body, f.fonts->body->FontSize * 0.8f, ImVec2(pos.x + pad, pos.y + pad * 0.6f),
         color::kText, title);
  // Legend right of the title, or under it when there is no room.
  float legend_w = 0;
  for (const auto& s : series) legend_w += TextSize(small, fs, s.name).x + fs * 2.2f;
  float title_w = TextSize(f.fonts->body, f.fonts->body->FontSize * 0.8f, title).x;
  bool legend_below = title_w + legend_w + pad * 3 > size.x;
  float legend_y =
      legend_below ? pos.y + pad * 0.6f + f.fonts->body->FontSize * 0.9f : pos.y + pad * 0.8f;
  float lx = pos.x + size.x - pad;
  for (auto it = series.rbegin(); it != series.rend(); ++it) {
    float tw = TextSize(small, fs, it->name).x;
    lx -= tw;
    TextAt(small, fs, ImVec2(lx, legend_y), color::kMuted, it->name);
    lx -= fs * 1.2f;
    dl->AddRectFilled(ImVec2(lx, legend_y + fs * 0.15f),
                      ImVec2(lx + fs * 0.8f, legend_y + fs * 0.95f), it->color);
    lx -= fs;
  }
  double max_v = 0;
  size_t slots = labels.size();
  for (const auto& s : series) {
    for (double v : s.values) max_v = std::max(max_v, v);
    slots = std::max(slots, s.values.size());
  }
  if (slots == 0) return;
  float top = pos.y + pad * 0.6f + f.fonts->body->FontSize * 0.8f + pad * 0.8f +
              (legend_below ? fs * 1.2f : 0.0f);
  float bottom = pos.y + size.y - pad * 0.5f - fs * 1.2f;
  float left = pos.x + pad, right = pos.x + size.x - pad;
  float slot_w = (right - left) / static_cast<float>(slots);
  float bar_w = slot_w * 0.8f / static_cast<float>(std::max<size_t>(1, series.size()));
  dl->AddLine(ImVec2(left, bottom), ImVec2(right, bottom), color::kMuted, 1.5f);
  if (max_v <= 0) {
    TextCentered(small, fs, ImVec2((left + right) * 0.5f, (top + bottom) * 0.5f), color::kMuted,
                 "no data yet");
  }
  size_t label_every = std::max<size_t>(
      1, static_cast<size_t>(std::ceil(TextSize(small, fs, "00").x * 1.6f / slot_w)));
  for (size_t i = 0; i < slots; ++i) {
    float x0 = left + slot_w * static_cast<float>(i) + slot_w * 0.1f;
    for (size_t k = 0; k < series.size(); ++k) {
      double v = i < series[k].values.size() ? series[k].values[i] : 0;
      if (v <= 0 || max_v <= 0) continue;
      float h = static_cast<float>(v / max_v) * (bottom - top - fs * 1.1f);
      float bx = x0 + bar_w * static_cast<float>(k);
      dl->AddRectFilled(ImVec2(bx, bottom - h), ImVec2(bx + bar_w * 0.92f, bottom), series[k].color,
                        std::min(bar_w * 0.2f, f.u * 0.4f), ImDrawFlags_RoundCornersTop);
      if (series.size() == 1 && slots <= 12) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.0f", v);
        TextCentered(small, fs * 0.9f, ImVec2(bx + bar_w * 0.46f, bottom - h - fs * 0.6f),
                     color::kText, buf);
      }
    }
    if (i < labels.size() && i % label_every == 0) {
      TextCentered(small, fs,
                   ImVec2(left + slot_w * (static_cast<float>(i) + 0.5f), bottom + fs * 0.7f),
                   color::kMuted, labels[i]);
    }
  }
}

}  // namespace touchpoint::ui
