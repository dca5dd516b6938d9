// The screens. Each is a function of (frame, view model) that draws one full-window screen and
// returns what the person did; the controller (kiosk_controller.h) acts on it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "attract_wave.h"
#include "dashboard_worker.h"
#include "survey_session.h"
#include "text_entry.h"
#include "widgets.h"

namespace touchpoint::ui {

// ---- attract ----
struct AttractView {
  std::string title;  // the survey's title in `language`
  std::string language;
  std::string fallback_language;
  std::vector<std::string> languages;
  bool cannot_save = false;  // the store cannot save right now: say so (probe: notice:cannot_save)
};
struct AttractAction {
  bool start = false;
  std::optional<std::string> language;
};
AttractAction DrawAttractScreen(const Frame& f, const AttractView& v);

// ---- a survey question (every type) ----
struct QuestionAction {
  enum Kind { kNone, kScore, kToggleTag, kNext, kSkip, kBack, kLanguage } kind = kNone;
  int score = 0;
  std::string tag;       // kToggleTag
  std::string language;  // kLanguage
  // Text questions: keys pressed this frame (on-screen or physical), applied with PressKey
  // before `kind`.
  std::vector<KeyDef> keys;
};
// `keyboard` is the on-screen keyboard's state for a text question.
QuestionAction DrawQuestionScreen(const Frame& f, const SurveySession& s,
                                  const std::string& fallback_language,
                                  const KeyboardState& keyboard = {});
// The body of a free-text question below the progress bar at `top` (screen_text_question.cc):
// prompt, text area with caret and counter, privacy hint, keyboard, back and skip/next.
void DrawTextQuestion(const Frame& f, const SurveySession& s, const KeyboardState& keyboard,
                      const std::string& fallback_language, float top, QuestionAction* action);

// ---- thank you ----
enum class SaveState { kSaving, kSaved, kFailed };
struct ThankYouView {
  std::string message;  // the survey's thank-you text
  std::string language;
  SaveState save = SaveState::kSaving;  // kFailed: says the answers could not be saved
  float progress = 0;                   // 0..1 of the thank-you time elapsed
};
bool DrawThankYouScreen(const Frame& f, const ThankYouView& v);  // true: tapped to finish

// ---- PIN ----
struct PinView {
  std::string heading;  // "Manager PIN", "New PIN", "Repeat new PIN"
  int digits_entered = 0;
  std::string message;  // error / lockout text
  bool message_is_error = false;
  bool locked = false;
};
struct PinAction {
  enum Kind { kNone, kDigit, kDelete, kEnter, kCancel } kind = kNone;
  char digit = 0;
};
PinAction DrawPinScreen(const Frame& f, const PinView& v);

// ---- manager dashboard ----
struct DashboardView {
  std::shared_ptr<const DashboardData> data;  // may be null while loading
  const SurveyDefinition* survey = nullptr;   // for reason labels
  std::string kiosk_id, store_id;
  std::string software_version, config_version;
  ExportState export_state;
  bool export_open = false;
  std::string notice;  // e.g. "PIN changed"
  int64_t now_ms = 0;
  bool camera_setup = false;  // a camera is wired: offer its setup screen
};
struct DashboardAction {
  enum Kind {
    kNone,
    kClose,
    kExitKiosk,
    kChangePin,
    kToggleExport,
    kExport,
    kCameraSetup
  } kind = kNone;
  std::string folder;  // kExport
};
DashboardAction DrawDashboardScreen(const Frame& f, const DashboardView& v);
// "Person size (learned): 60 px tall at the top, 140 px at the bottom", or "learning".
std::string PersonSizeText(const CameraHealth& c);

// ---- camera setup (manager only, from the dashboard) ----
struct SetupScreenView {
  const CameraSetupView* view = nullptr;  // null: no frame yet
  ImTextureID texture = nullptr;          // the view uploaded for this frame
};
// True when "Back" was tapped.
bool DrawSetupScreen(const Frame& f, const SetupScreenView& v);

// Shared chrome: the language pill row; returns the chosen language, if any.
std::optional<std::string> DrawLanguageRow(const Frame& f, const std::vector<std::string>& langs,
                                           const std::string& current, ImVec2 pos, float width,
                                           float height);

}  // namespace touchpoint::ui
