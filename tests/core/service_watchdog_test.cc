// The systemd watchdog (docs/operations.md): pings only while every watched part answers.
// Observed through a NOTIFY_SOCKET this test owns (a real unix datagram socket), with a real
// event store whose writer thread is really blocked, and the real kiosk binary whose camera
// thread hangs opening a FIFO nobody writes to.
#include "touchpoint/core/service_watchdog.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
#include <optional>
#include <string>

#include "test_support.h"
#include "touchpoint/core/clock.h"
#include "touchpoint/core/event_store.h"

namespace touchpoint {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A bound AF_UNIX datagram socket: what systemd listens on for sd_notify.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, sizeof addr.sun_path - 1);
    bound_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~NotifySocket() {
    if (fd_ >= 0) ::close(fd_);
    ::unlink(path_.c_str());
  }
  bool ok() const { return bound_; }
  const std::string& path() const { return path_; }
  // The next datagram within `timeout`; nullopt on timeout.
  std::optional<std::string> Next(milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<size_t>(n));
  }
  // Reads until a datagram contains `text`; false if none did within `timeout`.
  bool WaitFor(const std::string& text, milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      auto m = Next(std::max(left, milliseconds(1)));
      if (m && m->find(text) != std::string::npos) return true;
    }
    return false;
  }
  // How many datagrams containing `text` arrive within `window`.
  int Count(const std::string& text, milliseconds window) {
    int n = 0;
    auto deadline = Clock::now() + window;
    while (Clock::now() < deadline) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      auto m = Next(std::max(left, milliseconds(1)));
      if (m && m->find(text) != std::string::npos) ++n;
    }
    return n;
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
};

// Sets NOTIFY_SOCKET / WATCHDOG_USEC for this process (what systemd passes a service).
class ScopedNotifyEnv {
 public:
  ScopedNotifyEnv(const std::string& socket, int64_t watchdog_ms) {
    ::setenv("NOTIFY_SOCKET", socket.c_str(), 1);
    ::setenv("WATCHDOG_USEC", std::to_string(watchdog_ms * 1000).c_str(), 1);
    ::unsetenv("WATCHDOG_PID");
  }
  ~ScopedNotifyEnv() {
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
  }
};

Event Footfall() {
  Event e;
  e.id = NewUuidV7(1795428000000);
  e.kiosk_id = "k1";
  e.store_id = "s1";
  e.touchpoint = "entrance";
  e.journey_stage = "arrive";
  e.time_ms = 1795428000000;
  FootfallPayload f;
  f.interval_start_ms = e.time_ms;
  f.lines = {{"door", 1, 0}};
  e.payload = f;
  return e;
}

constexpr int64_t kIntervalMs = 300;

TEST(ServiceWatchdog, WithoutSystemdItIsANoOp) {
  ::unsetenv("NOTIFY_SOCKET");
  ServiceWatchdog wd(nullptr);
  EXPECT_FALSE(wd.notifying());
  EXPECT_EQ(wd.interval_ms(), 0);
  wd.Ready("x");
  wd.Stop();
}

TEST(ServiceWatchdog, AHungStoreWriterStopsThePingsUntilItAnswersAgain) {
  testing::TempDir dir;
  NotifySocket sock(dir.File("notify"));
  ASSERT_TRUE(sock.ok());
  ScopedNotifyEnv env(sock.path(), kIntervalMs);
  EventStoreOptions o;
  o.path = dir.File("events.db");
  auto store = EventStore::Open(o);
  ASSERT_TRUE(store.ok()) << store.status().ToString();

  ServiceWatchdog wd(store->get());
  ASSERT_EQ(wd.interval_ms(), kIntervalMs);
  Heartbeat camera;
  camera.Beat(60'000);  // promises to be quiet for a minute: answering
  wd.Watch("camera thread", &camera);
  wd.Ready("test");
  ASSERT_TRUE(sock.WaitFor("READY=1", milliseconds(2000)));
  ASSERT_TRUE(sock.WaitFor("WATCHDOG=1", milliseconds(2000)));

  // The writer thread blocks in a commit callback: really hung, as on a stuck disk.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  (*store)->AppendAsync(Footfall(), [released](const Result<uint64_t>&) { released.wait(); });
  ASSERT_TRUE(sock.WaitFor("not responding: store writer", milliseconds(5000)));
  EXPECT_EQ(sock.Count("WATCHDOG=1", milliseconds(3 * kIntervalMs)), 0)
      << "pinged while the store writer was hung";

  release.set_value();
  ASSERT_TRUE(sock.WaitFor("WATCHDOG=1", milliseconds(5000))) << "no pings once it answered";
  wd.Stop();
  EXPECT_TRUE(sock.WaitFor("STOPPING=1", milliseconds(2000)));
}

TEST(ServiceWatchdog, AThreadThatStopsBeatingStopsThePings) {
  testing::TempDir dir;
  NotifySocket sock(dir.File("notify"));
  ASSERT_TRUE(sock.ok());
  ScopedNotifyEnv env(sock.path(), kIntervalMs);
  ServiceWatchdog wd(nullptr);
  Heartbeat camera;
  camera.Beat(2 * kIntervalMs);  // quiet for two intervals, then silent for good
  wd.Watch("camera thread", &camera);
  wd.Ready("test");
  ASSERT_TRUE(sock.WaitFor("WATCHDOG=1", milliseconds(2000)));
  ASSERT_TRUE(sock.WaitFor("not responding: camera thread", milliseconds(5000)));
  EXPECT_EQ(sock.Count("WATCHDOG=1", milliseconds(3 * kIntervalMs)), 0);
  camera.Beat();
  EXPECT_TRUE(sock.WaitFor("WATCHDOG=1", milliseconds(5000)));
}

// The real kiosk, started as systemd would (NOTIFY_SOCKET, WATCHDOG_USEC): READY once running,
// pings while its camera reads a clip, and none once its camera thread hangs opening a FIFO.
void RunKiosk(const std::string& camera_source, bool expect_pings) {
  testing::TempDir dir;
  NotifySocket sock(dir.File("notify"));
  ASSERT_TRUE(sock.ok());
  std::ofstream(dir.File("k.toml"))
      << "[kiosk]\nkiosk_id = \"k1\"\nstore_id = \"s1\"\n"
      << "data_dir = \"" << dir.File("data") << "\"\n"
      << "[camera]\nenabled = true\nsource = \"" << camera_source
      << "\"\nloop = true\nlines = [{ name = \"door\", p1 = [0.5, 0.0], "
         "p2 = [0.5, 1.0], normalized = true, in_side = [1, 0] }]\n"
      << "[ui]\nenabled = false\n";
  testing::ChildProcess::Options opts;
  opts.extra_env = {"NOTIFY_SOCKET=" + sock.path(), "WATCHDOG_USEC=1000000"};
  opts.quiet_stderr = true;
  testing::ChildProcess kiosk(
      {TOUCHPOINT_KIOSK_BIN, "--config", dir.File("k.toml"), "--headless", "--run-for-s", "60"},
      opts);
  ASSERT_TRUE(sock.WaitFor("READY=1", milliseconds(20000))) << "no READY=1 from the kiosk";
  if (expect_pings) {
    EXPECT_TRUE(sock.WaitFor("WATCHDOG=1", milliseconds(5000)));
    EXPECT_GE(sock.Count("WATCHDOG=1", milliseconds(3000)), 4);
  } else {
    EXPECT_TRUE(sock.WaitFor("not responding: camera thread", milliseconds(10000)));
    EXPECT_EQ(sock.Count("WATCHDOG=1", milliseconds(3000)), 0)
        << "the kiosk pinged while its camera thread was hung";
  }
  kiosk.Kill(SIGKILL);  // a hung camera thread cannot be joined: systemd would kill it too
}

TEST(KioskWatchdog, PingsWhileEveryPartRuns) {
  std::string clip = testing::SharedDataPath("footfall/pets09-s2l1-vtest/vtest.avi");
  if (clip.empty() || !std::ifstream(clip))
    clip = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
  if (!std::ifstream(clip)) GTEST_SKIP() << "no test clip";
  RunKiosk(clip, true);
}

TEST(KioskWatchdog, AHungCameraThreadStopsThePings) {
  testing::TempDir dir;
  std::string fifo = dir.File("camera.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);  // opening it blocks until a writer comes: never
  RunKiosk(fifo, false);
}

}  // namespace
}  // namespace touchpoint
