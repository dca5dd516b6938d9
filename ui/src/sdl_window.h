// The SDL2 + OpenGL3 + Dear ImGui glue, kept apart from the screens: the window, the event pump,
// touch and mouse input (SDL finger events become one pointer), font (re)loading when the
// screen size changes, and reading the frame back for screenshots. UI thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "fonts.h"
#include "touchpoint/core/status.h"
#include "widgets.h"

struct SDL_Window;
struct SDL_Renderer;
struct SDL_Texture;

namespace touchpoint::ui {

struct WindowOptions {
  std::string title = "Touchpoint";
  int width = 1080;
  int height = 1920;
  bool fullscreen = true;
  std::string font_file;
  int render_nice = 5;  // nice value of the UI thread and the renderer's threads (0 = unchanged)
  // ui.renderer (docs/ui.md, "Idle cost"): OpenGL, SDL's own software renderer (no Mesa, no
  // LLVM), or auto: OpenGL where a GPU draws it, else software.
  enum class Renderer { kAuto, kOpenGl, kSoftware };
  Renderer renderer = Renderer::kAuto;
  // Where auto looks for a GPU (DRM device nodes); tests point it elsewhere.
  std::string dri_dir = "/dev/dri";
};

// Whether `dri_dir` holds a DRM node (renderD* or card*) this process may open read-write: a GPU
// (or a display controller with one) that OpenGL could use. Loads nothing.
bool HasUsableDrmNode(const std::string& dri_dir);
// Whether an OpenGL renderer string names a CPU rasteriser (Mesa's llvmpipe, softpipe, swrast).
bool IsSoftwareGlRenderer(const std::string& gl_renderer);

// The single pointer (finger or mouse) as the screens see it.
struct PointerState {
  bool down = false;
  ImVec2 pos{-1, -1};
  ImVec2 down_pos{-1, -1};
  uint32_t down_since_ms = 0;  // SDL ticks at press
};

class KioskWindow final : public ImageUploader {
 public:
  static Result<std::unique_ptr<KioskWindow>> Open(const WindowOptions& options);
  ~KioskWindow();
  KioskWindow(const KioskWindow&) = delete;
  KioskWindow& operator=(const KioskWindow&) = delete;

  // Pumps SDL events, waiting up to `wait_ms` for the first one. Returns whether any input
  // (touch, mouse, key) arrived.
  bool PumpEvents(int wait_ms);
  // Starts an ImGui frame (applies at most one press/release per frame so that a tap shorter
  // than a frame is never lost) and returns the frame context.
  Frame BeginFrame(UiProbe* probe);
  // Renders and presents the frame, unless it would draw exactly the pixels already on screen
  // (same fingerprint, no expose/resize since) and `force` is false; rendered_last_frame() says
  // which. With a non-empty `png_path` it always renders and writes the frame there first.
  Status EndFrame(const std::string& png_path = "", bool force = false);
  bool rendered_last_frame() const { return rendered_last_frame_; }
  // ImageUploader: one picture texture, remade when its size changes; an upload means the next
  // frame must be rendered even if its draw lists look unchanged.
  ImTextureID Upload(const uint8_t* rgba, int width, int height) override;
  // The renderer in use ("opengl" or "software") and, for auto, why it was chosen.
  const std::string& renderer_name() const { return renderer_name_; }
  const std::string& renderer_reason() const { return renderer_reason_; }
  // Ends the ImGui frame without rendering it (a UI pass whose picture is replaced at once).
  void EndFrameUnrendered();
  // Whether a press or release is waiting for the next BeginFrame (a tap is down + up).
  bool press_or_release_pending() const;

  const PointerState& pointer() const { return pointer_; }
  bool close_requested() const { return close_requested_; }
  // The window was exposed, resized or its fonts changed: the next frame must be rendered.
  bool redraw_needed() const { return redraw_needed_; }
  uint32_t TicksMs() const;
  // Resizes the window (the tour renders portrait and landscape).
  void SetSize(int width, int height);

 private:
  KioskWindow() = default;
  // The window with an OpenGL context, or with SDL's software renderer; and their teardown.
  Status CreateSurface(const WindowOptions& options, bool software);
  void DestroySurface();
  void ReloadFontsIfNeeded();
  // The font atlas as a one-byte-a-texel texture; the atlas's CPU copies are freed.
  void UploadFontTexture();
  void DestroyFontTexture();
  // The software renderer's EndFrame after the fingerprint check; its base-layer fill.
  Status PresentWithRenderer(const std::string& png_path);
  static void FillWithRenderer(int x, int y, int w, int h, ImVec4 color, void* user);
  struct PointerEvent {
    enum Kind { kMove, kDown, kUp } kind;
    ImVec2 pos;
    bool touch;
    uint32_t event_ms;  // SDL ticks when the event arrived
  };
  SDL_Window* window_ = nullptr;
  void* gl_context_ = nullptr;
  SDL_Renderer* renderer_ = nullptr;  // the software renderer, instead of gl_context_
  std::string renderer_name_, renderer_reason_;
  bool imgui_sdl_ = false, imgui_gl_ = false, imgui_renderer_ = false;
  FontFiles font_files_;
  Fonts fonts_;
  float fonts_short_side_ = 0;
  unsigned int font_texture_ = 0;  // GL texture name (GLuint)
  // The picture texture (Upload): a GL texture name, or an SDL_Texture with the software renderer.
  unsigned int image_texture_ = 0;
  SDL_Texture* image_sdl_ = nullptr;
  int image_w_ = 0, image_h_ = 0;
  std::deque<PointerEvent> pending_;
  uint32_t press_event_ms_ = 0;  // the held press's event time
  PointerState pointer_;
  bool last_was_touch_ = false;
  bool hide_pointer_next_ = false;
  bool close_requested_ = false;
  uint64_t shown_fingerprint_ = 0;  // of the frame on screen
  bool redraw_needed_ = true;       // the window was exposed, resized or the fonts changed
  bool rendered_last_frame_ = false;
};

}  // namespace touchpoint::ui
