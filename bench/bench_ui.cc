// touchpoint-bench ui [--sessions N] [--frames N] [--tour DIR] [--renderer opengl|software]
//
// Renders the manager dashboard with a week of data in a real 1080x1920 window and measures the
// frame time (build + render + swap, Mesa llvmpipe), then drives shopper sessions through the
// real event loop with SDL touch events and measures tap-to-durable (the submitting tap to the
// store's durable commit). Needs a display: it starts its own Xvfb unless DISPLAY is set
// (LIBGL_ALWAYS_SOFTWARE=1). With --tour DIR it also writes the screenshot tour there.
// ui_frame_cpu_ms is the process's CPU time per dashboard frame (all threads), for comparing
// runs on a loaded machine. Tap-to-durable starts at the driver's finger release.
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "bench.h"
#include "test_support.h"
#include "touchpoint/core/event_stamper.h"
#include "touchpoint/core/event_store.h"
#include "touchpoint/ui/demo_data.h"
#include "touchpoint/ui/kiosk_ui.h"
#include "touchpoint/ui/ui_probe.h"
#include "xvfb.h"

namespace touchpoint::bench {
namespace {

using touchpoint::testing::TempDir;
using touchpoint::testing::WaitFor;

// The real clock shifted so that "now" is 17:30 today: the dashboard then shows a busy day
// whatever the hour the benchmark runs at.
class AfternoonClock : public Clock {
 public:
  AfternoonClock() {
    int64_t now = real_->NowUtcMs();
    shift_ = now / 86'400'000 * 86'400'000 + 17 * 3'600'000 + 1'800'000 - now;
  }
  int64_t NowUtcMs() const override { return real_->NowUtcMs() + shift_; }
  int64_t MonotonicMs() const override { return real_->MonotonicMs(); }
  int32_t UtcOffsetMin(int64_t) const override { return 0; }
  bool IsSynced() const override { return true; }

 private:
  std::shared_ptr<Clock> real_ = SystemClock();
  int64_t shift_ = 0;
};

// CPU time of this whole process (UI thread, llvmpipe's rasterizer threads, the dashboard
// worker), in ms: a per-frame figure that other load on the machine does not inflate much.
double ProcessCpuMs() { return ProcessCpuSeconds() * 1e3; }

int Run(const std::vector<std::string>& args) {
  int sessions = 100, frames = 300;
  std::string tour, renderer = "opengl";
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--renderer") renderer = args[i + 1];
    if (args[i] == "--sessions") sessions = std::atoi(args[i + 1].c_str());
    if (args[i] == "--frames") frames = std::atoi(args[i + 1].c_str());
    if (args[i] == "--tour") tour = args[i + 1];
  }
  std::unique_ptr<testing::Xvfb> xvfb;
  if (std::getenv("DISPLAY") == nullptr || *std::getenv("DISPLAY") == '\0') {
    xvfb = std::make_unique<testing::Xvfb>();
    if (xvfb->ok()) ::setenv("DISPLAY", xvfb->display().c_str(), 1);
    if (!xvfb->ok()) {
      std::fprintf(stderr, "bench ui: no DISPLAY and Xvfb could not be started\n");
      return 1;
    }
  }
  ::setenv("LIBGL_ALWAYS_SOFTWARE", "1", 0);

  TempDir dir;
  KioskConfig kiosk;
  kiosk.kiosk_id = "bench-kiosk";
  kiosk.store_id = "bench-store";
  kiosk.data_dir = dir.path();
  UiConfig ui;
  ui.renderer = renderer;  // "software": SDL's renderer instead of OpenGL (docs/ui.md)
  ui.fullscreen = false;
  ui.thank_you_s = 1;
  ui.suspect_window_s = 0;
  ui.dashboard_refresh_s = 1;
  ui.export_roots = {};
  EventStoreOptions o;
  o.path = dir.File("events.db");
  auto store = EventStore::Open(o);
  if (!store.ok()) {
    std::fprintf(stderr, "bench ui: %s\n", store.status().ToString().c_str());
    return 1;
  }
  EventStamper stamper(kiosk, std::make_shared<AfternoonClock>());
  SurveySlot slot(DefaultSurvey());
  auto seeded = ui::SeedDemoData(**store, stamper, DefaultSurvey(), 7);
  if (!seeded.ok()) {
    std::fprintf(stderr, "bench ui: seeding failed: %s\n", seeded.status().ToString().c_str());
    return 1;
  }
  std::printf("seeded %lld events (7 days)\n", static_cast<long long>(*seeded));

  ui::UiContext ctx;
  ctx.ui = &ui;
  ctx.kiosk = &kiosk;
  ctx.store = store->get();
  ctx.stamper = &stamper;
  ctx.survey = &slot;
  ctx.software_version = "bench";
  ctx.config_version = "bench";
  ctx.windowed = true;
  if (!tour.empty() && ui::RunScreenshotTour(ctx, tour) != 0) return 1;

  // 1. Dashboard frame time.
  std::vector<double> frame_ms;
  double cpu_ms_per_frame = 0;
  {
    std::atomic<bool> stop{false};
    ui::UiProbe probe;
    ui::UiContext c = ctx;
    c.probe = &probe;
    c.stop = &stop;
    c.start_screen = "dashboard";
    c.render_every_frame = true;  // the full render cost, not the skipping of unchanged frames
    std::thread driver([&] {
      probe.WaitForScreen("dashboard");
      probe.WaitFrames(60);  // data loaded, fonts built, caches warm
      probe.ClearSamples();
      double cpu0 = ProcessCpuMs();
      probe.WaitFrames(frames, std::chrono::seconds(120));
      frame_ms = probe.frame_ms();
      if (!frame_ms.empty()) {
        cpu_ms_per_frame = (ProcessCpuMs() - cpu0) / static_cast<double>(frame_ms.size());
      }
      stop = true;
    });
    ui::RunKioskUi(c);
    stop = true;
    driver.join();
  }
  // 2. Tap to durable: whole sessions through the real event loop.
  std::vector<double> tap_ms, tap_queue_ms, survey_frame_ms;
  {
    std::atomic<bool> stop{false};
    ui::UiProbe probe;
    ui::UiContext c = ctx;
    c.probe = &probe;
    c.stop = &stop;
    std::thread driver([&] {
      for (int i = 0; i < sessions; ++i) {
        if (!probe.WaitForScreen("attract") || !probe.WaitForTarget("start")) break;
        probe.Tap("start");
        probe.WaitForTarget("question:overall");
        probe.Tap("score:5");
        probe.WaitForTarget("question:reasons");
        probe.Tap("tag:staff");
        probe.Tap("next");
        probe.WaitForTarget("question:recommend");
        probe.Tap("score:9");
        probe.WaitForScreen("thank_you");
        WaitFor([&] { return probe.tap_to_durable_ms().size() >= static_cast<size_t>(i + 1); });
      }
      tap_ms = probe.tap_to_durable_ms();
      tap_queue_ms = probe.tap_to_queue_ms();
      survey_frame_ms = probe.frame_ms();
      stop = true;
    });
    ui::RunKioskUi(c);
    stop = true;
    driver.join();
  }
  if (frame_ms.empty() || tap_ms.empty()) {
    std::fprintf(stderr, "bench ui: no samples (frames %zu, sessions %zu)\n", frame_ms.size(),
                 tap_ms.size());
    return 1;
  }
  double load[3] = {0, 0, 0};
  ::getloadavg(load, 3);
  std::printf("dashboard frames: %zu at 1080x1920, sessions: %zu, load average %.2f %.2f %.2f\n",
              frame_ms.size(), tap_ms.size(), load[0], load[1], load[2]);
  PrintBench("ui_frame_ms_p50", Percentile(frame_ms, 50), "ms");
  PrintBench("ui_frame_ms_p99", Percentile(frame_ms, 99), "ms");
  PrintBench("ui_frame_cpu_ms", cpu_ms_per_frame, "ms");
  PrintBench("ui_survey_frame_ms_p50", Percentile(survey_frame_ms, 50), "ms");
  PrintBench("ui_survey_frame_ms_p99", Percentile(survey_frame_ms, 99), "ms");
  PrintBench("tap_to_durable_ms_p50", Percentile(tap_ms, 50), "ms");
  PrintBench("tap_to_durable_ms_p99", Percentile(tap_ms, 99), "ms");
  PrintBench("tap_to_queue_ms_p50", Percentile(tap_queue_ms, 50), "ms");
  PrintBench("tap_to_queue_ms_p99", Percentile(tap_queue_ms, 99), "ms");
  xvfb.reset();  // stops the private X server
  return 0;
}

static Registrar reg("ui", "kiosk UI: dashboard frame time (week of data) and tap-to-durable",
                     &Run);

}  // namespace
}  // namespace touchpoint::bench
