#include "kiosk_app.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <thread>

#include "status_reporter.h"
#include "touchpoint/core/heartbeat.h"
#include "touchpoint/core/service_watchdog.h"

// === includes (components) ===
#if HAVE_TOUCHPOINT_SENSORS
// === sensors include ===
#include "touchpoint/sensors/footfall_service.h"
#endif
#if HAVE_TOUCHPOINT_SYNC
// === sync include ===
#include "touchpoint/sync/uplink.h"
#endif
#if HAVE_TOUCHPOINT_UI
// === ui include ===
#include "touchpoint/ui/kiosk_ui.h"
#endif

namespace touchpoint::app {

void HandleStopSignals(std::atomic<bool>* stop) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set, stop] {
    int sig = 0;
    sigwait(&set, &sig);
    spdlog::info("signal {} received: stopping", sig);
    stop->store(true);
  }).detach();
}

KioskApp::KioskApp(Config config, std::atomic<bool>* stop)
    : config_(std::move(config)), stop_(stop) {}

KioskApp::~KioskApp() = default;

Status KioskApp::Init(bool inspect_only) {
  EventStoreOptions opts;
  opts.path = config_.kiosk.data_dir + "/events.db";  // the store makes the folder (0750)
  opts.disk_budget_bytes = config_.kiosk.disk_budget_mb * 1024 * 1024;
  opts.count_boot = !inspect_only;
  // A running kiosk survives a full disk or an unwritable data folder: it starts degraded (the
  // screen says answers cannot be saved, status still goes out) and the store keeps retrying.
  // Inspection (show-stored, export) has nothing to offer without the database: it fails.
  opts.degrade_on_storage_error = !inspect_only;
  auto store = EventStore::Open(opts);
  if (!store.ok()) {
    return Status::IoError("kiosk.data_dir " + config_.kiosk.data_dir + ": " +
                           store.status().ToString());
  }
  store_ = std::move(*store);
  for (const auto& p : store_->open_report().problems) spdlog::error("storage: {}", p);
  if (config_.mqtt.password_source == "config") {
    spdlog::warn(
        "mqtt.password is in the config file in clear: prefer mqtt.password_file or "
        "TOUCHPOINT_MQTT_PASSWORD");
  }
  if (store_->WritesFailing()) {
    spdlog::error("running degraded: answers and counts cannot be saved until {}",
                  "the event store opens (retrying with backoff)");
  }
  stamper_ = std::make_unique<EventStamper>(config_.kiosk, SystemClock());
  survey_ = std::make_unique<SurveySlot>(config_.survey);
  spdlog::info("kiosk {} (store {}, {} / {}), boot {}, data in {}", config_.kiosk.kiosk_id,
               config_.kiosk.store_id, config_.kiosk.touchpoint, config_.kiosk.journey_stage,
               store_->boot_count(), config_.kiosk.data_dir);
  return Status::Ok();
}

namespace {

bool DisplayAvailable() {
  const char* x = std::getenv("DISPLAY");
  const char* w = std::getenv("WAYLAND_DISPLAY");
  return (x && *x) || (w && *w);
}

}  // namespace

int KioskApp::Run(const RunOptions& options) {
  StatusSources sources;
  sources.config_version = config_.version;
  sources.startup_problems = store_->open_report().problems;

  // === sensors ===
  // The crowd when a rating starts (feedback context, camera-checked anti-spam); unset without
  // a camera: ratings then carry `context: null`.
  std::function<std::optional<FeedbackContext>()> crowd_context;
#if HAVE_TOUCHPOINT_SENSORS
  std::unique_ptr<sensors::FootfallService> footfall;
  if (config_.camera.enabled) {
    sensors::FootfallServiceOptions footfall_options;
    footfall_options.footfall = config_.footfall;
    footfall = std::make_unique<sensors::FootfallService>(
        config_.camera, store_.get(), stamper_.get(), std::move(footfall_options));
    if (Status s = footfall->Start(); !s.ok()) {
      spdlog::error("camera: {}", s.ToString());
      footfall.reset();
    } else {
      sources.camera = [f = footfall.get()] { return f->Health(); };
      crowd_context = [f = footfall.get()] { return f->CrowdContext(); };
      spdlog::info("counting footfall from {}", config_.camera.source);
    }
  }
#endif
  // === end sensors ===

  // === sync ===
  // The uplink publishes the status the reporter builds; the reporter shows the uplink's health.
  StatusReporter* status_ptr = nullptr;
#if HAVE_TOUCHPOINT_SYNC
  std::unique_ptr<sync::Uplink> uplink;
  if (config_.mqtt.enabled) {
    sync::UplinkHooks hooks;
    hooks.status = [&status_ptr] { return status_ptr->Current(); };
    hooks.config_state_file = config_.kiosk.data_dir + "/config_push.state";
    hooks.survey_applied = [](const SurveyDefinition& s) {
      spdlog::info("survey {} version {} pushed from central is now in use", s.id, s.version);
    };
    uplink = std::make_unique<sync::Uplink>(config_.mqtt, config_.kiosk, store_.get(),
                                            survey_.get(), hooks);
    sources.sync = [u = uplink.get()] { return u->Health(); };
  }
#endif
  // === end sync ===

  StatusReporter status(config_.kiosk, store_.get(), stamper_.get(), sources);
  status_ptr = &status;
  status.Start();
#if HAVE_TOUCHPOINT_SYNC
  if (uplink) {
    if (Status s = uplink->Start(); !s.ok()) {
      spdlog::error("sync: {}", s.ToString());
    } else {
      spdlog::info("syncing to {} under {}", config_.mqtt.uri, config_.mqtt.topic_prefix);
    }
  }
#endif

  // systemd (docs/operations.md): READY once the store is open and every part started; then
  // WATCHDOG pings only while the main loop (UI or headless), the camera thread and the store
  // writer all answer. A hung one stops the pings and systemd restarts the kiosk.
  Heartbeat main_loop;
  ServiceWatchdog watchdog(store_.get(), [](const std::string& unresponsive) {
    if (unresponsive.empty()) {
      spdlog::info("watchdog: every part responds again");
    } else {
      spdlog::error("watchdog: not responding: {}; no more watchdog pings", unresponsive);
    }
  });
  watchdog.Watch("main loop", &main_loop);
#if HAVE_TOUCHPOINT_SENSORS
  if (footfall) watchdog.Watch("camera thread", &footfall->heartbeat());
#endif
  if (watchdog.interval_ms() > 0) {
    spdlog::info("systemd watchdog: every {} ms", watchdog.interval_ms());
  }

  int exit_code = 0;
  auto deadline = options.run_for_s > 0
                      ? std::chrono::steady_clock::now() + std::chrono::seconds(options.run_for_s)
                      : std::chrono::steady_clock::time_point::max();
  bool want_ui = config_.ui.enabled && !options.headless && DisplayAvailable();
  bool ran_ui = false;
  (void)want_ui;
  // === ui ===
#if HAVE_TOUCHPOINT_UI
  if (want_ui) {
    ui::UiContext ui_ctx;
    ui_ctx.ui = &config_.ui;
    ui_ctx.kiosk = &config_.kiosk;
    ui_ctx.store = store_.get();
    ui_ctx.stamper = stamper_.get();
    ui_ctx.survey = survey_.get();
    ui_ctx.sync_health = sources.sync;
    ui_ctx.camera_health = sources.camera;
    if (footfall) {
      ui_ctx.camera_setup_open = [f = footfall.get()](bool open) { f->SetPreviewWanted(open); };
      ui_ctx.camera_setup_view = [f = footfall.get()](CameraSetupView* v) {
        return f->SetupView(v);
      };
    }
    ui_ctx.crowd_context = crowd_context;
    ui_ctx.require_person_at_kiosk =
        config_.antispam.require_person_at_kiosk && config_.footfall.has_kiosk_zone();
    ui_ctx.config_version = config_.version;
    ui_ctx.software_version = TOUCHPOINT_VERSION;
    ui_ctx.stop = stop_;
    ui_ctx.heartbeat = &main_loop;
    if (!options.screenshot_tour.empty()) {
      exit_code = ui::RunScreenshotTour(ui_ctx, options.screenshot_tour);
      ran_ui = true;
    } else {
      watchdog.Ready("kiosk running, window open");
      std::thread ui_timer;  // --run-for-s: end the UI at the deadline
      if (options.run_for_s > 0) {
        ui_timer = std::thread([this, deadline] {
          while (!stop_->load() && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
          }
          stop_->store(true);
        });
      }
      int rc = ui::RunKioskUi(ui_ctx);  // until the manager leaves kiosk mode or a stop signal
      ran_ui = rc == 0;
      if (ran_ui) {
        stop_->store(true);
      } else {
        spdlog::error("the kiosk window could not be opened; running headless");
      }
      if (ui_timer.joinable()) ui_timer.join();
    }
  }
#endif
  // === end ui ===
  if (!ran_ui) {
    if (!options.screenshot_tour.empty()) {
      spdlog::error("--screenshot-tour needs the UI (built without it, or no display)");
      exit_code = 2;
    } else {
      spdlog::info("running headless{}", options.run_for_s > 0
                                             ? " for " + std::to_string(options.run_for_s) + " s"
                                             : "; stop with Ctrl-C or SIGTERM");
      watchdog.Ready("kiosk running headless");
      while (!stop_->load() && std::chrono::steady_clock::now() < deadline) {
        main_loop.Beat(100);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  }

  stop_->store(true);
  watchdog.Stop();
  // Producers stop first (the camera writes its partial interval), then the uplink gets a short,
  // bounded chance to deliver what is pending while still connected; the rest waits for the next
  // start. Everything stops before the store goes.
#if HAVE_TOUCHPOINT_SENSORS
  if (footfall) footfall->Stop();
#endif
  status.Stop();
  store_->Flush();
#if HAVE_TOUCHPOINT_SYNC
  if (uplink) {
    auto drain_until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (uplink->Health().connected && store_->Stats().pending > 0 &&
           std::chrono::steady_clock::now() < drain_until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    uplink->Stop();
  }
#endif
  StoreStats st = store_->Stats();
  spdlog::info("stopped: {} events pending for the hub, last seq {}", st.pending, st.last_seq);
  return exit_code;
}

}  // namespace touchpoint::app
