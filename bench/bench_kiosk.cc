// touchpoint-bench kiosk [--seconds N] [--warmup N] [--mode both|window|headless]
//                        [--renderer auto|opengl|software] [--clip FILE]
//
// What an idle kiosk costs: starts the real touchpoint-kiosk as a child process with a fresh data
// folder and config, the camera counting the PETS clip looped at its 10 fps, the attract screen
// untouched. Once with its window (fullscreen on its own 1080x1920 Xvfb; ui.renderer as the
// kiosk's default, "auto", which takes SDL's software renderer there: Xvfb has no GPU; with
// --renderer opengl, Mesa llvmpipe) and once headless. After --warmup seconds (default 5: start-up is not idling) it measures the kiosk
// process's CPU time (utime + stime of /proc/<pid>/stat, all its threads, not Xvfb's) over
// --seconds (default 60) and reads its peak RSS (VmHWM of /proc/<pid>/status) before stopping it
// with SIGTERM. Prints kiosk_{window,headless}_cpu_pct (percent of ONE core) and
// kiosk_{window,headless}_peak_rss_mb, and on stderr the threads that used the CPU.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench.h"
#include "test_support.h"
#include "xvfb.h"

namespace touchpoint::bench {
namespace {

using touchpoint::testing::BinaryPath;
using touchpoint::testing::ChildProcess;
using touchpoint::testing::SharedDataPath;
using touchpoint::testing::TempDir;

// A "Name:   123 kB" line of /proc/<pid>/status, in kB.
std::optional<long long> StatusKb(pid_t pid, const std::string& name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + ":", 0) == 0) return std::atoll(line.c_str() + name.size() + 1);
  }
  return std::nullopt;
}

std::string KioskConfig(const std::string& data_dir, const std::string& clip,
                        const std::string& renderer) {
  std::ostringstream c;
  c << "[kiosk]\n"
       "kiosk_id = \"bench-kiosk-01\"\n"
       "store_id = \"bench-store\"\n"
       "touchpoint = \"entrance\"\n"
       "journey_stage = \"visit\"\n"
       "data_dir = \""
    << data_dir
    << "\"\n\n"
       "[camera]\n"
       "enabled = true\n"
       "source = \""
    << clip
    << "\"\n"
       "loop = true\n"
       "realtime = true\n"
       "process_width = 384\n"
       "interval_s = 10\n"
       "lines = [\n"
       "  { name = \"L1\", p1 = [340, 0], p2 = [340, 576], in_side = [1, 0] },\n"
       "  { name = \"L2\", p1 = [540, 0], p2 = [540, 576], in_side = [1, 0] },\n"
       "]\n\n"
       "[mqtt]\n"
       "enabled = false\n\n"
       "[ui]\n"
       "fullscreen = true\n"
       "renderer = \""
    << renderer << "\"\n";
  return c.str();
}

struct Figures {
  double cpu_pct = 0;
  double peak_rss_mb = 0;
};

std::optional<Figures> Measure(bool window, int warmup_s, int seconds, const std::string& clip,
                               const std::string& renderer) {
  const char* mode = window ? "window" : "headless";
  std::unique_ptr<testing::Xvfb> xvfb;
  std::vector<std::string> env;
  if (window) {
    xvfb = std::make_unique<testing::Xvfb>("1080x1920x24");
    if (!xvfb->ok()) {
      std::fprintf(stderr, "bench kiosk: Xvfb could not be started (apt-get install xvfb)\n");
      return std::nullopt;
    }
    env = {"DISPLAY=" + xvfb->display(), "LIBGL_ALWAYS_SOFTWARE=1"};
  }
  TempDir dir;
  {
    std::ofstream out(dir.File("kiosk.toml"));
    out << KioskConfig(dir.File("data"), clip, renderer);
  }
  // The kiosk logs to stdout and stderr: kept out of the figures unless asked for. `exec` keeps
  // the pid, so the process measured is the kiosk itself.
  const bool verbose = std::getenv("TOUCHPOINT_BENCH_VERBOSE") != nullptr;
  std::vector<std::string> argv = {"/bin/sh",
                                   "-c",
                                   verbose ? "exec \"$@\"" : "exec \"$@\" >/dev/null",
                                   "touchpoint-kiosk",
                                   BinaryPath("touchpoint-kiosk"),
                                   "--config",
                                   dir.File("kiosk.toml")};
  if (!window) argv.push_back("--headless");
  ChildProcess::Options opts;
  opts.quiet_stderr = !verbose;
  opts.extra_env = env;
  ChildProcess kiosk(argv, opts);
  const pid_t pid = kiosk.pid();

  // Durations being measured, not synchronisation: the kiosk idles on its own.
  std::this_thread::sleep_for(std::chrono::seconds(warmup_s));
  auto t0 = std::chrono::steady_clock::now();
  std::optional<double> cpu0 = CpuSecondsOfProcess(pid);
  std::map<std::string, double> threads0 = CpuSecondsByThreadName(pid);
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  std::optional<double> cpu1 = CpuSecondsOfProcess(pid);
  std::map<std::string, double> threads1 = CpuSecondsByThreadName(pid);
  auto t1 = std::chrono::steady_clock::now();
  std::optional<long long> hwm_kb = StatusKb(pid, "VmHWM");
  std::optional<long long> rss_kb = StatusKb(pid, "VmRSS");
  if (!kiosk.running() || !cpu0 || !cpu1 || !hwm_kb) {
    std::fprintf(stderr,
                 "bench kiosk (%s): the kiosk exited early or /proc/%d could not be read "
                 "(TOUCHPOINT_BENCH_VERBOSE=1 shows its log)\n",
                 mode, static_cast<int>(pid));
    return std::nullopt;
  }
  kiosk.Kill(SIGTERM);
  std::optional<int> rc = kiosk.Wait(std::chrono::seconds(30));
  if (!rc || *rc != 0) {
    std::fprintf(stderr, "bench kiosk (%s): the kiosk did not stop cleanly (exit %d)\n", mode,
                 rc ? *rc : -1);
  }

  const double elapsed_s = std::chrono::duration<double>(t1 - t0).count();
  Figures f;
  f.cpu_pct = 100.0 * (*cpu1 - *cpu0) / elapsed_s;
  f.peak_rss_mb = static_cast<double>(*hwm_kb) / 1024.0;
  // Where the CPU went, busiest threads first.
  std::vector<std::pair<double, std::string>> busy;
  for (const auto& [name, t] : threads1) {
    auto before = threads0.find(name);
    double d = t - (before == threads0.end() ? 0 : before->second);
    if (d > 0) busy.emplace_back(100.0 * d / elapsed_s, name);
  }
  std::sort(busy.rbegin(), busy.rend());
  std::fprintf(stderr, "bench kiosk (%s, %.0f s): rss at end %.0f MB; cpu by thread:", mode,
               elapsed_s, rss_kb ? static_cast<double>(*rss_kb) / 1024.0 : 0.0);
  for (const auto& [pct, name] : busy) std::fprintf(stderr, " %s %.1f%%", name.c_str(), pct);
  std::fprintf(stderr, "\n");
  return f;
}

int Run(const std::vector<std::string>& args) {
  int seconds = 60, warmup = 5;
  std::string mode = "both", renderer = "auto";
  std::string clip = SharedDataPath("footfall/pets09-s2l1-vtest/vtest.avi");
  if (::access(clip.c_str(), R_OK) != 0) clip = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
  for (size_t i = 0; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    if (args[i] == "--seconds" && has_value) {
      seconds = std::atoi(args[++i].c_str());
    } else if (args[i] == "--warmup" && has_value) {
      warmup = std::atoi(args[++i].c_str());
    } else if (args[i] == "--mode" && has_value) {
      mode = args[++i];
    } else if (args[i] == "--renderer" && has_value) {
      renderer = args[++i];
    } else if (args[i] == "--clip" && has_value) {
      clip = args[++i];
    } else {
      std::fprintf(stderr,
                   "usage: touchpoint-bench kiosk [--seconds N] [--warmup N] "
                   "[--mode both|window|headless] [--renderer auto|opengl|software] [--clip FILE]\n"
                   "(bad argument: %s)\n",
                   args[i].c_str());
      return 2;
    }
  }
  if (seconds < 1 || seconds > 3600 || warmup < 0 || warmup > 600 ||
      (mode != "both" && mode != "window" && mode != "headless") ||
      (renderer != "auto" && renderer != "opengl" && renderer != "software")) {
    std::fprintf(stderr,
                 "bench kiosk: --seconds must be 1..3600, --warmup 0..600, --mode "
                 "both|window|headless, --renderer auto|opengl|software\n");
    return 2;
  }
  if (::access(clip.c_str(), R_OK) != 0) {
    std::fprintf(stderr, "bench kiosk: clip %s not found (apt-get install opencv-doc)\n",
                 clip.c_str());
    return 1;
  }
  if (::access(BinaryPath("touchpoint-kiosk").c_str(), X_OK) != 0) {
    std::fprintf(stderr, "bench kiosk: %s not built\n", BinaryPath("touchpoint-kiosk").c_str());
    return 1;
  }
  std::fprintf(stderr,
               "bench kiosk: camera on %s, %d s warm-up, %d s measured per mode, ui.renderer %s\n",
               clip.c_str(), warmup, seconds, renderer.c_str());
  int failures = 0;
  for (bool window : {true, false}) {
    if (mode != "both" && (mode == "window") != window) continue;
    auto f = Measure(window, warmup, seconds, clip, renderer);
    if (!f) {
      ++failures;
      continue;
    }
    std::string prefix = window ? "kiosk_window_" : "kiosk_headless_";
    PrintBench(prefix + "cpu_pct", f->cpu_pct, "%");
    PrintBench(prefix + "peak_rss_mb", f->peak_rss_mb, "MB");
  }
  return failures == 0 ? 0 : 1;
}

static Registrar reg("kiosk",
                     "idle kiosk (camera on the PETS clip, attract screen): CPU and peak RSS",
                     &Run);

}  // namespace
}  // namespace touchpoint::bench
