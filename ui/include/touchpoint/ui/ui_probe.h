// Test and benchmark seam: the UI publishes which screen it shows, where its tap targets are
// and how long frames take; a driver thread taps targets through real SDL touch events pushed
// into the window's event queue, so the real event loop and hit-testing run. Thread-safe.
// The app never creates one.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace touchpoint::ui {

struct TargetRect {
  float x = 0, y = 0, w = 0, h = 0;  // window pixels
};

class UiProbe {
 public:
  // ---- driver side (any thread) ----
  std::string screen() const;
  uint64_t frames() const;
  std::optional<TargetRect> target(const std::string& name) const;
  std::vector<std::string> targets() const;
  // Waits until the named screen is shown / the named target is on screen.
  bool WaitForScreen(const std::string& name,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  bool WaitForTarget(const std::string& name,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  // Waits for `n` more frames to be rendered.
  bool WaitFrames(int n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  // Pushes SDL_FINGERDOWN then SDL_FINGERUP at the centre of the named target. False if the
  // target is not on screen.
  bool Tap(const std::string& name);
  // Pushes a finger down at window pixel (x, y); LiftFinger() releases it.
  void PressFinger(float x, float y);
  void LiftFinger();
  // Pushes a mouse move to window pixel (x, y), as X sends when the window appears under a
  // parked cursor.
  void MoveMouse(float x, float y);
  // Samples recorded by the UI: build+render+swap time of each rendered frame, and for each
  // submitted session the time from the submitting tap (the moment the driver pushed its finger
  // release, see last_release()) to the store's durable-commit callback.
  std::vector<double> frame_ms() const;
  std::vector<double> tap_to_durable_ms() const;
  // The UI's share of each tap_to_durable_ms sample: from the release to the store's queue.
  std::vector<double> tap_to_queue_ms() const;
  void ClearSamples();

  // ---- UI side (UI thread) ----
  void BeginFrame(const std::string& screen, float width, float height);
  void AddTarget(const std::string& name, TargetRect rect);
  // `rendered`: false for a frame built but not rendered (it drew nothing new); only rendered
  // frames are frame-time samples.
  void EndFrame(double frame_ms, bool rendered = true);
  void AddTapToDurable(double ms, double queue_ms);
  // When Tap() or LiftFinger() last pushed a finger release (the start of tap-to-durable).
  std::chrono::steady_clock::time_point last_release() const;

 private:
  void PushFinger(uint32_t type, float x, float y);
  mutable std::mutex mu_;
  std::string screen_, screen_building_;
  uint64_t frames_ = 0;
  float width_ = 1, height_ = 1;
  std::map<std::string, TargetRect> building_, targets_;
  std::vector<double> frame_ms_, tap_ms_, tap_queue_ms_;
  float finger_x_ = 0, finger_y_ = 0;
  std::chrono::steady_clock::time_point last_release_ = std::chrono::steady_clock::now();
};

}  // namespace touchpoint::ui
