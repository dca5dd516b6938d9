// Helpers for the sync tests and the sync benchmark: kiosk stores filled with events.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "touchpoint/core/config.h"
#include "touchpoint/core/event.h"
#include "touchpoint/core/event_stamper.h"
#include "touchpoint/core/event_store.h"

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

// Feedback with a csat score (1..5) and a reason tag.
inline Event Feedback(const EventStamper& st, int64_t time_ms, int csat) {
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

// Appends n events (every 4th footfall for one minute, the others feedback), spread from t0
// every step_ms, in transactions of 1000. Returns false on a store error.
inline bool Fill(EventStore* store, const EventStamper& st, int64_t n, int64_t t0,
                 int64_t step_ms) {
  std::vector<Event> batch;
  for (int64_t i = 0; i < n; ++i) {
    int64_t t = t0 + i * step_ms;
    batch.push_back(i % 4 == 0 ? Footfall(st, t, 2, 1)
                               : Feedback(st, t, 1 + static_cast<int>(i % 5)));
    if (batch.size() == 1000 || i + 1 == n) {
      if (!store->AppendBatch(std::move(batch)).ok()) return false;
      batch.clear();
    }
  }
  return true;
}

}  // namespace touchpoint::synctest
