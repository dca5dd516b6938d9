// Helpers for the sync tests and the sync benchmark: kiosk stores filled with events, a kiosk
// rig and hub options.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "touchpoint/core/config.h"
#include "touchpoint/core/event.h"
#include "touchpoint/core/event_stamper.h"
#include "touchpoint/core/event_store.h"
#include "touchpoint/core/status.h"
#include "touchpoint/core/survey.h"
#include "touchpoint/hub/hub.h"
#include "touchpoint/sync/config_signature.h"
#include "touchpoint/sync/uplink.h"

#include "test_support.h"

namespace touchpoint::synctest {

inline constexpr int64_t kT0 = 1795428000000;  // 2026-11-23T10:00:00Z

inline KioskConfig Kiosk(const std::string& kiosk, const std::string& store,
                         const std::string& touchpoint = "checkout") {
  KioskConfig k;
  k.kiosk_id = kiosk;
  k.store_id = store;
  k.touchpoint = touchpoint;
  k.journey_stage = "purchase";
  return k;
}

inline MqttConfig Mqtt(const std::string& uri) {
  MqttConfig m;
  m.enabled = true;
  m.uri = uri;
  m.linger_ms = 5;
  m.ack_timeout_s = 2;
  m.backoff_min_ms = 50;
  m.backoff_max_ms = 500;
  m.reconnect_spread_s = 0;  // reconnect at once (the fleet power-cut test sets its own)
  m.keepalive_s = 5;
  return m;
}

inline std::unique_ptr<EventStore> OpenStore(const std::string& path) {
  EventStoreOptions o;
  o.path = path;
  o.integrity_check_on_open = false;
  auto s = EventStore::Open(std::move(o));
  if (!s.ok()) return nullptr;
  return std::move(s.value());
}

// Feedback with a csat score (1..5) and, unless `with_reason` is false, a reason tag.
inline Event Feedback(const EventStamper& st, int64_t time_ms, int csat, bool with_reason = true) {
  FeedbackPayload p;
  p.survey_id = "store-visit";
  p.survey_version = 1;
  p.language = "en";
  p.duration_ms = 4200;
  Answer a;
  a.question_id = "overall";
  a.type = QuestionType::kCsat;
  a.score = csat;
  p.answers.push_back(a);
  if (!with_reason) return st.MakeAt(p, time_ms);
  Answer t;
  t.question_id = "reasons";
  t.type = QuestionType::kTags;
  t.tags = {"staff"};
  p.answers.push_back(t);
  return st.MakeAt(p, time_ms);
}

inline Event Footfall(const EventStamper& st, int64_t start_ms, int64_t in, int64_t out) {
  FootfallPayload p;
  p.interval_start_ms = start_ms;
  p.interval_s = 60;
  p.lines.push_back({"door", in, out});
  return st.MakeAt(p, start_ms);
}

// The i-th event of a fill from t0 every step_ms: every 4th a footfall minute, the others
// feedback.
inline Event FillEvent(const EventStamper& st, int64_t i, int64_t t0, int64_t step_ms,
                       bool with_reason = true) {
  int64_t t = t0 + i * step_ms;
  return i % 4 == 0 ? Footfall(st, t, 2, 1)
                    : Feedback(st, t, 1 + static_cast<int>(i % 5), with_reason);
}

// Appends n FillEvents in transactions of 1000. Returns false on a store error.
inline bool Fill(EventStore* store, const EventStamper& st, int64_t n, int64_t t0,
                 int64_t step_ms) {
  std::vector<Event> batch;
  for (int64_t i = 0; i < n; ++i) {
    batch.push_back(FillEvent(st, i, t0, step_ms));
    if (batch.size() == 1000 || i + 1 == n) {
      if (!store->AppendBatch(std::move(batch)).ok()) return false;
      batch.clear();
    }
  }
  return true;
}

// A hub on `uri` storing into `db`, with a short keepalive. It enrols kiosks on first sight
// (these tests are about delivery; the trust tests register kiosks and turn this off).
inline hub::HubOptions HubOpts(const std::string& uri, const std::string& db) {
  hub::HubOptions o;
  o.broker_uri = uri;
  o.db_path = db;
  o.keepalive_s = 5;
  o.enrol_on_first_sight = true;
  return o;
}

// One kiosk: its config, MQTT settings, a store in its own folder and a stamper at kT0.
// Start() runs an uplink with the default survey as its config slot.
struct KioskRig {
  KioskRig(const std::string& kiosk, const std::string& store, const std::string& uri,
           const std::string& touchpoint = "checkout")
      : config(Kiosk(kiosk, store, touchpoint)),
        mqtt(Mqtt(uri)),
        db(OpenStore(dir.File("kiosk.db"))),
        stamper(config, std::make_shared<ManualClock>(kT0)),
        survey(DefaultSurvey()) {}
  Status Start() {
    uplink = std::make_unique<sync::Uplink>(mqtt, config, db.get(), &survey, hooks);
    return uplink->Start();
  }
  int64_t Pending() const { return db->Stats().pending; }

  testing::TempDir dir;
  KioskConfig config;
  MqttConfig mqtt;
  std::unique_ptr<EventStore> db;
  EventStamper stamper;
  SurveySlot survey;
  sync::UplinkHooks hooks;
  std::unique_ptr<sync::Uplink> uplink;
};

// Makes central's signing key with the openssl CLI, as an operator would: <dir>/<name>.key and
// its public key <name>.pub. `type`: "ed25519" or "p256". False if openssl failed.
inline bool MakeSigningKey(const testing::TempDir& dir, const std::string& name,
                           const std::string& type) {
  auto run = [](std::vector<std::string> argv) {
    testing::ChildProcess::Options o;
    o.quiet_stderr = true;
    testing::ChildProcess p(std::move(argv), o);
    auto code = p.Wait(std::chrono::seconds(30));
    return code && *code == 0;
  };
  std::string key = dir.File(name + ".key");
  bool made = type == "ed25519" ? run({"openssl", "genpkey", "-algorithm", "ed25519", "-out", key})
                                : run({"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                                       "ec_paramgen_curve:P-256", "-out", key});
  return made && run({"openssl", "pkey", "-in", key, "-pubout", "-out", dir.File(name + ".pub")});
}

// The signed envelope of `toml` for store/kiosk, issued at `issued_ms`, signed with the private
// key in `key_file`; empty on error.
inline std::string SignedPush(const std::string& key_file, const std::string& store,
                              const std::string& kiosk, const std::string& toml,
                              int64_t issued_ms = kT0) {
  auto key = sync::ConfigKey::LoadPrivate(key_file);
  if (!key.ok()) return "";
  sync::ConfigPush p{store, kiosk, issued_ms, toml};
  auto env = sync::SignConfigPush(key.value(), p);
  return env.ok() ? env.value() : "";
}

}  // namespace touchpoint::synctest
