// TLS with client certificates against a real Mosquitto TLS listener, several hubs sharing the
// load through an MQTT v5 shared subscription, and kiosk status (retained, last will) at the hub.
// Real broker on loopback, real SQLite files.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>

#include "sync_test_util.h"
#include "test_support.h"
#include "touchpoint/hub/hub.h"
#include "touchpoint/sync/uplink.h"

namespace touchpoint::sync {
namespace {

using namespace touchpoint::hub;  // the hub end of the sync under test

using std::chrono::seconds;
using synctest::HubOpts;
using synctest::KioskRig;
using synctest::kT0;
using testing::WaitFor;

using testing::RunToSuccess;

// A throwaway PKI made with the openssl CLI: a CA, a server certificate for 127.0.0.1 and client
// certificates signed by the CA (P-256 keys: fast to make).
class TestPki {
 public:
  explicit TestPki(const testing::TempDir& dir) : dir_(dir) {}

  bool MakeCa() {
    return RunToSuccess({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                         "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", File("ca.key"),
                         "-out", File("ca.crt"), "-days", "2", "-subj", "/CN=touchpoint-test-ca"});
  }
  // Makes <name>.key and <name>.crt signed by the CA; `san` e.g. "IP:127.0.0.1" (may be empty).
  bool MakeCert(const std::string& name, const std::string& cn, const std::string& san) {
    std::string ext = File(name + ".ext");
    {
      std::ofstream out(ext);
      out << "basicConstraints=CA:FALSE\n";
      if (!san.empty()) out << "subjectAltName=" << san << "\n";
    }
    return RunToSuccess({"openssl", "req", "-newkey", "ec", "-pkeyopt",
                         "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", File(name + ".key"),
                         "-out", File(name + ".csr"), "-subj", "/CN=" + cn}) &&
           RunToSuccess({"openssl", "x509", "-req", "-in", File(name + ".csr"), "-CA",
                         File("ca.crt"), "-CAkey", File("ca.key"), "-CAcreateserial", "-out",
                         File(name + ".crt"), "-days", "2", "-extfile", ext});
  }
  std::string File(const std::string& name) const { return dir_.File(name); }
  // Mosquitto started as root drops to its own user before it loads the certificates: let it
  // read them (test keys in a throwaway folder).
  void LetBrokerRead() {
    namespace fs = std::filesystem;
    fs::permissions(dir_.path(), fs::perms::owner_all | fs::perms::group_read |
                                     fs::perms::group_exec | fs::perms::others_read |
                                     fs::perms::others_exec);
    for (const auto& entry : fs::directory_iterator(dir_.path())) {
      fs::permissions(entry.path(), fs::perms::group_read | fs::perms::others_read,
                      fs::perm_options::add);
    }
  }

 private:
  const testing::TempDir& dir_;
};

// Every (kiosk, seq) the hub database holds, as "kiosk/seq".
std::vector<std::string> HeldSeqs(const std::string& hub_db) {
  std::vector<std::string> out;
  auto store = OpenSqliteHubStore(hub_db);
  if (!store.ok()) return out;
  auto seqs = (*store)->AccountedSeqs();
  if (!seqs.ok()) return out;
  for (const KioskSeqs& k : *seqs) {
    for (const SeqRange& r : k.ranges) {
      for (uint64_t s = r.first; s <= r.last; ++s) out.push_back(k.kiosk + "/" + std::to_string(s));
    }
  }
  return out;
}

TEST(SyncTls, ClientCertificateDeliversAndNoCertificateIsRefused) {
  testing::TempDir pki_dir;
  TestPki pki(pki_dir);
  ASSERT_TRUE(pki.MakeCa());
  ASSERT_TRUE(pki.MakeCert("server", "127.0.0.1", "IP:127.0.0.1"));
  ASSERT_TRUE(pki.MakeCert("kiosk", "k1", ""));
  ASSERT_TRUE(pki.MakeCert("hub", "hub", ""));
  pki.LetBrokerRead();
  testing::MosquittoBroker broker;
  int tls_port = testing::FreeLoopbackPort();
  broker.SetExtraConfig("listener " + std::to_string(tls_port) + " 127.0.0.1\n" + "cafile " +
                        pki.File("ca.crt") + "\n" + "certfile " + pki.File("server.crt") + "\n" +
                        "keyfile " + pki.File("server.key") + "\n" + "require_certificate true\n" +
                        "use_identity_as_username true\n");
  broker.Restart();
  ASSERT_TRUE(WaitFor([&] { return testing::CanConnectLoopback(tls_port); }, seconds(10)));
  std::string uri = "ssl://127.0.0.1:" + std::to_string(tls_port);

  testing::TempDir hub_dir;
  std::string hub_db = hub_dir.File("hub.db");
  auto ho = HubOpts(uri, hub_db);
  ho.ca_file = pki.File("ca.crt");
  ho.cert_file = pki.File("hub.crt");
  ho.key_file = pki.File("hub.key");
  auto hub = Hub::Create(ho);
  ASSERT_TRUE(hub.ok()) << hub.status().ToString();
  ASSERT_TRUE((*hub)->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return (*hub)->Subscribed(); }, seconds(20)))
      << (*hub)->Counters().last_error;

  // With the CA, its certificate and key: delivered, exactly once.
  KioskRig k1("k1", "s1", uri);
  ASSERT_NE(k1.db, nullptr);
  ASSERT_TRUE(synctest::Fill(k1.db.get(), k1.stamper, 300, kT0, 1000));
  k1.mqtt.ca_file = pki.File("ca.crt");
  k1.mqtt.cert_file = pki.File("kiosk.crt");
  k1.mqtt.key_file = pki.File("kiosk.key");
  Uplink up1(k1.mqtt, k1.config, k1.db.get(), nullptr);
  ASSERT_TRUE(up1.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return k1.db->Stats().pending == 0; }, seconds(30)))
      << up1.Health().last_error;
  EXPECT_TRUE(up1.Health().connected);
  up1.Stop();

  // Without a client certificate: the broker refuses the handshake, nothing leaves the kiosk.
  KioskRig k2("k2", "s1", uri);
  ASSERT_NE(k2.db, nullptr);
  ASSERT_TRUE(synctest::Fill(k2.db.get(), k2.stamper, 50, kT0, 1000));
  k2.mqtt.ca_file = pki.File("ca.crt");
  Uplink up2(k2.mqtt, k2.config, k2.db.get(), nullptr);
  ASSERT_TRUE(up2.Start().ok());
  // Bounded: a few connect attempts (backoff 50..500 ms) each end in an error.
  ASSERT_TRUE(WaitFor([&] { return !up2.Health().last_error.empty(); }, seconds(20)));
  EXPECT_FALSE(up2.Health().connected);
  EXPECT_NE(up2.Health().last_error.find("connect"), std::string::npos) << up2.Health().last_error;
  EXPECT_EQ(k2.db->Stats().pending, 50);
  up2.Stop();

  (*hub)->Stop();
  auto held = HeldSeqs(hub_db);
  EXPECT_EQ(held.size(), 300u);
  for (const std::string& h : held) EXPECT_EQ(h.rfind("k1/", 0), 0u) << h;
}

// Kiosks k0..k2 of store s1, each with `per_kiosk` events, publishing small batches (50) to
// `uri`: many messages for the broker to spread over the hubs.
struct ClusterKiosk {
  testing::TempDir dir;
  std::unique_ptr<EventStore> db;
  std::unique_ptr<Uplink> uplink;
};
void StartKiosks(const std::string& uri, int64_t per_kiosk, int32_t ack_timeout_s,
                 std::vector<std::unique_ptr<ClusterKiosk>>* kiosks) {
  for (int i = 0; i < 3; ++i) {
    auto k = std::make_unique<ClusterKiosk>();
    k->db = synctest::OpenStore(k->dir.File("kiosk.db"));
    ASSERT_NE(k->db, nullptr);
    KioskConfig kc = synctest::Kiosk("k" + std::to_string(i), "s1");
    EventStamper st(kc, std::make_shared<ManualClock>(kT0));
    ASSERT_TRUE(synctest::Fill(k->db.get(), st, per_kiosk, kT0, 1000));
    MqttConfig mc = synctest::Mqtt(uri);
    mc.batch_max_events = 50;
    mc.ack_timeout_s = ack_timeout_s;
    k->uplink = std::make_unique<Uplink>(mc, kc, k->db.get(), nullptr);
    ASSERT_TRUE(k->uplink->Start().ok());
    kiosks->push_back(std::move(k));
  }
}

TEST(SyncCluster, TwoHubsOnASharedSubscriptionStoreEveryEventExactlyOnce) {
  testing::MosquittoBroker broker;
  testing::TempDir hub_dir;
  std::vector<std::unique_ptr<Hub>> hubs;
  for (int i = 0; i < 2; ++i) {
    auto o = HubOpts(broker.uri(), hub_dir.File("hub" + std::to_string(i) + ".db"));
    o.client_id = "hub-" + std::to_string(i);
    o.shared_group = "hubs";
    o.gap_timeout_ms = 0;  // separate stores: each sees only part of every kiosk's sequence
    o.decode_threads = 1;
    auto hub = Hub::Create(o);
    ASSERT_TRUE(hub.ok()) << hub.status().ToString();
    ASSERT_TRUE((*hub)->Start().ok());
    hubs.push_back(std::move(hub.value()));
  }
  for (auto& h : hubs) ASSERT_TRUE(WaitFor([&] { return h->Subscribed(); }));

  // Three kiosks, small batches: many messages for the broker to spread over the two hubs.
  const int64_t per_kiosk = 3000;
  std::vector<std::unique_ptr<ClusterKiosk>> kiosks;
  // No re-send after an ack timeout: with two separate hub stores a re-sent batch could land
  // on the other hub (a second copy); one shared hub store would dedup it.
  ASSERT_NO_FATAL_FAILURE(StartKiosks(broker.uri(), per_kiosk, 600, &kiosks));
  for (auto& k : kiosks) {
    ASSERT_TRUE(WaitFor([&] { return k->db->Stats().pending == 0; }, seconds(60)))
        << k->db->Stats().pending << " pending; " << k->uplink->Health().last_error;
  }
  for (auto& k : kiosks) k->uplink->Stop();
  std::vector<int64_t> inserted;
  for (auto& h : hubs) {
    h->Stop();
    inserted.push_back(h->Counters().events_inserted);
  }
  // Both received a share; the union is exact and no event is in both.
  EXPECT_GT(inserted[0], 0);
  EXPECT_GT(inserted[1], 0);
  auto a = HeldSeqs(hub_dir.File("hub0.db"));
  auto b = HeldSeqs(hub_dir.File("hub1.db"));
  std::set<std::string> sa(a.begin(), a.end()), sb(b.begin(), b.end());
  size_t both = 0;
  for (const std::string& s : sa) both += sb.count(s);
  EXPECT_EQ(both, 0u) << "events stored by both hubs";
  std::set<std::string> all = sa;
  all.insert(sb.begin(), sb.end());
  std::set<std::string> expected;
  for (int i = 0; i < 3; ++i) {
    for (int64_t s = 1; s <= per_kiosk; ++s) {
      expected.insert("k" + std::to_string(i) + "/" + std::to_string(s));
    }
  }
  EXPECT_EQ(all, expected);
  EXPECT_EQ(a.size() + b.size(), expected.size());
}

// The right set-up for a shared subscription: the hubs share one store. Two touchpoint-hub
// processes on one SQLite file (WAL; writes serialise on its lock) with a short kiosk ack timeout,
// and one hub killed mid-stream: batches it stored but never acknowledged are re-sent and land on
// the other hub, which finds them in the shared store. Every event is held exactly once, and
// gap requests see what the other hub wrote.
TEST(SyncCluster, TwoHubProcessesSharingOneStoreHoldEveryEventOnce) {
  testing::MosquittoBroker broker;
  testing::TempDir hub_dir;
  std::string hub_db = hub_dir.File("hub.db");
  auto start_hub = [&](int i) {
    testing::ChildProcess::Options copts;
    copts.capture_stdout = true;
    auto hub = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{testing::BinaryPath("touchpoint-hub"), "--db", hub_db, "run",
                                 "--broker", broker.uri(), "--shared-group", "hubs", "--client-id",
                                 "hub-" + std::to_string(i), "--gap-timeout-ms", "1000",
                                 "--decode-threads", "1", "--enrol-on-first-sight"},
        copts);
    auto line = hub->ReadLine(std::chrono::seconds(20));
    EXPECT_TRUE(line && line->find("subscribed") != std::string::npos);
    return hub;
  };
  std::unique_ptr<testing::ChildProcess> hubs[2] = {start_hub(0), start_hub(1)};

  const int64_t per_kiosk = 6000;
  std::vector<std::unique_ptr<ClusterKiosk>> kiosks;
  // Re-sends happen, and may reach the other hub.
  ASSERT_NO_FATAL_FAILURE(StartKiosks(broker.uri(), per_kiosk, 1, &kiosks));
  auto held = [&]() -> int64_t {
    auto store = OpenSqliteHubStore(hub_db);
    if (!store.ok()) return -1;
    auto n = (*store)->CountEvents();
    return n.ok() ? *n : -1;
  };
  ASSERT_TRUE(WaitFor([&] { return held() > 3000; }, seconds(30)));
  hubs[0]->Kill(SIGKILL);
  hubs[0]->Wait();
  hubs[0] = start_hub(0);
  for (auto& k : kiosks) {
    ASSERT_TRUE(WaitFor([&] { return k->db->Stats().pending == 0; }, seconds(90)))
        << k->db->Stats().pending << " pending; " << k->uplink->Health().last_error;
  }
  for (auto& k : kiosks) k->uplink->Stop();
  int64_t stored_by[2] = {0, 0};  // events each process stored (hub 0: since its restart)
  for (int i = 0; i < 2; ++i) {
    hubs[i]->Kill(SIGTERM);
    std::string out = hubs[i]->ReadAll();
    hubs[i]->Wait();
    auto at = out.find("messages, ");
    ASSERT_NE(at, std::string::npos) << out;
    stored_by[i] = std::stoll(out.substr(at + 10));
  }
  // The survivor stored a share (the restarted one may find the drain done); the union is exact.
  EXPECT_GT(stored_by[1], 0);
  auto all = HeldSeqs(hub_db);
  std::set<std::string> unique(all.begin(), all.end());
  EXPECT_EQ(unique.size(), all.size());
  EXPECT_EQ(all.size(), static_cast<size_t>(3 * per_kiosk));
  EXPECT_EQ(held(), 3 * per_kiosk);
}

// The kiosk with this id in the hub database's kiosk list (empty id if absent).
KioskSummary FindKiosk(const std::string& hub_db, const std::string& kiosk) {
  auto store = OpenSqliteHubStore(hub_db);
  if (!store.ok()) return {};
  auto list = (*store)->Kiosks();
  if (!list.ok()) return {};
  for (const KioskSummary& k : *list) {
    if (k.kiosk == kiosk) return k;
  }
  return {};
}

TEST(SyncStatus, HubShowsKiosksOnlineOfflineWithQueueAndVersions) {
  testing::MosquittoBroker broker;
  testing::TempDir hub_dir;
  std::string hub_db = hub_dir.File("hub.db");
  auto hub = Hub::Create(HubOpts(broker.uri(), hub_db));
  ASSERT_TRUE(hub.ok());
  ASSERT_TRUE((*hub)->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return (*hub)->Subscribed(); }));

  // k1: a real uplink; its birth says online with its queue depth and versions.
  testing::TempDir k1_dir;
  auto k1_db = synctest::OpenStore(k1_dir.File("kiosk.db"));
  ASSERT_NE(k1_db, nullptr);
  KioskConfig k1 = synctest::Kiosk("k1", "s1");
  UplinkHooks hooks;
  hooks.status = [] {
    StatusPayload p;
    p.software_version = "1.4.0";
    p.config_version = "store-visit@7";
    p.queue_depth = 42;
    return p;
  };
  auto up1 =
      std::make_unique<Uplink>(synctest::Mqtt(broker.uri()), k1, k1_db.get(), nullptr, hooks);
  ASSERT_TRUE(up1->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return (*hub)->Counters().statuses >= 1; }, seconds(20)));
  // k2: a client that vanishes without a DISCONNECT; the broker publishes its retained will.
  auto k2_topics = TopicsFor("touchpoint/v1", "s1", "k2");
  const std::string port = std::to_string(broker.port());
  // A retained marker on its config topic: when k2 prints it, k2 is connected and subscribed.
  ASSERT_TRUE(RunToSuccess({"mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-r", "-q", "1", "-t",
                            k2_topics.config, "-m", "marker"}));
  testing::ChildProcess::Options quiet;
  quiet.quiet_stderr = true;
  quiet.capture_stdout = true;
  auto k2 = std::make_unique<testing::ChildProcess>(
      std::vector<std::string>{"mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-V", "mqttv5", "-i",
                               "kiosk-k2", "-t", k2_topics.config, "--will-topic", k2_topics.status,
                               "--will-payload",
                               R"({"v":1,"state":"offline","kiosk":"k2","store":"s1",)"
                               R"("time":"2026-11-23T10:00:00.000Z"})",
                               "--will-retain", "--will-qos", "1"},
      quiet);
  ASSERT_EQ(k2->ReadLine(seconds(10)), std::optional<std::string>("marker"));
  k2->Kill(SIGKILL);
  k2->Wait();
  ASSERT_TRUE(WaitFor([&] { return (*hub)->Counters().statuses >= 2; }, seconds(20)));

  auto online = FindKiosk(hub_db, "k1");
  ASSERT_TRUE(online.status.has_value());
  EXPECT_EQ(online.status->state, "online");
  EXPECT_EQ(online.status->store, "s1");
  EXPECT_EQ(online.status->queue_depth, 42);
  EXPECT_EQ(online.status->software_version, "1.4.0");
  EXPECT_EQ(online.status->config_version, "store-visit@7");
  EXPECT_GT(online.status->received_ms, 0);
  auto gone = FindKiosk(hub_db, "k2");
  ASSERT_TRUE(gone.status.has_value());
  EXPECT_EQ(gone.status->state, "offline");
  EXPECT_EQ(gone.status->status_time_ms, kT0);

  // A clean stop says offline too; the CLI lists both.
  int64_t seen = (*hub)->Counters().statuses;
  up1->Stop();
  ASSERT_TRUE(WaitFor([&] { return (*hub)->Counters().statuses > seen; }, seconds(20)));
  (*hub)->Stop();
  EXPECT_EQ(FindKiosk(hub_db, "k1").status->state, "offline");
  testing::ChildProcess::Options copts;
  copts.capture_stdout = true;
  testing::ChildProcess cli({testing::BinaryPath("touchpoint-hub"), "--db", hub_db, "kiosks"},
                            copts);
  std::string out = cli.ReadAll();
  EXPECT_EQ(cli.Wait(), 0);
  EXPECT_NE(out.find("k1"), std::string::npos) << out;
  EXPECT_NE(out.find("k2"), std::string::npos) << out;
  EXPECT_NE(out.find("store-visit@7"), std::string::npos) << out;
  EXPECT_NE(out.find("offline"), std::string::npos) << out;
  EXPECT_EQ((*hub)->Counters().rejects, 0);
}

}  // namespace
}  // namespace touchpoint::sync
