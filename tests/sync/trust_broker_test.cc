// Trust at the broker: a real Mosquitto started with the shipped deploy/mosquitto configuration
// and ACL, certificates made by tools/pki. Each attack is made by a client that holds a valid
// certificate of its own (kiosk k2) or none, and must fail, while the legitimate flow (kiosk k1,
// the hub) still delivers everything exactly once.
#include <gtest/gtest.h>

#include <mqtt/async_client.h>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "sync_test_util.h"
#include "test_support.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/hub/hub.h"
#include "touchpoint/sync/wire.h"

namespace touchpoint::sync {
namespace {

using namespace touchpoint::hub;  // the hub end of the sync under test

using std::chrono::seconds;
using synctest::KioskRig;
using synctest::kT0;
using testing::WaitFor;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void ReplaceAll(std::string* text, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = text->find(from, at)) != std::string::npos; at += to.size()) {
    text->replace(at, from.size(), to);
  }
}

using testing::RunToSuccess;

// The PKI (tools/pki) and the shipped broker configuration, run on a loopback port.
class ShippedDeployment {
 public:
  ShippedDeployment() {
    std::string pki = testing::SourcePath("tools/pki");
    ok_ = RunToSuccess({pki, "init", dir_.path()}) &&
          RunToSuccess({pki, "server", dir_.path(), "127.0.0.1"}) &&
          RunToSuccess({pki, "kiosk", dir_.path(), "k1", "s1"}) &&
          RunToSuccess({pki, "kiosk", dir_.path(), "k2", "s1"}) &&
          RunToSuccess({pki, "hub", dir_.path()}) && RunToSuccess({pki, "central", dir_.path()});
    // Mosquitto started as root drops to its own user before it reads the certificates and
    // writes its log: a throwaway folder it may use.
    namespace fs = std::filesystem;
    fs::permissions(dir_.path(), fs::perms::all);
    for (const auto& entry : fs::directory_iterator(dir_.path())) {
      fs::permissions(entry.path(), fs::perms::others_read | fs::perms::group_read,
                      fs::perm_options::add);
    }
  }
  bool ok() const { return ok_; }

  // The shipped touchpoint.conf with its paths pointing at this PKI and the repo's ACL, its
  // listener on loopback, and a log the tests read.
  testing::MosquittoBroker::FullConfig BrokerConfig() const {
    std::string conf = ReadFile(testing::SourcePath("deploy/mosquitto/touchpoint.conf"));
    ReplaceAll(&conf, "/etc/mosquitto/touchpoint/", dir_.path() + "/");
    ReplaceAll(&conf, "/etc/mosquitto/touchpoint.acl",
               testing::SourcePath("deploy/mosquitto/touchpoint.acl"));
    ReplaceAll(&conf, "listener 8883\n", "listener {PORT} 127.0.0.1\n");
    conf += "\npersistence false\nlog_dest file " + Log() + "\nlog_type all\n";
    return {conf};
  }
  std::string Log() const { return dir_.File("broker.log"); }
  // Lines of the broker log containing `what`.
  int LogCount(const std::string& what) const {
    std::istringstream in(ReadFile(Log()));
    int n = 0;
    for (std::string line; std::getline(in, line);) n += line.find(what) != std::string::npos;
    return n;
  }
  std::string File(const std::string& name) const { return dir_.File(name); }
  bool Pki(std::vector<std::string> args) {
    args.insert(args.begin(), {testing::SourcePath("tools/pki")});
    args.insert(args.begin() + 2, dir_.path());
    return RunToSuccess(std::move(args));
  }

  // A kiosk rig using `name`'s certificate.
  void UseCertificate(MqttConfig* m, const std::string& name) const {
    m->ca_file = File("ca.crt");
    m->cert_file = File(name + ".crt");
    m->key_file = File(name + ".key");
  }
  void UseCertificate(HubOptions* o, const std::string& name) const {
    o->ca_file = File("ca.crt");
    o->cert_file = File(name + ".crt");
    o->key_file = File(name + ".key");
  }

 private:
  testing::TempDir dir_;
  bool ok_ = false;
};

// A bare MQTT v5 client over TLS (the attacker's tool), recording what it receives.
class TlsClient {
 public:
  // cert empty: no client certificate.
  TlsClient(const std::string& uri, const std::string& client_id, const std::string& ca,
            const std::string& cert, const std::string& key)
      : client_(uri, client_id, mqtt::create_options(MQTTVERSION_5)) {
    mqtt::ssl_options ssl;
    ssl.set_trust_store(ca);
    if (!cert.empty()) {
      ssl.set_key_store(cert);
      ssl.set_private_key(key);
    }
    opts_ = mqtt::connect_options_builder()
                .mqtt_version(MQTTVERSION_5)
                .clean_start(true)
                .ssl(std::move(ssl))
                .connect_timeout(seconds(5))
                .finalize();
    client_.set_message_callback([this](mqtt::const_message_ptr m) {
      std::lock_guard<std::mutex> lock(mu_);
      received_.push_back(m->get_topic() + " " + m->to_string());
    });
  }
  ~TlsClient() {
    try {
      if (client_.is_connected()) client_.disconnect()->wait_for(seconds(5));
    } catch (const mqtt::exception&) {
    }
  }
  bool Connect() {
    try {
      return client_.connect(opts_)->wait_for(seconds(10)) && client_.is_connected();
    } catch (const mqtt::exception&) {
      return false;
    }
  }
  // QoS 1: true once the broker acknowledged the message as accepted (MQTT v5 tells a refused
  // publish by its PUBACK reason code).
  bool Publish(const std::string& topic, const std::string& payload, bool retained = false) {
    try {
      return client_.publish(mqtt::make_message(topic, payload, 1, retained))
          ->wait_for(seconds(10));
    } catch (const mqtt::exception&) {
      return false;
    }
  }
  void Subscribe(const std::string& filter) { client_.subscribe(filter, 1)->wait_for(seconds(10)); }
  std::vector<std::string> Received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }
  bool connected() const { return client_.is_connected(); }

 private:
  mqtt::async_client client_;
  mqtt::connect_options opts_;
  std::mutex mu_;
  std::vector<std::string> received_;
};

class TrustTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pki_.ok()) << "tools/pki failed";
    broker_ = std::make_unique<testing::MosquittoBroker>(pki_.BrokerConfig());
    uri_ = "ssl://127.0.0.1:" + std::to_string(broker_->port());
    auto store = OpenSqliteHubStore(hub_db_);
    ASSERT_TRUE(store.ok());
    for (const char* k : {"k1", "k2"}) {
      ASSERT_TRUE((*store)->RegisterKiosk({k, "s1", kT0, "cli"}).ok());
    }
  }

  std::unique_ptr<Hub> StartHub(const std::string& shared_group = "") {
    auto o = synctest::HubOpts(uri_, hub_db_);
    o.enrol_on_first_sight = false;
    o.shared_group = shared_group;
    pki_.UseCertificate(&o, "hub");
    auto hub = Hub::Create(o);
    EXPECT_TRUE(hub.ok()) << hub.status().ToString();
    if (!hub.ok()) return nullptr;
    EXPECT_TRUE((*hub)->Start().ok());
    EXPECT_TRUE(WaitFor([&] { return (*hub)->Subscribed(); }, seconds(15)));
    return std::move(hub.value());
  }

  std::unique_ptr<KioskRig> Kiosk(const std::string& id, int64_t events) {
    auto rig = std::make_unique<KioskRig>(id, "s1", uri_);
    pki_.UseCertificate(&rig->mqtt, id);
    EXPECT_TRUE(synctest::Fill(rig->db.get(), rig->stamper, events, kT0, 1000));
    return rig;
  }

  std::unique_ptr<TlsClient> Attacker(const std::string& client_id = "attacker") {
    return std::make_unique<TlsClient>(uri_, client_id, pki_.File("ca.crt"), pki_.File("k2.crt"),
                                       pki_.File("k2.key"));
  }

  ShippedDeployment pki_;
  testing::TempDir hub_dir_;
  std::string hub_db_ = hub_dir_.File("hub.db");
  std::unique_ptr<testing::MosquittoBroker> broker_;
  std::string uri_;
};

TEST_F(TrustTest, NoClientConnectsWithoutACertificateOfTheCa) {
  TlsClient anonymous(uri_, "anon", pki_.File("ca.crt"), "", "");
  EXPECT_FALSE(anonymous.Connect());
  // A certificate of another CA (a self-made one) is refused too.
  testing::TempDir other;
  ASSERT_TRUE(RunToSuccess({testing::SourcePath("tools/pki"), "init", other.path()}));
  ASSERT_TRUE(RunToSuccess({testing::SourcePath("tools/pki"), "kiosk", other.path(), "k1", "s1"}));
  TlsClient forged(uri_, "forged", pki_.File("ca.crt"), other.File("k1.crt"), other.File("k1.key"));
  EXPECT_FALSE(forged.Connect());
  // Plain MQTT on the TLS port gets nowhere either.
  mqtt::async_client plain("tcp://127.0.0.1:" + std::to_string(broker_->port()), "plain");
  bool plain_connected = false;
  try {
    auto opts = mqtt::connect_options_builder().connect_timeout(seconds(5)).finalize();
    plain_connected = plain.connect(opts)->wait_for(seconds(10)) && plain.is_connected();
  } catch (const mqtt::exception&) {
  }
  EXPECT_FALSE(plain_connected);
  TlsClient k2(uri_, "k2", pki_.File("ca.crt"), pki_.File("k2.crt"), pki_.File("k2.key"));
  EXPECT_TRUE(k2.Connect()) << "the CA's own kiosk certificate must connect";
}

TEST_F(TrustTest, AnotherKioskCannotPublishAckStatusOrConfigAsK1) {
  auto k1 = Kiosk("k1", 200);
  std::string real_first = k1->db->NewReader().value()->ReadRange(1, 1, 1).value()[0].json;
  ASSERT_TRUE(k1->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return k1->uplink->Health().connected; }, seconds(15)));
  // No hub yet: k1 holds all 200 events.
  auto attacker = Attacker();
  ASSERT_TRUE(attacker->Connect());
  auto topics = TopicsFor("touchpoint/v1", "s1", "k1");
  // Seq squatting: 20 fake csat=1 sessions under k1's seqs 1..20, before k1's real ones.
  EventStamper fake(synctest::Kiosk("k1", "s1"), std::make_shared<ManualClock>(kT0));
  BatchBuilder squat("batch", "k1", "s1");
  for (uint64_t seq = 1; seq <= 20; ++seq) {
    Event e = synctest::Feedback(fake, kT0, 1);
    e.seq = seq;
    e.boot_count = 1;
    squat.Add(seq, EncodeEvent(e));
  }
  EXPECT_FALSE(attacker->Publish(topics.events, CompressBatch(squat.Finish())));
  // A forged ack would make k1 delete what it never delivered.
  EXPECT_FALSE(
      attacker->Publish(topics.ack, EncodeHubMessage({HubMessage::Kind::kAck, {{1, 200}}})));
  EXPECT_FALSE(attacker->Publish(
      topics.status,
      R"({"v":1,"state":"online","kiosk":"k1","store":"s1","software_version":"evil"})",
      /*retained=*/true));
  EXPECT_FALSE(attacker->Publish(
      topics.config, "[survey]\nid = \"evil\"\nversion = 99\nfree_text = true\n", true));
  // Its own topics are open to it (the refusals above are about whose topic, not the client).
  EXPECT_TRUE(attacker->Publish(TopicsFor("touchpoint/v1", "s1", "k2").status,
                                R"({"v":1,"state":"online","kiosk":"k2","store":"s1"})", true));
  ASSERT_TRUE(WaitFor([&] { return pki_.LogCount("Denied PUBLISH from k2") >= 4; }, seconds(10)))
      << ReadFile(pki_.Log());
  // The broker refused all four: k1 still holds every event and its survey.
  EXPECT_EQ(k1->Pending(), 200);
  EXPECT_EQ(k1->uplink->Health().events_acked, 0);
  EXPECT_EQ(k1->uplink->Health().applied_config_version, "");

  // The legitimate flow, the hub on a shared subscription through the ACL: exactly once.
  auto hub = StartHub("hubs");
  ASSERT_TRUE(hub);
  ASSERT_TRUE(WaitFor([&] { return k1->Pending() == 0; }, seconds(60))) << k1->Pending();
  hub->Stop();
  HubCounters c = hub->Counters();
  EXPECT_EQ(c.events_inserted, 200);
  EXPECT_EQ(c.rejects, 0) << "the forged batch never reached the hub";
  EXPECT_EQ(c.conflicts, 0);
  auto store = OpenSqliteHubStore(hub_db_);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(*(*store)->CountEvents(), 200);
  EXPECT_EQ((*store)->EventJson("k1", 1).value(), real_first) << "k1's own seq 1, not the fake";
  auto kiosks = (*store)->Kiosks();
  ASSERT_TRUE(kiosks.ok());
  for (const KioskSummary& k : *kiosks) {
    if (k.kiosk != "k1" || !k.status) continue;
    EXPECT_NE(k.status->software_version, "evil");
  }
}

TEST_F(TrustTest, AKioskReadsOnlyItsOwnAckAndConfig) {
  auto k1 = Kiosk("k1", 100);
  auto hub = StartHub();
  ASSERT_TRUE(hub);
  // k2's certificate (its client id becomes "k2" whatever it asks for) listens to everything.
  auto spy = Attacker();
  ASSERT_TRUE(spy->Connect());
  spy->Subscribe("#");
  spy->Subscribe("touchpoint/v1/+/+/events");
  ASSERT_TRUE(k1->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return k1->Pending() == 0; }, seconds(60)));
  // Then k2 delivers one event of its own: once its ack is back, k1's traffic (events, acks,
  // statuses, all published before) would have reached the spy too.
  EventStamper k2_stamper(synctest::Kiosk("k2", "s1"), std::make_shared<ManualClock>(kT0));
  Event e = synctest::Feedback(k2_stamper, kT0, 5);
  e.seq = 1;
  e.boot_count = 1;
  BatchBuilder own("batch", "k2", "s1");
  own.Add(1, EncodeEvent(e));
  ASSERT_TRUE(
      spy->Publish(TopicsFor("touchpoint/v1", "s1", "k2").events, CompressBatch(own.Finish())));
  auto got_own_ack = [&] {
    for (const std::string& m : spy->Received()) {
      if (m.rfind("touchpoint/v1/s1/k2/ack ", 0) == 0) return true;
    }
    return false;
  };
  ASSERT_TRUE(WaitFor(got_own_ack, seconds(15)));
  for (const std::string& m : spy->Received()) {
    EXPECT_EQ(m.rfind("touchpoint/v1/s1/k2/", 0), 0u) << "k2 read: " << m.substr(0, 80);
  }
}

TEST_F(TrustTest, TheHubsClientIdCannotBeTakenOver) {
  auto hub = StartHub();
  ASSERT_TRUE(hub);
  ASSERT_EQ(hub->Counters().connects, 1);
  // A kiosk certificate asking for the hub's client id (and its user name) gets its own CN as
  // client id instead: the hub is not kicked off.
  std::vector<std::unique_ptr<TlsClient>> thieves;
  for (const char* id : {"touchpoint-hub", "hub", "touchpoint-hub"}) {
    thieves.push_back(Attacker(id));
    EXPECT_TRUE(thieves.back()->Connect());
  }
  // A round trip through the hub after the attempts: had it been kicked, it would have
  // reconnected (connects 2) or lost the events' acks.
  auto k1 = Kiosk("k1", 20);
  ASSERT_TRUE(k1->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return k1->Pending() == 0; }, seconds(60)));
  EXPECT_EQ(hub->Counters().connects, 1);
  EXPECT_TRUE(hub->Counters().connected);
  EXPECT_EQ(pki_.LogCount("as touchpoint-hub"), 0) << ReadFile(pki_.Log());
}

TEST_F(TrustTest, OnlyCentralPushesConfigAndTheKioskAppliesOnlyItsSignature) {
  auto k1 = Kiosk("k1", 0);
  k1->mqtt.config_public_key_file = pki_.File("central.pub");  // made by tools/pki central
  ASSERT_TRUE(k1->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return k1->uplink->Health().connected; }, seconds(15)));
  auto topics = TopicsFor("touchpoint/v1", "s1", "k1");
  const std::string survey =
      "[survey]\nid = \"trusted\"\nversion = 2\nlanguages = [\"en\"]\n"
      "title = { en = \"Quick question\" }\nthank_you = { en = \"Thanks\" }\n"
      "[[survey.questions]]\nid = \"overall\"\ntype = \"csat\"\nprompt = { en = \"How was it?\" "
      "}\n";
  std::string push = synctest::SignedPush(pki_.File("central.key"), "s1", "k1", survey);
  ASSERT_FALSE(push.empty());
  // Neither another kiosk nor the hub may publish on k1's config topic, even a validly signed
  // push (a replay they captured): the broker refuses them.
  auto attacker = Attacker();
  ASSERT_TRUE(attacker->Connect());
  EXPECT_FALSE(attacker->Publish(topics.config, push, true));
  TlsClient hub_client(uri_, "hub-cli", pki_.File("ca.crt"), pki_.File("hub.crt"),
                       pki_.File("hub.key"));
  ASSERT_TRUE(hub_client.Connect());
  EXPECT_FALSE(hub_client.Publish(topics.config, push, true));
  EXPECT_EQ(k1->uplink->Health().applied_config_version, "");
  // Central may, and the kiosk applies it once the signature checks out.
  TlsClient central(uri_, "central", pki_.File("ca.crt"), pki_.File("central.crt"),
                    pki_.File("central.key"));
  ASSERT_TRUE(central.Connect());
  ASSERT_TRUE(central.Publish(topics.config, push, true));
  ASSERT_TRUE(WaitFor([&] { return k1->uplink->Health().applied_config_version == "trusted@2"; },
                      seconds(15)))
      << k1->uplink->Health().config_push_error;
}

// The hub's alerts (<prefix>/alerts, docs/hub-api.md): only a hub publishes them, central reads
// them; a kiosk can neither forge one nor listen to them.
TEST_F(TrustTest, OnlyTheHubPublishesAlertsAndOnlyCentralReadsThem) {
  const std::string topic = "touchpoint/v1/alerts";
  TlsClient central(uri_, "central", pki_.File("ca.crt"), pki_.File("central.crt"),
                    pki_.File("central.key"));
  ASSERT_TRUE(central.Connect());
  central.Subscribe(topic);
  auto kiosk = Attacker();
  ASSERT_TRUE(kiosk->Connect());
  kiosk->Subscribe(topic);
  EXPECT_FALSE(kiosk->Publish(topic, R"({"rule":"forged"})"));
  EXPECT_FALSE(central.Publish(topic, R"({"rule":"central"})"));
  TlsClient hub(uri_, "hub-cli", pki_.File("ca.crt"), pki_.File("hub.crt"), pki_.File("hub.key"));
  ASSERT_TRUE(hub.Connect());
  ASSERT_TRUE(hub.Publish(topic, R"({"rule":"real"})"));
  ASSERT_TRUE(WaitFor([&] { return !central.Received().empty(); }, seconds(15)));
  // The kiosk subscribed before the hub published: had the broker let it read, it would have
  // the message by the time central has it (one broker, one publish, both subscriptions).
  ASSERT_TRUE(hub.Publish(topic, R"({"rule":"second"})"));
  ASSERT_TRUE(WaitFor([&] { return central.Received().size() == 2; }, seconds(15)));
  EXPECT_EQ(central.Received(), (std::vector<std::string>{topic + R"( {"rule":"real"})",
                                                          topic + R"( {"rule":"second"})"}));
  EXPECT_TRUE(kiosk->Received().empty());
}

TEST_F(TrustTest, ARevokedKioskCannotConnect) {
  ASSERT_TRUE(pki_.Pki({"revoke", "k2"}));
  // The broker reads the CRL at start (or at a reload).
  namespace fs = std::filesystem;
  fs::permissions(pki_.File("crl.pem"), fs::perms::others_read, fs::perm_options::add);
  broker_->Restart();
  TlsClient revoked(uri_, "k2", pki_.File("ca.crt"), pki_.File("k2.crt.revoked"),
                    pki_.File("k2.key"));
  EXPECT_FALSE(revoked.Connect());
  TlsClient k1(uri_, "k1", pki_.File("ca.crt"), pki_.File("k1.crt"), pki_.File("k1.key"));
  EXPECT_TRUE(k1.Connect());
}

}  // namespace
}  // namespace touchpoint::sync
