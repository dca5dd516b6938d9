// The kiosk's state machine: which screen is shown, the shopper's session (start, answers,
// idle timeout, submit with anti-spam flag), the manager's gesture, PIN and dashboard. Acts on
// what the screens return. UI thread only.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "dashboard_worker.h"
#include "screens.h"
#include "sdl_window.h"
#include "survey_session.h"
#include "touchpoint/ui/kiosk_ui.h"
#include "touchpoint/ui/manager_pin.h"

namespace touchpoint::ui {

class KioskController {
 public:
  // `pin` and `worker` are borrowed and may be null only in the screenshot tour.
  KioskController(const UiContext& ctx, ManagerPin* pin, DashboardWorker* worker);
  // Opens the manager PIN when the PIN prompt opens while `pin` is null (it could not be opened
  // at start, e.g. the data folder could not be made on a full disk). Optional; UI thread.
  void SetPinOpener(std::function<std::unique_ptr<ManagerPin>()> opener) {
    pin_opener_ = std::move(opener);
  }
  ~KioskController();

  // Draws the current screen for this frame and acts on the input. Returns false when the
  // manager has left kiosk mode.
  bool RunFrame(const Frame& f, const PointerState& pointer, uint32_t ticks_ms, bool had_input);
  // A session in progress is recorded as abandoned (the kiosk is stopping).
  void Shutdown();

  const char* screen_name() const;
  // Frame pacing when nobody touches the screen: how long after a frame at `time_s`
  // (Frame::time_s) the next one is due. A frame interval while the screen animates; a short
  // tick on screens with timers (a question's idle timeout and caret, the dashboard's refresh);
  // on the attract screen the time until its next wave, at most kAttractPollMs so that the
  // storage notice and a pushed survey still show soon. Input wakes the UI earlier.
  uint32_t IdleFrameMs(double time_s) const;
  // Tests/bench: open the dashboard without the PIN (UiContext::start_screen).
  void OpenDashboardForTest();

 private:
  enum class Screen { kAttract, kQuestion, kThankYou, kPin, kDashboard, kSetup };
  enum class PinMode { kUnlock, kNewPin, kConfirmPin };
  struct SubmitState {
    std::atomic<int> state{0};  // 0 saving, 1 saved, 2 failed
  };

  int64_t NowMs() const;
  void Go(Screen s);
  void StartSession();
  void Submit();
  void Abandon();
  void Record(Event event, std::shared_ptr<SubmitState> state, bool is_feedback);
  void OpenPin(PinMode mode);
  void HandlePin(const PinAction& a);

  UiContext ctx_;
  ManagerPin* pin_;
  std::function<std::unique_ptr<ManagerPin>()> pin_opener_;
  std::unique_ptr<ManagerPin> opened_pin_;  // what pin_opener_ gave, once it worked
  DashboardWorker* worker_;
  Screen screen_ = Screen::kAttract;
  std::string language_;
  std::unique_ptr<SurveySession> session_;
  // The on-screen keyboard of a text question; reset when another question is shown.
  KeyboardState keyboard_;
  int keyboard_index_ = -1;  // the session's question index keyboard_ belongs to
  SpamGuard spam_;
  // The crowd when the current session started, and who stood at the kiosk during it.
  std::optional<FeedbackContext> session_context_;
  KioskPresenceCheck presence_;
  void SamplePresence();
  int64_t last_input_ms_ = 0;
  int64_t screen_since_ms_ = 0;
  std::shared_ptr<SubmitState> submit_;
  std::string thank_you_text_, thank_you_lang_;
  // PIN entry.
  PinMode pin_mode_ = PinMode::kUnlock;
  std::string pin_digits_, new_pin_;
  std::string pin_message_;
  bool pin_message_error_ = false;
  // Camera setup: the latest view and its texture (uploaded when a new frame was drawn).
  CameraSetupView setup_view_;
  bool have_setup_view_ = false;
  int64_t setup_uploaded_frame_ = -1;
  ImTextureID setup_texture_ = nullptr;
  // Dashboard.
  bool export_open_ = false;
  std::string notice_;
  bool exit_ = false;
};

}  // namespace touchpoint::ui
