// Drawing helpers shared by the screens: the frame context, colours, big touch targets, text
// layout, smiley faces and bar charts. UI thread only.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <string>
#include <vector>

namespace touchpoint::ui {

class UiProbe;

struct Fonts {
  ImFont* body = nullptr;   // buttons, answers
  ImFont* title = nullptr;  // question prompts, headings (bold)
  ImFont* huge = nullptr;   // big digits (bold, Latin only)
  ImFont* small = nullptr;  // dashboard detail
};

// Per-frame context handed to every screen.
// Shows a picture made on the CPU (the camera setup view): the window keeps one texture for it,
// made or updated by Upload, and returns its id for ImGui::Image / AddImage (null on failure).
class ImageUploader {
 public:
  virtual ImTextureID Upload(const uint8_t* rgba, int width, int height) = 0;

 protected:
  ~ImageUploader() = default;
};

struct Frame {
  ImVec2 size;   // window size in pixels
  float u = 10;  // layout unit: 1% of the shorter window side
  const Fonts* fonts = nullptr;
  UiProbe* probe = nullptr;
  double time_s = 0;  // for animations
  // A pointer release applied this frame: how long it was held, from the press and release
  // events' own times (frames may have stalled meanwhile); -1 when no release this frame.
  float released_hold_s = -1;
  ImageUploader* images = nullptr;  // null in tests that draw without a window
  bool portrait() const { return size.y > size.x; }
};

namespace color {
inline constexpr ImU32 kBackground = IM_COL32(12, 24, 44, 255);
inline constexpr ImU32 kPanel = IM_COL32(26, 42, 68, 255);
inline constexpr ImU32 kPanelLight = IM_COL32(40, 60, 92, 255);
inline constexpr ImU32 kText = IM_COL32(255, 255, 255, 255);
inline constexpr ImU32 kMuted = IM_COL32(176, 190, 210, 255);
inline constexpr ImU32 kAccent = IM_COL32(255, 196, 0, 255);
inline constexpr ImU32 kPrimary = IM_COL32(30, 111, 217, 255);
inline constexpr ImU32 kGood = IM_COL32(46, 160, 67, 255);
inline constexpr ImU32 kWarn = IM_COL32(245, 158, 11, 255);
inline constexpr ImU32 kBad = IM_COL32(220, 53, 69, 255);
inline constexpr ImU32 kDark = IM_COL32(10, 16, 28, 255);
}  // namespace color

// Colour of a score on its scale (red .. amber .. green).
ImU32 ScoreColor(int score, int min, int max);
ImU32 NpsColor(int score);
ImU32 Darken(ImU32 c, float f);

// A full-window ImGui window with no decoration; every screen draws inside one. The background
// is a FillRect (a clear), not ImGui's window background.
void BeginScreen(const Frame& f, const char* name, ImU32 background);
void EndScreen();
// A fingerprint of the frame just built (ImGui's draw data and the base layer's clears): equal
// fingerprints draw equal pixels, so the loop skips rendering a frame that changes nothing.
uint64_t FrameFingerprint(const ImDrawData& dd);
// How the base layer's rectangles reach the screen: by default a scissored glClear; a window
// without OpenGL sets its own (`x`, `y` in framebuffer pixels from the top left). UI thread.
using BaseLayerFill = void (*)(int x, int y, int w, int h, ImVec4 color, void* user);
void SetBaseLayerFill(BaseLayerFill fill, void* user);
// Content drawn over other content (a dialog over a dimmed screen): FillRect draws in order.
void BeginOverlay();
void EndOverlay();

// An opaque filled (optionally rounded) rectangle on the screen's base layer, snapped to whole
// pixels: under everything else the screen draws with ImGui (backgrounds, panels, buttons on
// them). With Mesa's software renderer every pixel ImGui draws runs its textured, blended
// fragment shader; large opaque rectangles are far cheaper as scissored glClears, all run by one
// draw-list callback at the start of the screen, with only the rounded corners as ImGui
// geometry on `dl`. Translucent colours, small rectangles and fills between BeginOverlay and
// EndOverlay are drawn in order with AddRectFilled instead.
void FillRect(ImDrawList* dl, ImVec2 min, ImVec2 max, ImU32 col, float rounding = 0.0f,
              ImDrawFlags flags = 0);
// Rounds the corners of a square-cornered rectangle drawn on a plain `outside` colour by drawing
// four small fillets of that colour over them, without anti-aliasing: a dozen triangles, where a
// rounded rectangle shades its whole area and anti-aliasing adds many thin triangles (llvmpipe
// pays per triangle as well as per pixel). The on-screen keyboard rounds its keys this way.
void RoundCorners(ImDrawList* dl, ImVec2 min, ImVec2 max, float rounding, ImU32 outside);

struct ButtonStyle {
  ImU32 fill = color::kPrimary;
  ImU32 text = color::kText;
  ImFont* font = nullptr;  // nullptr: fonts->body
  float font_size = 0;     // 0: the font's size
  bool selected = false;   // drawn with a thick accent outline
  bool outline_only = false;
};
// A large rounded touch target. `target` names it for the probe (tests tap it by name).
bool BigButton(const Frame& f, const std::string& target, const std::string& label, ImVec2 pos,
               ImVec2 size, const ButtonStyle& style);
// An invisible hit area (for custom-drawn targets such as faces).
bool HitArea(const Frame& f, const std::string& target, ImVec2 pos, ImVec2 size);
// Names something shown (not tappable) for the test probe, e.g. a notice; no-op without one.
void ProbeTarget(const Frame& f, const std::string& name, ImVec2 pos, ImVec2 size);

// Text helpers on the current window's draw list.
ImVec2 TextSize(ImFont* font, float size, const std::string& text, float wrap_width = 0);
void TextAt(ImFont* font, float size, ImVec2 pos, ImU32 col, const std::string& text);
void TextCentered(ImFont* font, float size, ImVec2 center, ImU32 col, const std::string& text);
// Wraps to `width` and centres each line horizontally around center_x, starting at top.
// Returns the height used.
float TextWrappedCentered(ImFont* font, float size, float center_x, float top, float width,
                          ImU32 col, const std::string& text);
// A font size that fits `text` on one line in `max_width` (shrinks from `size`).
float FitFontSize(ImFont* font, float size, const std::string& text, float max_width);

// A smiley face for a 1..5 rating.
void DrawFace(ImDrawList* dl, ImVec2 center, float radius, int score, bool selected);

// Vertical bar chart: one or two series per slot, value labels, slot labels underneath.
struct BarSeries {
  std::vector<double> values;
  ImU32 color;
  std::string name;
};
void DrawBarChart(const Frame& f, ImVec2 pos, ImVec2 size, const std::string& title,
                  const std::vector<BarSeries>& series, const std::vector<std::string>& labels);

}  // namespace touchpoint::ui
