#include "sdl_window.h"

#include <SDL.h>
#include <SDL_opengl.h>
#include <dirent.h>
#include <imgui_impl_opengl3.h>
#include <imgui_impl_sdl.h>
#include <imgui_impl_sdlrenderer.h>
#include <stb_image_write.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <vector>

#include "touchpoint/ui/ui_probe.h"

namespace touchpoint::ui {

bool HasUsableDrmNode(const std::string& dri_dir) {
  DIR* d = ::opendir(dri_dir.c_str());
  if (d == nullptr) return false;
  bool usable = false;
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (!name.starts_with("renderD") && !name.starts_with("card")) continue;
    if (::access((dri_dir + "/" + std::string(name)).c_str(), R_OK | W_OK) == 0) {
      usable = true;
      break;
    }
  }
  ::closedir(d);
  return usable;
}

bool IsSoftwareGlRenderer(const std::string& gl_renderer) {
  std::string lower = gl_renderer;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* cpu : {"llvmpipe", "softpipe", "swrast", "software rasterizer"}) {
    if (lower.find(cpu) != std::string::npos) return true;
  }
  return false;
}

Status KioskWindow::CreateSurface(const WindowOptions& options, bool software) {
  if (software) {
    // SDL would otherwise present the software renderer's frames through OpenGL, loading Mesa.
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
  }
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_FLAGS, 0);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_CORE);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 0);
  SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
  SDL_GL_SetAttribute(SDL_GL_DEPTH_SIZE, 0);
  SDL_GL_SetAttribute(SDL_GL_STENCIL_SIZE, 0);
  Uint32 flags = SDL_WINDOW_ALLOW_HIGHDPI | SDL_WINDOW_RESIZABLE;
  if (!software) flags |= SDL_WINDOW_OPENGL;
  if (options.fullscreen) flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
  window_ = SDL_CreateWindow(options.title.c_str(), SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                             options.width, options.height, flags);
  if (window_ == nullptr)
    return Status::Unavailable(std::string("SDL_CreateWindow: ") + SDL_GetError());
  if (software) {
    renderer_ = SDL_CreateRenderer(window_, -1, SDL_RENDERER_SOFTWARE);
    if (renderer_ == nullptr) {
      return Status::Unavailable(std::string("SDL_CreateRenderer (software): ") + SDL_GetError());
    }
    return Status::Ok();
  }
  gl_context_ = SDL_GL_CreateContext(window_);
  if (gl_context_ == nullptr) {
    return Status::Unavailable(std::string("SDL_GL_CreateContext: ") + SDL_GetError());
  }
  SDL_GL_MakeCurrent(window_, gl_context_);
  SDL_GL_SetSwapInterval(0);  // the kiosk paces frames itself (see RunKioskUi)
  return Status::Ok();
}

void KioskWindow::DestroySurface() {
  if (gl_context_ != nullptr) SDL_GL_DeleteContext(gl_context_);
  gl_context_ = nullptr;
  if (renderer_ != nullptr) SDL_DestroyRenderer(renderer_);
  renderer_ = nullptr;
  if (window_ != nullptr) SDL_DestroyWindow(window_);
  window_ = nullptr;
}

Result<std::unique_ptr<KioskWindow>> KioskWindow::Open(const WindowOptions& options) {
  SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");  // we read finger events ourselves
  SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
  SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");  // the app owns SIGINT/SIGTERM
  if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER | SDL_INIT_EVENTS) != 0) {
    return Status::Unavailable(std::string("SDL_Init: ") + SDL_GetError());
  }
  // Rendering yields to the rest of the kiosk: on Linux the nice value is per thread and the
  // renderer's worker threads (Mesa llvmpipe) inherit it when the context creates them, so a
  // shopper's durable write or the camera never wait behind a software-rendered frame.
  // Lowering one's own priority needs no privilege.
  setpriority(PRIO_PROCESS, 0, options.render_nice);
  std::unique_ptr<KioskWindow> w(new KioskWindow());
  using Renderer = WindowOptions::Renderer;
  const bool automatic = options.renderer == Renderer::kAuto;
  bool software = options.renderer == Renderer::kSoftware;
  if (automatic && !HasUsableDrmNode(options.dri_dir)) {
    // Without a GPU, OpenGL is Mesa's llvmpipe: ~65 MB of LLVM and rasteriser pages for what
    // SDL's renderer draws with none (docs/ui.md, "Idle cost"). Decided before anything loads.
    software = true;
    w->renderer_reason_ = "no GPU: no DRM device in " + options.dri_dir + " this user may open";
  }
  if (Status s = w->CreateSurface(options, software); !s.ok()) return s;
  if (!software) {
    const char* name = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
    std::string gl_renderer = name != nullptr ? name : "";
    if (automatic && IsSoftwareGlRenderer(gl_renderer)) {
      // A GPU exists but this display draws OpenGL on the CPU (e.g. a virtual X server).
      w->DestroySurface();
      SDL_GL_UnloadLibrary();
      software = true;
      w->renderer_reason_ = "OpenGL here is drawn by the CPU (" + gl_renderer + ")";
      if (Status s = w->CreateSurface(options, true); !s.ok()) return s;
    } else if (automatic) {
      w->renderer_reason_ = "GPU: " + gl_renderer;
    }
  }
  w->renderer_name_ = software ? "software" : "opengl";
  if (options.fullscreen) SDL_ShowCursor(SDL_DISABLE);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.LogFilename = nullptr;
  ImGui::StyleColorsDark();
  ImGuiStyle& style = ImGui::GetStyle();
  style.TouchExtraPadding = ImVec2(0, 0);
  style.AntiAliasedFill = true;
  style.AntiAliasedLines = true;
  if (w->renderer_ != nullptr) {
    w->imgui_sdl_ = ImGui_ImplSDL2_InitForSDLRenderer(w->window_);
    w->imgui_renderer_ = ImGui_ImplSDLRenderer_Init(w->renderer_);
    if (!w->imgui_sdl_ || !w->imgui_renderer_) {
      return Status::Internal("Dear ImGui backend init failed");
    }
    SetBaseLayerFill(&KioskWindow::FillWithRenderer, w->renderer_);
  } else {
    w->imgui_sdl_ = ImGui_ImplSDL2_InitForOpenGL(w->window_, w->gl_context_);
    w->imgui_gl_ = ImGui_ImplOpenGL3_Init("#version 130");
    if (!w->imgui_sdl_ || !w->imgui_gl_) return Status::Internal("Dear ImGui backend init failed");
    // The backend would upload the font atlas as RGBA on its first frame (4 bytes a texel, plus
    // ImGui's own alpha and RGBA copies on the heap: ~70 MB at 1080x1920). Its shader and
    // buffers are made now, with ImGui's tiny default atlas, whose texture goes at once: the
    // window owns the font texture (UploadFontTexture) and the backend never makes another.
    ImGui_ImplOpenGL3_CreateDeviceObjects();
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    SetBaseLayerFill(nullptr, nullptr);
  }
  w->font_files_ = FindFontFiles(options.font_file);
  if (w->font_files_.regular.empty()) {
    std::fprintf(stderr,
                 "touchpoint-ui: no TTF font found; install fonts-noto-core or set ui.font_file\n");
  }
  w->ReloadFontsIfNeeded();
  return w;
}

KioskWindow::~KioskWindow() {
  DestroyFontTexture();
  if (image_texture_ != 0) glDeleteTextures(1, &image_texture_);
  if (image_sdl_ != nullptr) SDL_DestroyTexture(image_sdl_);
  if (imgui_renderer_) ImGui_ImplSDLRenderer_Shutdown();
  if (renderer_ != nullptr) SetBaseLayerFill(nullptr, nullptr);
  if (imgui_gl_) ImGui_ImplOpenGL3_Shutdown();
  if (imgui_sdl_) ImGui_ImplSDL2_Shutdown();
  if (ImGui::GetCurrentContext() != nullptr) ImGui::DestroyContext();
  if (gl_context_ != nullptr) SDL_GL_DeleteContext(gl_context_);
  if (renderer_ != nullptr) SDL_DestroyRenderer(renderer_);
  if (window_ != nullptr) SDL_DestroyWindow(window_);
  SDL_Quit();
}

uint32_t KioskWindow::TicksMs() const { return SDL_GetTicks(); }

void KioskWindow::SetSize(int width, int height) {
  SDL_SetWindowFullscreen(window_, 0);
  SDL_SetWindowSize(window_, width, height);
  PumpEvents(0);
}

void KioskWindow::ReloadFontsIfNeeded() {
  int w = 0, h = 0;
  SDL_GetWindowSize(window_, &w, &h);
  float short_side = static_cast<float>(std::max(200, std::min(w, h)));
  if (fonts_short_side_ > 0 &&
      std::fabs(short_side - fonts_short_side_) < 0.1f * fonts_short_side_) {
    return;
  }
  DestroyFontTexture();
  std::string error;
  if (!LoadFonts(font_files_, short_side, &fonts_, &error)) {
    std::fprintf(stderr, "touchpoint-ui: %s\n", error.c_str());
  }
  UploadFontTexture();
  fonts_short_side_ = short_side;
  redraw_needed_ = true;
}

void KioskWindow::UploadFontTexture() {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Flags |= ImFontAtlasFlags_NoPowerOfTwoHeight;  // as tall as the glyphs need
  if (renderer_ != nullptr) {
    // SDL's renderer blends an RGBA texture; its backend makes and owns it.
    ImGui_ImplSDLRenderer_CreateFontsTexture();
    io.Fonts->ClearTexData();
    io.Fonts->ClearInputData();
    return;
  }
  unsigned char* pixels = nullptr;
  int width = 0, height = 0;
  io.Fonts->GetTexDataAsAlpha8(&pixels, &width, &height);
  // One byte a texel: the texture holds coverage in its red channel and the sampler reads it as
  // (1, 1, 1, coverage), exactly what the backend's RGBA texture held (GL 3.3 or
  // ARB_texture_swizzle; otherwise the RGBA texture as before).
  GLint major = 0, minor = 0;
  glGetIntegerv(GL_MAJOR_VERSION, &major);
  glGetIntegerv(GL_MINOR_VERSION, &minor);
  const bool swizzle = major > 3 || (major == 3 && minor >= 3) ||
                       SDL_GL_ExtensionSupported("GL_ARB_texture_swizzle") == SDL_TRUE;
  GLint last_texture = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &last_texture);
  glGenTextures(1, &font_texture_);
  glBindTexture(GL_TEXTURE_2D, font_texture_);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  if (swizzle) {
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, width, height, 0, GL_RED, GL_UNSIGNED_BYTE, pixels);
    const GLint white_coverage[4] = {GL_ONE, GL_ONE, GL_ONE, GL_RED};
    glTexParameteriv(GL_TEXTURE_2D, GL_TEXTURE_SWIZZLE_RGBA, white_coverage);
  } else {
    io.Fonts->GetTexDataAsRGBA32(&pixels, &width, &height);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
  }
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(last_texture));
  io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(font_texture_)));
  // The pixels live in the texture now, and the glyphs' metrics in the fonts: the atlas's CPU
  // copies and the TTF files' bytes (one copy per size) are not needed until the next rebuild,
  // which loads the files again (LoadFonts).
  io.Fonts->ClearTexData();
  io.Fonts->ClearInputData();
}

void KioskWindow::DestroyFontTexture() {
  if (imgui_renderer_) ImGui_ImplSDLRenderer_DestroyFontsTexture();
  if (font_texture_ == 0) return;
  glDeleteTextures(1, &font_texture_);
  font_texture_ = 0;
  ImGui::GetIO().Fonts->SetTexID(nullptr);
}

bool KioskWindow::PumpEvents(int wait_ms) {
  bool input = false;
  SDL_Event ev;
  bool have = wait_ms > 0 ? SDL_WaitEventTimeout(&ev, wait_ms) != 0 : SDL_PollEvent(&ev) != 0;
  int w = 0, h = 0;
  SDL_GetWindowSize(window_, &w, &h);
  while (have) {
    switch (ev.type) {
      case SDL_QUIT:
        close_requested_ = true;
        break;
      case SDL_FINGERDOWN:
      case SDL_FINGERUP:
      case SDL_FINGERMOTION: {
        ImVec2 p(ev.tfinger.x * static_cast<float>(w), ev.tfinger.y * static_cast<float>(h));
        auto kind = ev.type == SDL_FINGERDOWN ? PointerEvent::kDown
                    : ev.type == SDL_FINGERUP ? PointerEvent::kUp
                                              : PointerEvent::kMove;
        pending_.push_back({kind, p, true, ev.tfinger.timestamp});
        input = true;
        break;
      }
      case SDL_MOUSEMOTION:
        if (ev.motion.which == SDL_TOUCH_MOUSEID) break;
        pending_.push_back(
            {PointerEvent::kMove,
             ImVec2(static_cast<float>(ev.motion.x), static_cast<float>(ev.motion.y)), false,
             ev.motion.timestamp});
        input = true;
        break;
      case SDL_MOUSEBUTTONDOWN:
      case SDL_MOUSEBUTTONUP:
        if (ev.button.which == SDL_TOUCH_MOUSEID || ev.button.button != SDL_BUTTON_LEFT) break;
        pending_.push_back(
            {ev.type == SDL_MOUSEBUTTONDOWN ? PointerEvent::kDown : PointerEvent::kUp,
             ImVec2(static_cast<float>(ev.button.x), static_cast<float>(ev.button.y)), false,
             ev.button.timestamp});
        input = true;
        break;
      case SDL_KEYDOWN:
      case SDL_KEYUP:
      case SDL_TEXTINPUT:
        ImGui_ImplSDL2_ProcessEvent(&ev);
        input = true;
        break;
      case SDL_WINDOWEVENT:
        redraw_needed_ = true;  // exposed, resized, shown...: the picture must be drawn again
        ImGui_ImplSDL2_ProcessEvent(&ev);
        break;
      default:
        ImGui_ImplSDL2_ProcessEvent(&ev);
        break;
    }
    have = SDL_PollEvent(&ev) != 0;
  }
  return input;
}

Frame KioskWindow::BeginFrame(UiProbe* probe) {
  ReloadFontsIfNeeded();
  if (renderer_ != nullptr) {
    ImGui_ImplSDLRenderer_NewFrame();
  } else {
    ImGui_ImplOpenGL3_NewFrame();
  }
  ImGui_ImplSDL2_NewFrame();
  ImGuiIO& io = ImGui::GetIO();
  // Our pointer replaces the backend's polled mouse state. Moves are applied freely; a press or
  // release ends this frame's share so that ImGui sees down for at least one frame.
  if (hide_pointer_next_) {
    pointer_.pos = ImVec2(-FLT_MAX, -FLT_MAX);
    hide_pointer_next_ = false;
  }
  float released_hold_s = -1;
  while (!pending_.empty()) {
    PointerEvent e = pending_.front();
    pending_.pop_front();
    // A held finger owns the pointer: the mouse (or X's enter/motion events for the cursor
    // parked over the window) must not move it and so cancel a long press.
    if (!e.touch && pointer_.down && last_was_touch_) continue;
    pointer_.pos = e.pos;
    last_was_touch_ = e.touch;
    if (e.kind == PointerEvent::kDown) {
      pointer_.down = true;
      pointer_.down_pos = e.pos;
      pointer_.down_since_ms = SDL_GetTicks();
      press_event_ms_ = e.event_ms;
      break;
    }
    if (e.kind == PointerEvent::kUp) {
      if (pointer_.down) released_hold_s = static_cast<float>(e.event_ms - press_event_ms_) / 1000;
      pointer_.down = false;
      if (e.touch) hide_pointer_next_ = true;  // no hover highlight after a finger lifts
      break;
    }
  }
  io.MousePos = pointer_.pos;
  io.MouseDown[0] = pointer_.down;
  io.MouseDown[1] = io.MouseDown[2] = false;
  ImGui::NewFrame();
  Frame f;
  f.size = io.DisplaySize;
  f.u = std::max(4.0f, std::min(f.size.x, f.size.y) / 100.0f);
  f.fonts = &fonts_;
  f.probe = probe;
  f.time_s = static_cast<double>(SDL_GetTicks()) / 1000.0;
  f.released_hold_s = released_hold_s;
  f.images = this;
  return f;
}

ImTextureID KioskWindow::Upload(const uint8_t* rgba, int width, int height) {
  if (width <= 0 || height <= 0 || rgba == nullptr) return nullptr;
  redraw_needed_ = true;
  const bool resized = width != image_w_ || height != image_h_;
  image_w_ = width;
  image_h_ = height;
  if (renderer_ != nullptr) {
    if (resized && image_sdl_ != nullptr) {
      SDL_DestroyTexture(image_sdl_);
      image_sdl_ = nullptr;
    }
    if (image_sdl_ == nullptr) {
      image_sdl_ = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_RGBA32, SDL_TEXTUREACCESS_STREAMING,
                                     width, height);
      if (image_sdl_ == nullptr) return nullptr;
    }
    SDL_UpdateTexture(image_sdl_, nullptr, rgba, width * 4);
    return reinterpret_cast<ImTextureID>(image_sdl_);
  }
  GLint last_texture = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &last_texture);
  if (image_texture_ == 0) {
    glGenTextures(1, &image_texture_);
    glBindTexture(GL_TEXTURE_2D, image_texture_);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  } else {
    glBindTexture(GL_TEXTURE_2D, image_texture_);
  }
  glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  if (resized) {
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
  } else {
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
  }
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(last_texture));
  return reinterpret_cast<ImTextureID>(static_cast<intptr_t>(image_texture_));
}

bool KioskWindow::press_or_release_pending() const {
  for (const PointerEvent& e : pending_) {
    if (e.kind != PointerEvent::kMove) return true;
  }
  return false;
}

void KioskWindow::EndFrameUnrendered() { ImGui::EndFrame(); }

Status KioskWindow::EndFrame(const std::string& png_path, bool force) {
  ImGui::Render();
  // A static screen (a question waiting for its answer, the dashboard between refreshes) is
  // built every frame but rendered once: the renderer's CPU goes to the camera, and a tap never
  // waits behind a frame that would not change the picture.
  uint64_t fingerprint = FrameFingerprint(*ImGui::GetDrawData());
  rendered_last_frame_ =
      force || redraw_needed_ || !png_path.empty() || fingerprint != shown_fingerprint_;
  if (!rendered_last_frame_) return Status();
  shown_fingerprint_ = fingerprint;
  redraw_needed_ = false;
  if (renderer_ != nullptr) return PresentWithRenderer(png_path);
  ImGuiIO& io = ImGui::GetIO();
  glViewport(0, 0, static_cast<int>(io.DisplaySize.x * io.DisplayFramebufferScale.x),
             static_cast<int>(io.DisplaySize.y * io.DisplayFramebufferScale.y));
  glClearColor(0.05f, 0.09f, 0.17f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  Status result;
  if (!png_path.empty()) {
    int w = 0, h = 0;
    SDL_GL_GetDrawableSize(window_, &w, &h);
    std::vector<unsigned char> pixels(static_cast<size_t>(w) * h * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
    // OpenGL rows go bottom-up; PNG rows top-down.
    std::vector<unsigned char> flipped(pixels.size());
    size_t row = static_cast<size_t>(w) * 4;
    for (int y = 0; y < h; ++y) {
      std::copy_n(&pixels[static_cast<size_t>(h - 1 - y) * row], row, &flipped[y * row]);
    }
    for (size_t i = 3; i < flipped.size(); i += 4) flipped[i] = 255;
    if (stbi_write_png(png_path.c_str(), w, h, 4, flipped.data(), static_cast<int>(row)) == 0) {
      result = Status::IoError("could not write " + png_path);
    }
  }
  SDL_GL_SwapWindow(window_);
  return result;
}

Status KioskWindow::PresentWithRenderer(const std::string& png_path) {
  SDL_RenderSetClipRect(renderer_, nullptr);
  SDL_SetRenderDrawBlendMode(renderer_, SDL_BLENDMODE_NONE);
  SDL_SetRenderDrawColor(renderer_, 13, 23, 43, 255);  // as the OpenGL path's clear colour
  SDL_RenderClear(renderer_);
  ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
  Status result;
  if (!png_path.empty()) {
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(renderer_, &w, &h);
    std::vector<unsigned char> pixels(static_cast<size_t>(w) * h * 4);
    if (SDL_RenderReadPixels(renderer_, nullptr, SDL_PIXELFORMAT_RGBA32, pixels.data(), w * 4) !=
        0) {
      result = Status::IoError(std::string("SDL_RenderReadPixels: ") + SDL_GetError());
    } else {
      for (size_t i = 3; i < pixels.size(); i += 4) pixels[i] = 255;
      if (stbi_write_png(png_path.c_str(), w, h, 4, pixels.data(), w * 4) == 0) {
        result = Status::IoError("could not write " + png_path);
      }
    }
  }
  SDL_RenderPresent(renderer_);
  return result;
}

void KioskWindow::FillWithRenderer(int x, int y, int w, int h, ImVec4 color, void* user) {
  auto* renderer = static_cast<SDL_Renderer*>(user);
  // Opaque, like the scissored glClear of the OpenGL path.
  SDL_RenderSetClipRect(renderer, nullptr);
  SDL_SetRenderDrawBlendMode(renderer, SDL_BLENDMODE_NONE);
  SDL_SetRenderDrawColor(renderer, static_cast<Uint8>(std::lround(color.x * 255.0f)),
                         static_cast<Uint8>(std::lround(color.y * 255.0f)),
                         static_cast<Uint8>(std::lround(color.z * 255.0f)), 255);
  SDL_Rect r{x, y, w, h};
  SDL_RenderFillRect(renderer, &r);
  SDL_SetRenderDrawBlendMode(renderer, SDL_BLENDMODE_BLEND);
}

}  // namespace touchpoint::ui
