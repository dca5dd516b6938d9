// The kiosk program's wiring: owns the store and every component, starts them in order, and
// stops them in reverse. The only place that knows sensors, sync and ui at once.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "touchpoint/core/config.h"
#include "touchpoint/core/event_stamper.h"
#include "touchpoint/core/event_store.h"
#include "touchpoint/core/survey.h"

namespace touchpoint::app {

struct RunOptions {
  bool headless = false;        // never open a window, even if [ui] enabled and a display exists
  int run_for_s = 0;            // stop by itself after this long (demo, tests); 0 = until signalled
  std::string screenshot_tour;  // non-empty: render every screen to PNGs in this folder and exit
};

class KioskApp {
 public:
  // `stop` is set by signal handling (HandleStopSignals) or by the app itself.
  KioskApp(Config config, std::atomic<bool>* stop);
  ~KioskApp();

  // Creates the data folder and opens the store. Errors say what and where.
  // `inspect_only`: open the store without counting a kiosk start (show-stored, export).
  Status Init(bool inspect_only = false);
  // Runs until SIGINT/SIGTERM, run_for_s, or the manager leaves kiosk mode. Returns the exit code.
  int Run(const RunOptions& options);

  EventStore* store() { return store_.get(); }
  const Config& config() const { return config_; }

 private:
  Config config_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<EventStamper> stamper_;
  std::unique_ptr<SurveySlot> survey_;
  std::atomic<bool>* stop_;
};

// Blocks SIGINT/SIGTERM in the calling thread (and threads it creates later) and starts a thread
// that sets *stop when one arrives. Call before any other thread starts.
void HandleStopSignals(std::atomic<bool>* stop);

}  // namespace touchpoint::app
