// Signed config pushes end to end: central's keys made with the openssl CLI, pushes published
// by `touchpoint-hub config push` (or raw) on a real Mosquitto, applied or refused by a real
// kiosk Uplink, which reports why in its health and its retained status message.
#include <gtest/gtest.h>
#include <mqtt/async_client.h>

#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "sync_test_util.h"
#include "test_support.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/sync/config_signature.h"
#include "touchpoint/sync/uplink.h"
#include "touchpoint/sync/wire.h"

namespace touchpoint::sync {
namespace {

using namespace touchpoint::hub;  // the hub end of the sync under test

using std::chrono::seconds;
using synctest::KioskRig;
using testing::WaitFor;

std::string Survey(const std::string& id, int version) {
  return "[survey]\nid = \"" + id + "\"\nversion = " + std::to_string(version) +
         "\nlanguages = [\"en\"]\ntitle = { en = \"Quick question\" }\n"
         "thank_you = { en = \"Thanks\" }\n[[survey.questions]]\nid = \"overall\"\n"
         "type = \"csat\"\nprompt = { en = \"How was it?\" }\n";
}

// Runs touchpoint-hub with `args`; returns (exit code, stdout).
std::pair<int, std::string> Hub(std::vector<std::string> args) {
  args.insert(args.begin(), testing::BinaryPath("touchpoint-hub"));
  testing::ChildProcess::Options o;
  o.capture_stdout = true;
  testing::ChildProcess p(std::move(args), o);
  std::string out = p.ReadAll();
  auto code = p.Wait(seconds(30));
  return {code ? *code : -1, out};
}

// Publishes payloads retained on config topics, as an attacker (or central) would.
class RawPublisher {
 public:
  explicit RawPublisher(const std::string& uri) : client_(uri, "raw-config-publisher") {
    client_.connect()->wait();
  }
  ~RawPublisher() {
    try {
      client_.disconnect()->wait();
    } catch (const mqtt::exception&) {
    }
  }
  void Publish(const std::string& topic, const std::string& payload) {
    client_.publish(mqtt::make_message(topic, payload, 1, true))->wait();
  }

 private:
  mqtt::async_client client_;
};

// The kiosk's latest retained status message ("survey" part), as the hub sees it.
class StatusWatcher {
 public:
  StatusWatcher(const std::string& uri, const std::string& topic)
      : client_(uri, "status-watcher-" + std::to_string(std::hash<std::string>{}(topic))) {
    client_.set_message_callback([this](mqtt::const_message_ptr m) {
      std::lock_guard<std::mutex> lock(mu_);
      latest_ = m->get_payload_str();
      seen_ += latest_ + "\n";
    });
    client_.connect()->wait();
    client_.subscribe(topic, 1)->wait();
  }
  ~StatusWatcher() {
    try {
      client_.disconnect()->wait();
    } catch (const mqtt::exception&) {
    }
  }
  // survey.error of the latest "online" status, or "" if none yet.
  std::string SurveyField(const char* field) {
    std::lock_guard<std::mutex> lock(mu_);
    auto j = nlohmann::json::parse(latest_, nullptr, false);
    if (j.is_discarded() || !j.contains("survey")) return "";
    return j["survey"].value(field, "");
  }
  // True if any status received so far contained `text`.
  bool EverSaid(const std::string& text) {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_.find(text) != std::string::npos;
  }

 private:
  mqtt::async_client client_;
  std::mutex mu_;
  std::string latest_;
  std::string seen_;  // every status payload received
};

// Waits until the kiosk refused a push for a reason containing `why`, in its health and in the
// status it published, and checks that the applied survey is still `applied`.
void ExpectRefused(KioskRig& k, StatusWatcher& status, const std::string& why,
                   const std::string& applied) {
  EXPECT_TRUE(WaitFor([&] {
    return k.uplink->Health().config_push_error.find(why) != std::string::npos;
  })) << "health says: "
      << k.uplink->Health().config_push_error << "\nexpected: " << why;
  EXPECT_TRUE(WaitFor([&] { return status.SurveyField("error").find(why) != std::string::npos; }))
      << "status says: " << status.SurveyField("error");
  EXPECT_EQ(k.uplink->Health().applied_config_version, applied);
  // Nothing applied yet: the kiosk's own (here the default) survey is still in use.
  std::string expected = applied.empty()
                             ? DefaultSurvey().id + "@" + std::to_string(DefaultSurvey().version)
                             : applied;
  auto in_use = k.survey.Get();
  EXPECT_EQ(in_use->id + "@" + std::to_string(in_use->version), expected);
}

TEST(ConfigPush, SignedPushesAreAppliedAndUnsignedTamperedForeignOrOldOnesRefused) {
  testing::MosquittoBroker broker;
  testing::TempDir dir;
  ASSERT_TRUE(synctest::MakeSigningKey(dir, "central", "ed25519"));
  ASSERT_TRUE(synctest::MakeSigningKey(dir, "other", "ed25519"));
  std::ofstream(dir.File("v2.toml")) << Survey("pushed", 2);
  std::ofstream(dir.File("v3.toml")) << Survey("pushed", 3);
  KioskRig k1("k1", "s1", broker.uri());
  k1.mqtt.config_public_key_file = dir.File("central.pub");
  k1.hooks.config_state_file = dir.File("k1-config.state");
  ASSERT_TRUE(k1.Start().ok());
  std::string topic = TopicsFor("touchpoint/v1", "s1", "k1").config;
  StatusWatcher status(broker.uri(), TopicsFor("touchpoint/v1", "s1", "k1").status);
  RawPublisher raw(broker.uri());

  // Central pushes with the hub's command: applied, and reported in the status.
  auto pushed = Hub({"config", "push", "--broker", broker.uri(), "--sign-key",
                     dir.File("central.key"), "--store", "s1", "--kiosk", "k1", "--issued",
                     "2026-11-30T10:00:00.000Z", dir.File("v2.toml")});
  ASSERT_EQ(pushed.first, 0) << pushed.second;
  ASSERT_TRUE(WaitFor([&] { return k1.uplink->Health().applied_config_version == "pushed@2"; }))
      << k1.uplink->Health().config_push_error;
  EXPECT_TRUE(WaitFor([&] { return status.SurveyField("applied_version") == "pushed@2"; }));

  // The attacker's unsigned survey (free text asking for an e-mail address).
  raw.Publish(topic,
              "[survey]\nid = \"evil\"\nversion = 9\nfree_text = true\nlanguages = [\"en\"]\n");
  ExpectRefused(k1, status, "unsigned push refused", "pushed@2");

  // Central's signed v3 with the document changed after signing.
  auto signed_v3 = Hub({"config", "sign", "--key", dir.File("central.key"), "--store", "s1",
                        "--kiosk", "k1", "--issued", "2026-11-30T11:00:00Z", dir.File("v3.toml")});
  ASSERT_EQ(signed_v3.first, 0);
  auto env = nlohmann::json::parse(signed_v3.second);
  std::string doc = Base64Decode(env["signed"].get<std::string>()).value();
  doc.replace(doc.find("version = 3"), 11, "version = 7");
  auto tampered = env;
  tampered["signed"] = Base64Encode(doc);
  raw.Publish(topic, tampered.dump());
  ExpectRefused(k1, status, "signature does not verify", "pushed@2");

  // Central's push for kiosk k2, replayed to k1.
  raw.Publish(topic,
              synctest::SignedPush(dir.File("central.key"), "s1", "k2", Survey("pushed", 4)));
  ExpectRefused(k1, status, "signed for s1/k2, not for this kiosk (s1/k1)", "pushed@2");

  // Signed by another key (after another reason, so that this refusal is a new one).
  auto foreign = Hub({"config", "sign", "--key", dir.File("other.key"), "--store", "s1", "--kiosk",
                      "k1", dir.File("v3.toml")});
  ASSERT_EQ(foreign.first, 0);
  raw.Publish(topic, foreign.second);
  ExpectRefused(k1, status, "signature does not verify with the central key", "pushed@2");
  EXPECT_EQ(k1.uplink->Health().config_push_error,
            "signature does not verify with the central key (tampered, or signed by another key)");

  // An older push of central's (issued before the one in use): a downgrade.
  raw.Publish(topic, synctest::SignedPush(dir.File("central.key"), "s1", "k1", Survey("pushed", 1),
                                          *ParseUtcMs("2026-11-30T09:00:00.000Z")));
  ExpectRefused(k1, status, "replay or downgrade", "pushed@2");

  // 1 MB: refused by size, never parsed.
  raw.Publish(topic, std::string(1024 * 1024, '{'));
  ExpectRefused(k1, status, "push of 1048576 bytes refused unparsed: the limit is 256 KiB",
                "pushed@2");

  // Over the Maximum Packet Size the kiosk announces (2 MiB): the broker drops it, so the kiosk
  // never holds it; the 300 KB push after it is the next one the kiosk sees and reports.
  raw.Publish(topic, std::string(3 * 1024 * 1024, '{'));
  raw.Publish(topic, std::string(300 * 1024, '{'));
  ExpectRefused(k1, status, "push of 307200 bytes refused unparsed", "pushed@2");
  EXPECT_FALSE(status.EverSaid("push of 31457")) << "the 3 MB push reached the kiosk";

  // The properly signed v3 still goes through, and the error clears.
  raw.Publish(topic, signed_v3.second);
  ASSERT_TRUE(WaitFor([&] { return k1.uplink->Health().applied_config_version == "pushed@3"; }))
      << k1.uplink->Health().config_push_error;
  EXPECT_TRUE(k1.uplink->Health().config_push_error.empty());
  EXPECT_TRUE(WaitFor([&] { return status.SurveyField("applied_version") == "pushed@3"; }));
  EXPECT_EQ(status.SurveyField("error"), "");

  // A restart keeps the issue time of the applied push: the retained v3 comes again and is
  // fine, central's older v2 replayed afterwards is still refused.
  k1.uplink->Stop();
  std::string state;
  std::getline(std::ifstream(dir.File("k1-config.state")), state);
  EXPECT_EQ(state, std::to_string(*ParseUtcMs("2026-11-30T11:00:00.000Z")));
  ASSERT_TRUE(k1.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return k1.uplink->Health().applied_config_version == "pushed@3"; }))
      << k1.uplink->Health().config_push_error;
  raw.Publish(topic, synctest::SignedPush(dir.File("central.key"), "s1", "k1", Survey("pushed", 2),
                                          *ParseUtcMs("2026-11-30T10:00:00.000Z")));
  ExpectRefused(k1, status, "replay or downgrade", "pushed@3");
}

TEST(ConfigPush, P256CertificateAsTheKeyNoKeyRefusesAllAndUnsignedOkIsOptIn) {
  testing::MosquittoBroker broker;
  testing::TempDir dir;
  // Central's key and a certificate for it, as tools/pki makes them (EC P-256, openssl CLI).
  testing::ChildProcess::Options quiet;
  quiet.quiet_stderr = true;
  testing::ChildProcess req(
      {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
       "-nodes", "-keyout", dir.File("central.key"), "-out", dir.File("central.crt"), "-days", "2",
       "-subj", "/CN=central"},
      quiet);
  ASSERT_EQ(req.Wait(seconds(30)), 0);

  KioskRig k1("k1", "s1", broker.uri());
  k1.mqtt.config_public_key_file = dir.File("central.crt");
  KioskRig k2("k2", "s1", broker.uri());  // no key configured
  KioskRig k3("k3", "s1", broker.uri());  // development: unsigned pushes allowed
  k3.mqtt.config_unsigned_ok = true;
  KioskRig k4("k4", "s1", broker.uri());  // a key file that is not a key
  std::ofstream(dir.File("junk.pub")) << "not a key\n";
  k4.mqtt.config_public_key_file = dir.File("junk.pub");
  for (KioskRig* k : {&k1, &k2, &k3, &k4}) ASSERT_TRUE(k->Start().ok());
  StatusWatcher status2(broker.uri(), TopicsFor("touchpoint/v1", "s1", "k2").status);
  StatusWatcher status4(broker.uri(), TopicsFor("touchpoint/v1", "s1", "k4").status);
  RawPublisher raw(broker.uri());

  for (const char* kiosk : {"k1", "k2", "k4"}) {
    raw.Publish(TopicsFor("touchpoint/v1", "s1", kiosk).config,
                synctest::SignedPush(dir.File("central.key"), "s1", kiosk, Survey("pushed", 5)));
  }
  raw.Publish(TopicsFor("touchpoint/v1", "s1", "k3").config, Survey("dev", 1));

  EXPECT_TRUE(WaitFor([&] { return k1.uplink->Health().applied_config_version == "pushed@5"; }))
      << k1.uplink->Health().config_push_error;
  ExpectRefused(k2, status2, "no central key configured (mqtt.config_public_key_file)", "");
  EXPECT_TRUE(WaitFor([&] { return k3.uplink->Health().applied_config_version == "dev@1"; }))
      << k3.uplink->Health().config_push_error;
  EXPECT_TRUE(WaitFor([&] {
    return status4.SurveyField("error").find(
               "mqtt.config_public_key_file: " + dir.File("junk.pub") + ": not a PEM public key") !=
           std::string::npos;
  })) << status4.SurveyField("error");
  EXPECT_EQ(k4.survey.Get()->id, DefaultSurvey().id);
}

}  // namespace
}  // namespace touchpoint::sync
