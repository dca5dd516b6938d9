// What hostile input costs the hub: 20,000 unknown kiosk ids on a real broker leave no state
// and get no resend requests; the CLI's default map is bounded and ignores events dated far
// ahead; secrets never come from the command line.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <mqtt/async_client.h>
#include <filesystem>
#include <fstream>

#include "sync_test_util.h"
#include "test_support.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/hub/hub.h"
#include "touchpoint/sync/wire.h"

namespace touchpoint::hub {

using sync::BatchBuilder;
using sync::TopicsFor;
namespace {

using std::chrono::seconds;
using synctest::KioskRig;
using synctest::kT0;
using testing::WaitFor;

int64_t FileBytes(const std::string& path) {
  std::error_code ec;
  auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<int64_t>(n);
}

TEST(HubBounds, TwentyThousandUnknownKioskIdsLeaveNoStateAndGetNoResends) {
  testing::MosquittoBroker broker;
  testing::TempDir hub_dir;
  std::string hub_db = hub_dir.File("hub.db");
  {
    auto store = OpenSqliteHubStore(hub_db);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->RegisterKiosk({"k1", "s1", kT0, "cli"}).ok());
  }
  auto opts = synctest::HubOpts(broker.uri(), hub_db);
  opts.enrol_on_first_sight = false;
  opts.gap_timeout_ms = 200;  // holes would be asked for quickly
  auto hub = Hub::Create(opts);
  ASSERT_TRUE(hub.ok());
  ASSERT_TRUE((*hub)->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return (*hub)->Subscribed(); }));
  constexpr int kIds = 20000;
  {
    mqtt::async_client raw(broker.uri(), "flood");
    raw.connect()->wait();
    std::vector<mqtt::delivery_token_ptr> window;
    for (int i = 0; i < kIds; ++i) {
      std::string kiosk = "x" + std::to_string(i);
      // Each claims seq 1000 (a hole of 999 below it, if the hub kept any state).
      BatchBuilder b("batch", kiosk, "s1");
      b.Add(1000, R"({"schema_version":1,"seq":1000})");
      window.push_back(
          raw.publish(TopicsFor("touchpoint/v1", "s1", kiosk).events, b.Finish(), 1, false));
      if (window.size() == 64) {
        for (auto& t : window) t->wait();
        window.clear();
      }
    }
    for (auto& t : window) t->wait();
    raw.disconnect()->wait();
  }
  ASSERT_TRUE(WaitFor([&] { return (*hub)->Counters().rejects >= kIds; }, seconds(120)))
      << (*hub)->Counters().rejects;
  // The registered kiosk still delivers, after the gap checks had time to run.
  KioskRig k1("k1", "s1", broker.uri());
  ASSERT_TRUE(synctest::Fill(k1.db.get(), k1.stamper, 50, kT0, 1000));
  ASSERT_TRUE(k1.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return k1.Pending() == 0; }, seconds(60)));
  (*hub)->Stop();
  HubCounters c = (*hub)->Counters();
  EXPECT_EQ(c.rejects, kIds);
  EXPECT_EQ(c.resend_requests, 0) << "no resend requests to unknown kiosks";
  EXPECT_EQ(c.tracked_kiosks, 1) << "sequence state only for the registered kiosk";
  EXPECT_EQ(c.events_inserted, 50);
  auto store = OpenSqliteHubStore(hub_db);
  ASSERT_TRUE(store.ok());
  auto kiosks = (*store)->Kiosks();
  ASSERT_TRUE(kiosks.ok());
  ASSERT_EQ(kiosks->size(), 1u) << "no unknown kiosk became a row";
  EXPECT_EQ(kiosks->at(0).kiosk, "k1");
  EXPECT_TRUE((*store)->AccountedSeqs()->size() == 1u);
  EXPECT_EQ(*(*store)->RejectCount(), kIds);
  // Rejects are excerpts in a capped table: the database stays small.
  int64_t bytes = FileBytes(hub_db) + FileBytes(hub_db + "-wal");
  EXPECT_LT(bytes, 64 << 20) << bytes;
}

// Runs touchpoint-hub with `args`; returns exit code and stdout.
std::pair<int, std::string> Hub(std::vector<std::string> args, std::vector<std::string> env = {}) {
  args.insert(args.begin(), testing::BinaryPath("touchpoint-hub"));
  testing::ChildProcess::Options o;
  o.capture_stdout = true;
  o.quiet_stderr = true;
  o.extra_env = std::move(env);
  testing::ChildProcess p(std::move(args), o);
  std::string out = p.ReadAll();
  auto code = p.Wait(seconds(60));
  return {code.value_or(-1), out};
}

TEST(HubCli, RegistersKiosksAndTheDefaultMapIgnoresEventsDatedFarAhead) {
  testing::TempDir dir;
  std::string db = dir.File("hub.db");
  EXPECT_EQ(Hub({"--db", db, "kiosks", "add", "k1", "--store", "s1"}).first, 0);
  struct stat mode {};
  ASSERT_EQ(::stat(db.c_str(), &mode), 0);
  EXPECT_EQ(mode.st_mode & 0027, 0u)
      << std::oct << mode.st_mode << ": not group-writable nor public";
  EXPECT_EQ(Hub({"--db", db, "kiosks", "add", "bad id", "--store", "s1"}).first, 2);
  EXPECT_EQ(Hub({"--db", db, "kiosks", "remove", "k9"}).first, 1);
  // Events of now (any day the test runs) and one dated 9999-12-31.
  int64_t now = SystemClock()->NowUtcMs();
  EventStamper st(synctest::Kiosk("k1", "s1"), std::make_shared<ManualClock>(now));
  std::string file = dir.File("k1.jsonl");
  {
    std::ofstream out(file);
    for (uint64_t seq = 1; seq <= 3; ++seq) {
      Event e = synctest::Feedback(st, now - 3600 * 1000, 4);
      e.seq = seq;
      e.boot_count = 1;
      out << EncodeEvent(e) << "\n";
    }
  }
  EXPECT_EQ(Hub({"--db", db, "import", file}).first, 0);
  auto before = Hub({"--db", db, "map", "--format", "csv"});
  ASSERT_EQ(before.first, 0);
  {
    std::ofstream out(file);
    Event e = synctest::Feedback(st, 253402214400000, 1);
    e.seq = 4;
    e.boot_count = 1;
    out << EncodeEvent(e) << "\n";
  }
  EXPECT_EQ(Hub({"--db", db, "import", file}).first, 0);
  auto after = Hub({"--db", db, "map", "--format", "csv"});
  ASSERT_EQ(after.first, 0);
  EXPECT_EQ(after.second, before.second) << "a future-dated event does not change the map";
  EXPECT_EQ(after.second.find("9999"), std::string::npos);
  EXPECT_NE(after.second.find(",3,"), std::string::npos) << after.second;  // the 3 responses
  auto kiosks = Hub({"--db", db, "kiosks"});
  EXPECT_NE(kiosks.second.find("cli"), std::string::npos) << kiosks.second;
  // A range of years is refused, not computed.
  EXPECT_EQ(Hub({"--db", db, "map", "--from", "2020-01-01", "--to", "2026-12-01"}).first, 2);
  // An unregistered kiosk's file: refused unless --enrol, which says what it registered.
  EventStamper st2(synctest::Kiosk("k2", "s2"), std::make_shared<ManualClock>(now));
  std::string file2 = dir.File("k2.jsonl");
  {
    std::ofstream out(file2);
    Event e = synctest::Feedback(st2, now, 5);
    e.seq = 1;
    e.boot_count = 1;
    out << EncodeEvent(e) << "\n";
  }
  auto refused = Hub({"--db", db, "import", file2});
  EXPECT_NE(refused.second.find("0 new events"), std::string::npos) << refused.second;
  auto enrolled = Hub({"--db", db, "import", "--enrol", file2});
  EXPECT_NE(enrolled.second.find("enrolled kiosk k2 at store s2"), std::string::npos)
      << enrolled.second;
  EXPECT_NE(enrolled.second.find("1 new events"), std::string::npos) << enrolled.second;
}

// map takes store-local times by default and UTC with a trailing Z; rebuild-rollups reports
// that the cells kept at import match the events.
TEST(HubCli, MapTakesLocalTimesAndRebuildRollupsFindsNothingToChange) {
  testing::TempDir dir;
  std::string db = dir.File("hub.db");
  EventStamper st(synctest::Kiosk("k1", "s1"), std::make_shared<ManualClock>(kT0));
  std::string file = dir.File("k1.jsonl");
  {
    std::ofstream out(file);
    Event e = synctest::Feedback(st, kT0 + 10 * 60000, 4);  // 10:10Z, 12:10 local at +120
    e.seq = 1;
    e.boot_count = 1;
    e.utc_offset_min = 120;
    out << EncodeEvent(e) << "\n";
  }
  ASSERT_EQ(Hub({"--db", db, "import", "--enrol", file}).first, 0);
  auto local = Hub({"--db", db, "map", "--from", "2026-11-23T12:00", "--to", "2026-11-23T13",
                    "--format", "csv"});
  ASSERT_EQ(local.first, 0);
  EXPECT_NE(local.second.find("s1,checkout,purchase,2026-11-23T12:00,+02:00,2026-11-23T10:00Z"),
            std::string::npos)
      << local.second;
  auto utc = Hub({"--db", db, "map", "--from", "2026-11-23T10:00Z", "--to", "2026-11-23T11:00Z",
                  "--format", "csv"});
  ASSERT_EQ(utc.first, 0);
  EXPECT_EQ(utc.second, local.second);
  auto none = Hub({"--db", db, "map", "--from", "2026-11-23T10:00", "--to", "2026-11-23T11:00",
                   "--format", "csv"});
  EXPECT_EQ(none.second.find("2026-11-23T10:00Z"), std::string::npos) << none.second;
  EXPECT_EQ(Hub({"--db", db, "map", "--from", "2026-11-23T10:00Z", "--to", "2026-11-24"}).first, 2);
  EXPECT_EQ(Hub({"--db", db, "map", "--from", "23.11.2026"}).first, 2);
  auto rebuilt = Hub({"--db", db, "rebuild-rollups"});
  ASSERT_EQ(rebuilt.first, 0);
  EXPECT_NE(rebuilt.second.find("1 events read; 1 cells: 0 added, 0 removed, 0 changed"),
            std::string::npos)
      << rebuilt.second;
}

TEST(HubCli, TheBrokerPasswordNeverComesFromTheCommandLine) {
  testing::TempDir dir;
  // No --password option at all; a missing password file is an error that names it.
  EXPECT_NE(Hub({"--db", dir.File("hub.db"), "run", "--password", "secret"}).first, 0);
  auto missing = Hub({"--db", dir.File("hub.db"), "run", "--password-file", dir.File("absent")});
  EXPECT_EQ(missing.first, 1);
}

}  // namespace
}  // namespace touchpoint::hub
