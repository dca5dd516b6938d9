// A fleet power cut (issue 13): 100 kiosks on loopback lose their broker at the same moment.
// Their reconnects spread over at least 30 s (mqtt.reconnect_spread_s, then backoff with
// jitter) instead of arriving in the same second, and no kiosk loses or duplicates an event,
// including those recorded while the broker was away. Real Mosquitto, real stores, one hub.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "sync_test_util.h"
#include "test_support.h"
#include "touchpoint/hub/hub.h"
#include "touchpoint/hub/hub_store.h"

namespace touchpoint::sync {
namespace {

using namespace touchpoint::hub;  // the hub end of the sync under test
using std::chrono::seconds;
using synctest::HubOpts;
using synctest::KioskRig;
using synctest::kT0;

constexpr int kKiosks = 100;
constexpr int kSpreadS = 60;

TEST(SyncFleet, PowerCutReconnectsSpreadOverThirtySecondsAndLoseNothing) {
  testing::MosquittoBroker broker;
  testing::TempDir hub_dir;
  std::string hub_db = hub_dir.File("hub.db");
  auto hub = Hub::Create(HubOpts(broker.uri(), hub_db));
  ASSERT_TRUE(hub.ok());
  ASSERT_TRUE((*hub)->Start().ok());

  std::vector<std::unique_ptr<KioskRig>> fleet;
  for (int i = 0; i < kKiosks; ++i) {
    auto k = std::make_unique<KioskRig>("k" + std::to_string(i), "s" + std::to_string(i % 10),
                                        broker.uri());
    k->mqtt.reconnect_spread_s = kSpreadS;
    k->mqtt.backoff_min_ms = 1000;
    k->mqtt.backoff_max_ms = 30000;
    k->hooks.jitter_seed = 1000 + static_cast<uint64_t>(i);  // reproducible spread
    ASSERT_TRUE(synctest::Fill(k->db.get(), k->stamper, 20, kT0, 1000));
    fleet.push_back(std::move(k));
  }
  // The first connects are jittered by backoff_min_ms only: all are up within seconds.
  for (auto& k : fleet) ASSERT_TRUE(k->Start().ok());
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        return std::all_of(fleet.begin(), fleet.end(),
                           [](const auto& k) { return k->Pending() == 0; });
      },
      seconds(60)))
      << "the fleet did not deliver its first events";

  // The power cut: the broker dies; every kiosk notices at once (the socket closes).
  broker.Stop();
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        return std::none_of(fleet.begin(), fleet.end(),
                            [](const auto& k) { return k->uplink->Health().connected; });
      },
      seconds(30)));
  // Shoppers go on rating while the broker is away: stored, pending.
  for (auto& k : fleet) {
    ASSERT_TRUE(synctest::Fill(k->db.get(), k->stamper, 10, kT0 + 100'000, 1000));
  }
  std::vector<int64_t> before(kKiosks);
  for (int i = 0; i < kKiosks; ++i) {
    before[static_cast<size_t>(i)] =
        fleet[static_cast<size_t>(i)]->uplink->Health().last_connect_ms.value_or(0);
  }
  broker.Start();  // power is back

  // Every kiosk reconnects (bounded: the spread plus one capped backoff step and margin).
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        for (int i = 0; i < kKiosks; ++i) {
          auto h = fleet[static_cast<size_t>(i)]->uplink->Health();
          if (!h.connected || h.last_connect_ms.value_or(0) <= before[static_cast<size_t>(i)]) {
            return false;
          }
        }
        return true;
      },
      seconds(kSpreadS + 60)))
      << "not every kiosk reconnected";
  std::vector<int64_t> reconnects;
  for (auto& k : fleet) reconnects.push_back(*k->uplink->Health().last_connect_ms);
  std::sort(reconnects.begin(), reconnects.end());
  int64_t spread_ms = reconnects.back() - reconnects.front();
  EXPECT_GE(spread_ms, 30'000) << "the fleet came back within " << spread_ms << " ms";
  // No second in which more than a tenth of the fleet reconnected.
  size_t worst = 0;
  for (size_t a = 0, b = 0; b < reconnects.size(); ++b) {
    while (reconnects[b] - reconnects[a] >= 1000) ++a;
    worst = std::max(worst, b - a + 1);
  }
  EXPECT_LE(worst, static_cast<size_t>(kKiosks / 10)) << "reconnects in one second";

  // Nothing lost, nothing duplicated.
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        return std::all_of(fleet.begin(), fleet.end(),
                           [](const auto& k) { return k->Pending() == 0; });
      },
      seconds(60)))
      << "events still pending after the reconnect";
  for (auto& k : fleet) k->uplink->Stop();
  (*hub)->Stop();
  auto store = OpenSqliteHubStore(hub_db);
  ASSERT_TRUE(store.ok());
  auto seqs = (*store)->AccountedSeqs();
  ASSERT_TRUE(seqs.ok());
  ASSERT_EQ(seqs->size(), static_cast<size_t>(kKiosks));
  for (const KioskSeqs& k : *seqs) {
    EXPECT_EQ(k.ranges, (std::vector<SeqRange>{{1, 30}})) << k.kiosk;
  }
  auto held = (*store)->CountEvents();
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(*held, kKiosks * 30) << "duplicates";
}

}  // namespace
}  // namespace touchpoint::sync
