// The kiosk's face: the shopper's survey screens and the store manager's dashboard, Dear ImGui
// on SDL2 + OpenGL (docs/ui.md).
//
// Threads: RunKioskUi and RunScreenshotTour own the calling thread (the process's main thread:
// SDL and Dear ImGui are single-threaded) until they return. The UI never waits on the network:
// health comes through the providers below, which a background dashboard thread calls, and
// writes go through EventStore::AppendAsync. Nothing else in the program calls ImGui.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "touchpoint/core/config.h"
#include "touchpoint/core/event_stamper.h"
#include "touchpoint/core/event_store.h"
#include "touchpoint/core/health.h"
#include "touchpoint/core/heartbeat.h"
#include "touchpoint/core/survey.h"

namespace touchpoint::ui {

class UiProbe;

// The UI's own health (submissions that could not be stored, ...), for the app's status events.
// Thread-safe.
class UiHealthState {
 public:
  UiHealth Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return health_;
  }
  void RecordStoreFailure(const std::string& error) {
    std::lock_guard<std::mutex> lock(mu_);
    health_.last_store_error = error;
    ++health_.store_failures;
  }

 private:
  mutable std::mutex mu_;
  UiHealth health_;
};

// Everything the UI needs, passed in by the app wiring. Pointers are borrowed: they must outlive
// the Run* call. Only `ui`, `kiosk`, `stamper` and `survey` are required.
struct UiContext {
  const UiConfig* ui = nullptr;
  const KioskConfig* kiosk = nullptr;
  EventStore* store = nullptr;            // nullptr: sessions are not stored (preview)
  const EventStamper* stamper = nullptr;  // its clock drives timeouts, durations and "today"
  SurveySlot* survey = nullptr;           // snapshot taken at the start of each session
  // Health of the other components, called from the dashboard thread (never the UI thread),
  // at most every UiConfig::dashboard_refresh_s. Optional.
  std::function<SyncHealth()> sync_health;
  std::function<CameraHealth()> camera_health;
  // The installer's camera setup screen (from the dashboard; docs/footfall.md): told when it
  // opens and closes (the camera draws its edge-only view only in between), and asked for the
  // latest view on the UI thread while open (false: no frame yet; `camera` filled anyway).
  // Optional: without camera_setup_view the dashboard offers no setup screen.
  std::function<void(bool open)> camera_setup_open;
  std::function<bool(CameraSetupView*)> camera_setup_view;
  // The crowd now (footfall camera), called on the UI thread when a session starts and at each
  // answer: must be cheap and never wait. nullopt when the camera is not counting. Optional:
  // unset, ratings carry `context: null`.
  std::function<std::optional<FeedbackContext>()> crowd_context;
  // Flag sessions during which nobody was in the kiosk zone (antispam.require_person_at_kiosk
  // with a footfall.kiosk_zone).
  bool require_person_at_kiosk = false;
  std::string config_version;
  std::string software_version;
  std::atomic<bool>* stop = nullptr;   // set by the app (signal): RunKioskUi returns soon after
  UiHealthState* ui_health = nullptr;  // optional: where store failures are reported
  Heartbeat* heartbeat = nullptr;      // optional: beaten by the UI loop (service watchdog)
  // Tests and benchmarks only: observe screens and tap named targets (ui_probe.h). Also lets
  // `start_screen` skip the PIN; the app leaves both unset.
  UiProbe* probe = nullptr;
  std::string start_screen;  // "" (attract) or "dashboard" (needs probe)
  bool windowed = false;     // force a window of ui->width x ui->height even if ui->fullscreen
  // Benchmarks: render every frame, even one that draws the picture already on screen (the
  // kiosk skips those), to measure the full render cost.
  bool render_every_frame = false;
};

// Runs the kiosk until the manager leaves kiosk mode (PIN, then "Exit kiosk mode") or *stop is
// set. The manager PIN lives in <kiosk->data_dir>/manager_pin (created with a fresh random PIN
// on first start, printed once to stderr). Returns 0 on a normal exit, 1 if the window could
// not be opened (the message is printed to stderr).
// REQUIRES: called on the main thread; ctx.ui, ctx.kiosk, ctx.stamper, ctx.survey set.
int RunKioskUi(UiContext ctx);

// Renders every screen once (attract, each question type, thank-you, PIN, dashboard with the
// store's data) into <outdir>/<NN>-<screen>.png and returns 0, or 1 on error. Stores nothing
// and does not touch the manager PIN. REQUIRES: as RunKioskUi; outdir exists or can be made.
int RunScreenshotTour(UiContext ctx, const std::string& outdir);

}  // namespace touchpoint::ui
