// Kiosk uplink + hub against a real Mosquitto broker on a free loopback port.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <mqtt/async_client.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <thread>

#include "sync_test_util.h"
#include "test_support.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/hub/hub.h"
#include "touchpoint/hub/journey_map.h"
#include "touchpoint/sync/uplink.h"
#include "touchpoint/sync/wire.h"

namespace touchpoint::sync {
namespace {

using namespace touchpoint::hub;  // the hub end of the sync under test

using std::chrono::seconds;
using synctest::HubOpts;
using synctest::KioskRig;
using synctest::kT0;
using testing::WaitFor;

// Exactly-once check on the hub database: every seq 1..n of the kiosk held once.
void ExpectExactlyOnce(const std::string& hub_db, const std::string& kiosk, uint64_t n) {
  auto store = OpenSqliteHubStore(hub_db);
  ASSERT_TRUE(store.ok());
  auto seqs = (*store)->AccountedSeqs();
  ASSERT_TRUE(seqs.ok());
  bool found = false;
  for (const KioskSeqs& k : *seqs) {
    if (k.kiosk != kiosk) continue;
    found = true;
    EXPECT_EQ(k.ranges, (std::vector<SeqRange>{{1, n}})) << kiosk << ": lost seqs";
  }
  EXPECT_TRUE(found) << kiosk;
  auto kiosks = (*store)->Kiosks();
  ASSERT_TRUE(kiosks.ok());
  const std::vector<KioskSummary>& list = kiosks.value();
  for (const KioskSummary& k : list) {
    if (k.kiosk == kiosk) {
      EXPECT_EQ(k.events, static_cast<int64_t>(n)) << kiosk << ": duplicated";
    }
  }
}

int64_t HubCount(const std::string& hub_db) {
  auto store = OpenSqliteHubStore(hub_db);
  if (!store.ok()) return -1;
  auto n = (*store)->CountEvents();
  return n.ok() ? *n : -1;
}

// A plain client for publishing what a kiosk would not.
class RawClient {
 public:
  explicit RawClient(const std::string& uri) : client_(uri, "raw-test-client") {
    client_.connect()->wait();
  }
  ~RawClient() {
    try {
      client_.disconnect()->wait();
    } catch (const mqtt::exception&) {
    }
  }
  void Publish(const std::string& topic, const std::string& payload, bool retained = false) {
    client_.publish(mqtt::make_message(topic, payload, 1, retained))->wait();
  }

 private:
  mqtt::async_client client_;
};

// Each test's broker must be its own: the start check asks which process holds the listener,
// not merely whether something accepts connections on the port.
TEST(SyncMqtt, TheTestBrokerIsTheProcessListeningOnItsPort) {
  testing::MosquittoBroker broker;
  EXPECT_GE(broker.port(), 1024);
  EXPECT_TRUE(testing::CanConnectLoopback(broker.port()));
  EXPECT_FALSE(testing::ListensOnLoopback(getpid(), broker.port())) << "the broker's, not ours";
  int mine = testing::FreeLoopbackPort();
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(mine));
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_FALSE(testing::ListensOnLoopback(getpid(), mine)) << "bound is not listening";
  ASSERT_EQ(listen(fd, 1), 0);
  EXPECT_TRUE(testing::ListensOnLoopback(getpid(), mine));
  close(fd);
}

TEST(SyncMqtt, TwoKiosksAppearOnceEachInTheMap) {
  testing::MosquittoBroker broker;
  testing::TempDir hub_dir;
  std::string hub_db = hub_dir.File("hub.db");
  auto hub = Hub::Create(HubOpts(broker.uri(), hub_db));
  ASSERT_TRUE(hub.ok()) << hub.status().ToString();
  ASSERT_TRUE((*hub)->Start().ok());
  KioskRig k1("k1", "s1", broker.uri(), "checkout"), k2("k2", "s2", broker.uri(), "entrance");
  ASSERT_TRUE(synctest::Fill(k1.db.get(), k1.stamper, 400, kT0, 1000));
  ASSERT_TRUE(k1.Start().ok());
  ASSERT_TRUE(k2.Start().ok());
  ASSERT_TRUE(synctest::Fill(k2.db.get(), k2.stamper, 400, kT0, 1000));
  ASSERT_TRUE(WaitFor([&] { return k1.Pending() == 0 && k2.Pending() == 0; }, seconds(30)));
  EXPECT_TRUE(k1.uplink->Health().connected);
  // The uplink's ack thread adds to events_acked after the store's MarkAcknowledged returns, so
  // the store can show nothing pending a moment before the counter moves: await the counter,
  // then check that it counted each event exactly once.
  EXPECT_TRUE(WaitFor([&] { return k1.uplink->Health().events_acked >= 400; }))
      << k1.uplink->Health().events_acked;
  EXPECT_EQ(k1.uplink->Health().events_acked, 400);
  ExpectExactlyOnce(hub_db, "k1", 400);
  ExpectExactlyOnce(hub_db, "k2", 400);
  auto store = OpenSqliteHubStore(hub_db);
  auto map = JourneyMapFromCells((*store)->View({}, ViewBy::kCell).value(), {});
  int64_t responses = 0, visitors = 0;
  for (const MapCell& c : map) {
    responses += c.responses;
    visitors += c.visitors_in.value_or(0);
  }
  EXPECT_EQ(responses, 2 * 300);
  EXPECT_EQ(visitors, 2 * 100 * 2);
  // The hub keeps each event's exact JSON (here: inside the compressed batches as they came).
  auto reader = k1.db->NewReader();
  ASSERT_TRUE(reader.ok());
  auto sent = (*reader)->ReadRange(1, 400, 400);
  ASSERT_TRUE(sent.ok());
  ASSERT_EQ(sent->size(), 400u);
  for (const StoredEvent& e : *sent) {
    auto json = (*store)->EventJson("k1", e.seq);
    ASSERT_TRUE(json.ok()) << json.status().ToString();
    ASSERT_TRUE(json->has_value()) << e.seq;
    EXPECT_EQ(**json, e.json) << e.seq;
  }
  (*hub)->Stop();
  EXPECT_EQ((*hub)->Counters().rejects, 0);
}

TEST(SyncMqtt, BrokerRestartsLoseNothingAndDuplicateNothing) {
  int restarts = 20;
  if (const char* env = std::getenv("TOUCHPOINT_SYNC_RESTARTS")) restarts = std::atoi(env);
  testing::MosquittoBroker broker;
  testing::TempDir hub_dir;
  std::string hub_db = hub_dir.File("hub.db");
  auto opts = HubOpts(broker.uri(), hub_db);
  opts.gap_timeout_ms = 1000;
  auto hub = Hub::Create(opts);
  ASSERT_TRUE(hub.ok());
  ASSERT_TRUE((*hub)->Start().ok());
  KioskRig k1("k1", "s1", broker.uri());
  k1.mqtt.batch_max_events = 100;
  ASSERT_TRUE(k1.Start().ok());
  const int64_t total = 200LL * restarts + 2000;
  std::atomic<bool> producing{true};
  std::thread producer([&] {
    for (int64_t done = 0; done < total; done += 100) {
      synctest::Fill(k1.db.get(), k1.stamper, 100, kT0 + done * 1000, 1000);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    producing = false;
  });
  std::mt19937 rng(42);
  for (int i = 0; i < restarts; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 200));
    broker.Restart();
  }
  producer.join();
  ASSERT_TRUE(WaitFor([&] { return k1.Pending() == 0; }, seconds(120)))
      << "pending " << k1.Pending() << " " << k1.uplink->Health().last_error;
  k1.uplink->Stop();
  (*hub)->Stop();
  ExpectExactlyOnce(hub_db, "k1", static_cast<uint64_t>(total));
}

TEST(SyncMqtt, HubKilledMidStreamLosesNothing) {
  testing::MosquittoBroker broker;
  testing::TempDir hub_dir;
  std::string hub_db = hub_dir.File("hub.db");
  {
    // The operator registers the kiosk; the hub refuses unregistered ones.
    testing::ChildProcess add({testing::BinaryPath("touchpoint-hub"), "--db", hub_db, "kiosks",
                               "add", "k1", "--store", "s1"});
    ASSERT_EQ(add.Wait(), 0);
  }
  std::vector<std::string> argv = {testing::BinaryPath("touchpoint-hub"),
                                   "--db",
                                   hub_db,
                                   "run",
                                   "--broker",
                                   broker.uri(),
                                   "--gap-timeout-ms",
                                   "1000"};
  testing::ChildProcess::Options copts;
  copts.capture_stdout = true;
  auto hub = std::make_unique<testing::ChildProcess>(argv, copts);
  auto line = hub->ReadLine(std::chrono::seconds(20));
  ASSERT_TRUE(line && line->find("subscribed") != std::string::npos);
  KioskRig k1("k1", "s1", broker.uri());
  k1.mqtt.batch_max_events = 200;
  const int64_t total = 40000;
  ASSERT_TRUE(synctest::Fill(k1.db.get(), k1.stamper, total, kT0, 100));
  ASSERT_TRUE(k1.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return HubCount(hub_db) > 2000; }, seconds(30)));
  hub->Kill(SIGKILL);
  hub->Wait();
  EXPECT_GT(k1.Pending(), 0);  // still held by the kiosk: not acknowledged
  hub = std::make_unique<testing::ChildProcess>(argv, copts);
  ASSERT_TRUE(WaitFor([&] { return k1.Pending() == 0; }, seconds(90)))
      << "pending " << k1.Pending();
  hub->Kill(SIGTERM);
  hub->Wait();
  ExpectExactlyOnce(hub_db, "k1", total);
}

TEST(SyncMqtt, WeekOfflineKioskDrainsIntoOriginalHours) {
  testing::MosquittoBroker broker;
  testing::TempDir hub_dir;
  std::string hub_db = hub_dir.File("hub.db");
  broker.Stop();
  KioskRig k1("k1", "s1", broker.uri());
  ASSERT_TRUE(k1.Start().ok());
  const int64_t total = 200000;
  const int64_t week_ms = 7LL * 24 * 3600 * 1000;
  ASSERT_TRUE(synctest::Fill(k1.db.get(), k1.stamper, total, kT0, week_ms / total));
  EXPECT_EQ(k1.Pending(), total);
  EXPECT_FALSE(k1.uplink->Health().connected);
  broker.Start();
  auto hub = Hub::Create(HubOpts(broker.uri(), hub_db));
  ASSERT_TRUE(hub.ok());
  ASSERT_TRUE((*hub)->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return k1.Pending() == 0; }, seconds(120)))
      << "pending " << k1.Pending();
  (*hub)->Stop();
  ExpectExactlyOnce(hub_db, "k1", total);
  auto store = OpenSqliteHubStore(hub_db);
  auto map = JourneyMapFromCells((*store)->View({}, ViewBy::kCell).value(), {});
  ASSERT_EQ(map.size(), 7u * 24);
  EXPECT_EQ(map.front().hour_ms, kT0);
  int64_t responses = 0;
  for (const MapCell& c : map) responses += c.responses;
  EXPECT_EQ(responses, total / 4 * 3);
}

TEST(SyncMqtt, BadInputIsRejectedWithReasonsAndNothingIsLost) {
  testing::MosquittoBroker broker;
  testing::TempDir hub_dir;
  std::string hub_db = hub_dir.File("hub.db");
  auto opts = HubOpts(broker.uri(), hub_db);
  opts.enrol_on_first_sight = false;
  {
    auto store = OpenSqliteHubStore(hub_db);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->RegisterKiosk({"k1", "s1", kT0, "cli"}).ok());
    ASSERT_TRUE((*store)->RegisterKiosk({"k9", "s1", kT0, "cli"}).ok());
  }
  opts.max_message_bytes = 64 * 1024;
  auto hub = Hub::Create(opts);
  ASSERT_TRUE(hub.ok());
  ASSERT_TRUE((*hub)->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return (*hub)->Subscribed(); }));
  KioskRig k1("k1", "s1", broker.uri());
  ASSERT_TRUE(synctest::Fill(k1.db.get(), k1.stamper, 50, kT0, 1000));
  auto good = k1.db->NewReader().value()->ReadRange(1, 1, 1).value()[0].json;
  {
    RawClient raw(broker.uri());
    auto t9 = TopicsFor("touchpoint/v1", "s1", "k9");
    raw.Publish(t9.events, "garbage");
    raw.Publish(
        TopicsFor("touchpoint/v1", "s1", "intruder").events,
        R"({"v":1,"kind":"batch","kiosk":"intruder","store":"s1","first":0,"last":0,"count":0})");
    raw.Publish(t9.events, std::string(100 * 1024, 'x'));
    BatchBuilder spoof("batch", "k1", "s1");  // k1's events on k9's topic
    spoof.Add(1, good);
    raw.Publish(t9.events, spoof.Finish());
    BatchBuilder bad("batch", "k9", "s1");
    bad.Add(77, R"({"schema_version":1,"seq":77,"type":"feedback"})");
    raw.Publish(t9.events, bad.Finish());
  }
  ASSERT_TRUE(WaitFor([&] { return (*hub)->Counters().rejects >= 5; }));
  ASSERT_TRUE(k1.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return k1.Pending() == 0; }, seconds(30)));
  (*hub)->Stop();
  ExpectExactlyOnce(hub_db, "k1", 50);
  auto store = OpenSqliteHubStore(hub_db);
  auto rejects = (*store)->Rejects(10).value();
  ASSERT_EQ(rejects.size(), 5u);
  std::string reasons;
  for (const Reject& r : rejects) reasons += r.reason + "\n";
  EXPECT_NE(reasons.find("malformed batch: header"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("unregistered kiosk 'intruder'"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("oversized"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("unauthorised"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("event line 1: "), std::string::npos) << reasons;
}

TEST(SyncMqtt, ConfigPushAppliesValidSurveysAndKeepsTheOldOneOnBadOnes) {
  testing::MosquittoBroker broker;
  testing::TempDir keys;
  ASSERT_TRUE(synctest::MakeSigningKey(keys, "central", "ed25519"));
  KioskRig k1("k1", "s1", broker.uri());
  k1.mqtt.config_public_key_file = keys.File("central.pub");
  ASSERT_TRUE(k1.Start().ok());
  auto topics = TopicsFor("touchpoint/v1", "s1", "k1");
  RawClient raw(broker.uri());
  // Signed by central but not valid TOML: refused after the signature check, with the reason.
  std::string bad = synctest::SignedPush(keys.File("central.key"), "s1", "k1", "[survey\nid = ");
  ASSERT_FALSE(bad.empty());
  raw.Publish(topics.config, bad, /*retained=*/true);
  ASSERT_TRUE(WaitFor([&] { return !k1.uplink->Health().config_push_error.empty(); }));
  EXPECT_NE(k1.uplink->Health().config_push_error.find("mqtt:touchpoint/v1/s1/k1/config:1:"),
            std::string::npos)
      << k1.uplink->Health().config_push_error;
  EXPECT_EQ(k1.survey.Get()->id, DefaultSurvey().id);
  EXPECT_TRUE(k1.uplink->Health().applied_config_version.empty());
  raw.Publish(topics.config, synctest::SignedPush(keys.File("central.key"), "s1", "k1", R"([survey]
id = "pushed"
version = 2
languages = ["en"]
title = { en = "Quick question" }
thank_you = { en = "Thanks" }
[[survey.questions]]
id = "overall"
type = "csat"
prompt = { en = "How was it?" }
)"),
              true);
  ASSERT_TRUE(WaitFor([&] { return k1.uplink->Health().applied_config_version == "pushed@2"; }))
      << k1.uplink->Health().config_push_error;
  EXPECT_EQ(k1.survey.Get()->id, "pushed");
  EXPECT_TRUE(k1.uplink->Health().config_push_error.empty());
}

TEST(SyncMqtt, HubRequestsHolesAndRecordsWhatKiosksNoLongerHave) {
  testing::MosquittoBroker broker;
  testing::TempDir hub_dir;
  std::string hub_db = hub_dir.File("hub.db");
  auto opts = HubOpts(broker.uri(), hub_db);
  opts.gap_timeout_ms = 300;
  auto hub = Hub::Create(opts);
  ASSERT_TRUE(hub.ok());
  ASSERT_TRUE((*hub)->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return (*hub)->Subscribed(); }));
  KioskRig k1("k1", "s1", broker.uri());
  ASSERT_TRUE(synctest::Fill(k1.db.get(), k1.stamper, 10, kT0, 1000));
  ASSERT_TRUE(k1.db->MarkAcknowledged(1, 3).ok());  // as if an earlier hub had them
  ASSERT_TRUE(k1.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return k1.Pending() == 0; }, seconds(20)));
  // Seq 50 arrives although the kiosk only ever had 1..10: 11..49 cannot be re-sent.
  auto e = DecodeEvent(k1.db->NewReader().value()->ReadRange(10, 10, 1).value()[0].json);
  ASSERT_TRUE(e.ok());
  e->seq = 50;
  BatchBuilder b("batch", "k1", "s1");
  b.Add(50, EncodeEvent(e.value()));
  RawClient(broker.uri()).Publish(TopicsFor("touchpoint/v1", "s1", "k1").events, b.Finish());
  ASSERT_TRUE(WaitFor(
      [&] {
        auto c = (*hub)->Counters();
        return c.known_gaps >= 1 && c.events_inserted == 11;
      },
      seconds(20)));
  (*hub)->Stop();
  auto store = OpenSqliteHubStore(hub_db);
  auto gaps = (*store)->KnownGaps().value();
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].range, (SeqRange{11, 49}));
  auto seqs = (*store)->AccountedSeqs().value();
  EXPECT_EQ(seqs[0].ranges, (std::vector<SeqRange>{{1, 50}}));
  EXPECT_GE((*hub)->Counters().resend_requests, 2);
}

}  // namespace
}  // namespace touchpoint::sync
