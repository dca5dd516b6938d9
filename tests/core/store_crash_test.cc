// Crash safety: a child appends and reports each durable seq; the parent SIGKILLs it at random
// moments and restarts it. Afterwards every acknowledged event is present, integrity_check is
// ok, and no seq was handed out twice. TOUCHPOINT_CRASH_KILLS sets the number of kills
// (default 200; use 1000 for the long run).
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <cstdlib>
#include <random>
#include <set>

#include "test_support.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/core/event_store.h"

namespace touchpoint {
namespace {

using std::chrono::milliseconds;

int KillCount() {
  const char* env = std::getenv("TOUCHPOINT_CRASH_KILLS");
  int n = env ? std::atoi(env) : 0;
  return n > 0 ? n : 200;
}

TEST(StoreCrash, EveryAcknowledgedEventSurvivesSigkill) {
  testing::TempDir dir;
  std::string db = dir.File("events.db");
  std::mt19937 rng(12345);
  std::set<uint64_t> acked;
  int kills = KillCount();
  int reused = 0;
  for (int round = 0; round < kills; ++round) {
    testing::ChildProcess child({STORE_CRASH_CHILD, db},
                                {.capture_stdout = true, .quiet_stderr = false, .extra_env = {}});
    auto ready = child.ReadLine(milliseconds(20000));
    ASSERT_TRUE(ready && *ready == "ready") << "child did not start in round " << round;
    // Kill after a random number of acknowledgements (0..300): the child keeps writing
    // meanwhile, so the kill lands anywhere in a transaction.
    int wanted = std::uniform_int_distribution<int>(0, 300)(rng);
    for (int i = 0; i < wanted; ++i) {
      auto line = child.ReadLine(milliseconds(20000));
      ASSERT_TRUE(line.has_value()) << "child stopped reporting in round " << round;
      uint64_t seq = std::stoull(line->substr(4));
      if (!acked.insert(seq).second) ++reused;
    }
    child.Kill(SIGKILL);
    ASSERT_TRUE(child.Wait(milliseconds(20000)).has_value());
    // Acks that were already in the pipe count too: they were durable before the kill.
    std::string rest = child.ReadAll();
    size_t pos = 0;
    while ((pos = rest.find("ack ", pos)) != std::string::npos) {
      size_t end = rest.find('\n', pos);
      if (end == std::string::npos) break;  // a line cut by the kill
      uint64_t seq = std::stoull(rest.substr(pos + 4, end - pos - 4));
      if (!acked.insert(seq).second) ++reused;
      pos = end;
    }
  }
  EXPECT_EQ(reused, 0) << "a seq was acknowledged twice (reused after a crash)";
  ASSERT_GT(acked.size(), static_cast<size_t>(kills));

  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(raw, "PRAGMA integrity_check", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "ok");
  sqlite3_finalize(st);
  sqlite3_close(raw);

  EventStoreOptions o;
  o.path = db;
  auto store = EventStore::Open(o);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE((*store)->open_report().quarantined_to.empty());
  EXPECT_EQ((*store)->boot_count(), static_cast<uint32_t>(kills + 1));
  auto reader = std::move(*(*store)->NewReader());
  std::set<uint64_t> stored;
  uint64_t after = 0;
  while (true) {
    auto batch = reader->ReadPending(after, 10000, SIZE_MAX);
    ASSERT_TRUE(batch.ok());
    if (batch->empty()) break;
    for (const auto& e : *batch) {
      stored.insert(e.seq);
      auto decoded = DecodeEvent(e.json);
      ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
      ASSERT_EQ(decoded->seq, e.seq);
      after = e.seq;
    }
  }
  size_t missing = 0;
  for (uint64_t seq : acked) missing += stored.count(seq) == 0;
  EXPECT_EQ(missing, 0u) << "acknowledged events lost after " << kills << " kills";
  std::cout << "kills: " << kills << ", acknowledged: " << acked.size()
            << ", stored: " << stored.size() << "\n";
}

}  // namespace
}  // namespace touchpoint
