#include "touchpoint/ui/ui_probe.h"

#include <SDL.h>

#include <thread>

namespace touchpoint::ui {

namespace {

template <typename Pred>
bool Poll(Pred pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace

std::string UiProbe::screen() const {
  std::lock_guard<std::mutex> lock(mu_);
  return screen_;
}

uint64_t UiProbe::frames() const {
  std::lock_guard<std::mutex> lock(mu_);
  return frames_;
}

std::optional<TargetRect> UiProbe::target(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = targets_.find(name);
  if (it == targets_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> UiProbe::targets() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, rect] : targets_) out.push_back(name);
  return out;
}

bool UiProbe::WaitForScreen(const std::string& name, std::chrono::milliseconds timeout) const {
  return Poll([&] { return screen() == name; }, timeout);
}

bool UiProbe::WaitForTarget(const std::string& name, std::chrono::milliseconds timeout) const {
  return Poll([&] { return target(name).has_value(); }, timeout);
}

bool UiProbe::WaitFrames(int n, std::chrono::milliseconds timeout) const {
  uint64_t until = frames() + static_cast<uint64_t>(n);
  return Poll([&] { return frames() >= until; }, timeout);
}

void UiProbe::PushFinger(uint32_t type, float x, float y) {
  float w, h;
  {
    std::lock_guard<std::mutex> lock(mu_);
    w = width_;
    h = height_;
  }
  SDL_Event ev{};
  ev.type = type;
  ev.tfinger.timestamp = SDL_GetTicks();
  ev.tfinger.touchId = 1;
  ev.tfinger.fingerId = 1;
  ev.tfinger.x = x / w;
  ev.tfinger.y = y / h;
  ev.tfinger.pressure = type == SDL_FINGERUP ? 0.0f : 1.0f;
  if (type == SDL_FINGERUP) {
    std::lock_guard<std::mutex> lock(mu_);
    last_release_ = std::chrono::steady_clock::now();
  }
  SDL_PushEvent(&ev);
}

bool UiProbe::Tap(const std::string& name) {
  auto t = target(name);
  if (!t) return false;
  float x = t->x + t->w * 0.5f, y = t->y + t->h * 0.5f;
  PushFinger(SDL_FINGERDOWN, x, y);
  PushFinger(SDL_FINGERUP, x, y);
  return true;
}

void UiProbe::PressFinger(float x, float y) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    finger_x_ = x;
    finger_y_ = y;
  }
  PushFinger(SDL_FINGERDOWN, x, y);
}

void UiProbe::LiftFinger() {
  float x, y;
  {
    std::lock_guard<std::mutex> lock(mu_);
    x = finger_x_;
    y = finger_y_;
  }
  PushFinger(SDL_FINGERUP, x, y);
}

void UiProbe::MoveMouse(float x, float y) {
  SDL_Event ev{};
  ev.type = SDL_MOUSEMOTION;
  ev.motion.timestamp = SDL_GetTicks();
  ev.motion.which = 0;
  ev.motion.x = static_cast<int>(x);
  ev.motion.y = static_cast<int>(y);
  SDL_PushEvent(&ev);
}

std::vector<double> UiProbe::frame_ms() const {
  std::lock_guard<std::mutex> lock(mu_);
  return frame_ms_;
}

std::vector<double> UiProbe::tap_to_durable_ms() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tap_ms_;
}

std::vector<double> UiProbe::tap_to_queue_ms() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tap_queue_ms_;
}

void UiProbe::ClearSamples() {
  std::lock_guard<std::mutex> lock(mu_);
  frame_ms_.clear();
  tap_ms_.clear();
  tap_queue_ms_.clear();
}

void UiProbe::BeginFrame(const std::string& screen, float width, float height) {
  std::lock_guard<std::mutex> lock(mu_);
  building_.clear();
  screen_building_ = screen;
  width_ = width;
  height_ = height;
}

void UiProbe::AddTarget(const std::string& name, TargetRect rect) {
  std::lock_guard<std::mutex> lock(mu_);
  building_[name] = rect;
}

void UiProbe::EndFrame(double frame_ms, bool rendered) {
  std::lock_guard<std::mutex> lock(mu_);
  targets_.swap(building_);
  screen_ = screen_building_;
  ++frames_;
  if (rendered && frame_ms_.size() < 1'000'000) frame_ms_.push_back(frame_ms);
}

std::chrono::steady_clock::time_point UiProbe::last_release() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_release_;
}

void UiProbe::AddTapToDurable(double ms, double queue_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  tap_ms_.push_back(ms);
  tap_queue_ms_.push_back(queue_ms);
}

}  // namespace touchpoint::ui
