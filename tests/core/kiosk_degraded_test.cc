// The kiosk program on a really full disk: it keeps running, its status still reaches the
// broker naming the cause, and it recovers by itself once space is back. Real Mosquitto, real
// tmpfs (skipped where none can be mounted), the real touchpoint-kiosk binary.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "small_filesystem.h"
#include "test_support.h"

namespace touchpoint {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

// Reads status messages until one satisfies `want`; returns it ("" on timeout).
std::string NextStatus(testing::ChildProcess& sub,
                       const std::function<bool(const std::string&)>& want, seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto line = sub.ReadLine(milliseconds(500));
    if (line && want(*line)) return *line;
  }
  return "";
}

TEST(KioskDegraded, FullDiskAtStartStillPublishesStatusAndRecoversWhenSpaceReturns) {
  testing::SmallFilesystem disk(1024 * 1024);
  if (!disk.ok()) GTEST_SKIP() << disk.why();
  ASSERT_GT(disk.Fill(), 0);
  testing::MosquittoBroker broker;
  testing::TempDir dir;
  const std::string data = disk.File("data");
  std::ofstream(dir.File("k.toml"))
      << "[kiosk]\nkiosk_id = \"k1\"\nstore_id = \"s1\"\n"
      << "data_dir = \"" << data << "\"\nstatus_interval_s = 5\n"
      << "[mqtt]\nenabled = true\nuri = \"" << broker.uri() << "\"\n[ui]\nenabled = false\n";
  testing::ChildProcess::Options capture;
  capture.capture_stdout = true;
  testing::ChildProcess sub({"mosquitto_sub", "-h", "127.0.0.1", "-p",
                             std::to_string(broker.port()), "-t", "touchpoint/v1/s1/k1/status"},
                            capture);
  testing::ChildProcess kiosk(
      {TOUCHPOINT_KIOSK_BIN, "--config", dir.File("k.toml"), "--headless", "--run-for-s", "120"});

  // Degraded, not dead: the status goes out and names the cause.
  std::string degraded = NextStatus(
      sub, [](const std::string& s) { return s.find("no space left in") != std::string::npos; },
      seconds(20));
  ASSERT_FALSE(degraded.empty()) << "no status naming the full disk reached the broker";
  EXPECT_NE(degraded.find("\"state\":\"online\""), std::string::npos) << degraded;
  EXPECT_NE(degraded.find(data), std::string::npos) << degraded;
  EXPECT_EQ(degraded.find("disk I/O error"), std::string::npos)
      << "the cause is the full disk, said so: " << degraded;
  ASSERT_TRUE(kiosk.running());

  // Space returns: the problem clears and events are saved again (the queue grows).
  disk.Unfill();
  std::string recovered = NextStatus(
      sub,
      [](const std::string& s) {
        return s.find("\"problems\":[]") != std::string::npos &&
               s.find("\"queue_depth\":0") == std::string::npos;
      },
      seconds(60));
  ASSERT_FALSE(recovered.empty()) << "the storage problem never cleared";
  ASSERT_TRUE(kiosk.running());

  kiosk.Kill(SIGTERM);
  auto code = kiosk.Wait(seconds(20));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);
  // What it made is private, and the heartbeat holds one whole timestamp.
  EXPECT_EQ(ModeOf(data), 0750u);
  for (const char* f : {"events.db", "events.db.seq", "heartbeat"}) {
    EXPECT_EQ(ModeOf(data + "/" + f), 0600u) << f;
  }
  std::ifstream beat(data + "/heartbeat");
  int64_t ms = 0;
  ASSERT_TRUE(beat >> ms);
  EXPECT_GT(ms, 1700000000000);
}

}  // namespace
}  // namespace touchpoint
