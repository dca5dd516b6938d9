// The installer's camera setup screen (manager only, from the dashboard): the camera's view as
// edges (never the picture) with the counting lines, their "in" side, the ROI, detections, live
// track boxes and the person size in use, and what the counter makes of it. Nothing on it is
// stored or sent; the view exists only while the screen is open (docs/footfall.md).
#include <algorithm>
#include <cstdio>

#include "screens.h"

namespace touchpoint::ui {
namespace {

std::string CountsText(const CameraHealth& c) {
  std::string s;
  for (const auto& [line, in_out] : c.today_by_line) {
    if (!s.empty()) s += " · ";
    s += line + ": " + std::to_string(in_out.first) + " in, " + std::to_string(in_out.second) +
         " out";
  }
  return s.empty() ? "No line crossed yet" : "Since start: " + s;
}

}  // namespace

bool DrawSetupScreen(const Frame& f, const SetupScreenView& v) {
  BeginScreen(f, "setup", color::kDark);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float u = f.u, m = u * 3.0f;
  ImFont* body = f.fonts->body;
  ImFont* small = f.fonts->small;
  float y = m;
  TextAt(f.fonts->title, f.fonts->title->FontSize * 0.8f, ImVec2(m, y), color::kText,
         "Camera setup");
  y += f.fonts->title->FontSize * 0.8f + u;
  const std::string privacy =
      "Edges only: no picture of anyone is shown, stored or sent. The view exists only while "
      "this screen is open.";
  TextAt(small, FitFontSize(small, small->FontSize * 0.85f, privacy, f.size.x - 2 * m),
         ImVec2(m, y), color::kMuted, privacy);
  y += small->FontSize * 0.85f + u * 2.0f;

  // The view, as large as fits above the legend and the button.
  const float button_h = u * 9.0f;
  const float text_block = small->FontSize * 0.9f * 1.5f * 6.0f;
  const float avail_w = f.size.x - 2 * m;
  const float avail_h = f.size.y - y - text_block - button_h - m * 3.0f;
  if (v.view != nullptr && v.texture != nullptr && v.view->width > 0 && v.view->height > 0) {
    float scale = std::min(avail_w / static_cast<float>(v.view->width),
                           avail_h / static_cast<float>(v.view->height));
    ImVec2 size(static_cast<float>(v.view->width) * scale,
                static_cast<float>(v.view->height) * scale);
    ImVec2 p0(f.size.x * 0.5f - size.x * 0.5f, y);
    dl->AddImage(v.texture, p0, ImVec2(p0.x + size.x, p0.y + size.y));
    dl->AddRect(p0, ImVec2(p0.x + size.x, p0.y + size.y), color::kPanelLight);
    ProbeTarget(f, "setup_view", p0, size);
    y += size.y + u * 2.0f;
  } else {
    const char* waiting = v.view == nullptr ? "Waiting for the camera's first frame..."
                                            : "The camera view cannot be shown on this display";
    FillRect(dl, ImVec2(m, y), ImVec2(m + avail_w, y + avail_h * 0.5f), color::kPanel, u);
    TextCentered(body, body->FontSize * 0.8f, ImVec2(f.size.x * 0.5f, y + avail_h * 0.25f),
                 color::kMuted, waiting);
    y += avail_h * 0.5f + u * 2.0f;
  }

  // What the counter makes of it.
  const float fs = small->FontSize * 0.9f, line_h = fs * 1.5f;
  auto line = [&](ImU32 col, const std::string& text) {
    TextAt(small, FitFontSize(small, fs, text, avail_w), ImVec2(m, y), col, text);
    y += line_h;
  };
  if (v.view != nullptr) {
    const CameraHealth& c = v.view->camera;
    char head[160];
    std::snprintf(head, sizeof head, "Camera %s · %.1f fps · %lld in view now", c.state.c_str(),
                  c.fps, static_cast<long long>(c.occupancy));
    line(c.state == "ok" ? color::kGood : color::kWarn, head);
    line(c.person_size == "learning" ? color::kWarn : color::kText, PersonSizeText(c));
    line(color::kText, CountsText(c));
  }
  line(color::kMuted, "Yellow: counting lines (arrow: the \"in\" side) · cyan: counted area");
  line(color::kMuted,
       "Green: people tracked · orange: hidden in a group · blue: moving shapes · grey bars: a "
       "person's height");
  line(color::kMuted, "Lines, area and person size are set in the kiosk config ([camera]).");

  ButtonStyle st;
  st.fill = color::kGood;
  st.font = small;
  bool back = BigButton(f, "setup_back", "Back to dashboard", ImVec2(m, f.size.y - m - button_h),
                        ImVec2(f.size.x - 2 * m, button_h), st);
  EndScreen();
  return back;
}

}  // namespace touchpoint::ui
