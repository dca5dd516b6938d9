#include "touchpoint/sync/uplink.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <thread>

#include "touchpoint/core/clock.h"
#include "touchpoint/core/config.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/sync/config_signature.h"
#include "touchpoint/sync/mqtt_common.h"
#include "touchpoint/sync/wire.h"

namespace touchpoint::sync {

namespace {

int64_t WallMs() { return SystemClock()->NowUtcMs(); }
int64_t MonoMs() { return SystemClock()->MonotonicMs(); }

struct Inflight {
  mqtt::message_ptr msg;  // built once; re-sends publish the same message (no payload copies)
  std::vector<uint64_t> remaining;  // sorted seqs not yet acknowledged by the hub
  int64_t sent_ms = 0;              // monotonic
};

// Largest MQTT packet the kiosk accepts from the broker (hub acks and resend requests are a few
// KB; config pushes are refused above kMaxConfigPushBytes anyway).
constexpr int kMaxInboundPacketBytes = 2 * 1024 * 1024;

struct Inbound {
  enum class Kind { kHub, kConfig } kind;
  std::string topic, payload;
  size_t refused_bytes = 0;  // a config push over kMaxConfigPushBytes: its size, payload not kept
};

}  // namespace

struct Uplink::Impl {
  MqttConfig mqtt;
  KioskConfig kiosk;
  EventStore* store;
  SurveySlot* survey;
  UplinkHooks hooks;
  KioskTopics topics;
  std::optional<ConfigKey> config_key;  // central's key; set in Start() if configured
  std::string config_key_error;         // why the configured key could not be loaded
  int64_t applied_issued_ms = std::numeric_limits<int64_t>::min();  // sync thread only
  std::unique_ptr<mqtt::async_client> client;
  std::unique_ptr<EventReader> reader;  // sync thread only

  // Sync thread only.
  std::map<uint64_t, Inflight> inflight;  // first seq -> batch
  uint64_t cursor = 0;                    // highest seq read for sending in this run
  std::optional<Inflight> ahead;          // the next batch, read but not yet published
  std::string batch_buffer;               // kept from batch to batch (BatchBuilder::UseBuffer)
  uint64_t ahead_first = 0;               // its first seq
  int64_t linger_since = 0;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::deque<Inbound> inbox;
  bool stopping = false;
  bool lost = false;  // connection lost, not yet handled
  SyncHealth health;
  std::vector<SeqRange> acks_to_mark;
  std::condition_variable ack_cv;
  std::atomic<bool> connected{false};

  std::thread sync_thread, ack_thread;

  void Notify() { cv.notify_one(); }

  bool Stopping() {
    std::lock_guard<std::mutex> lock(mu);
    return stopping;
  }

  void SetError(std::string e) {
    std::lock_guard<std::mutex> lock(mu);
    health.last_error = std::move(e);
  }

  // ---- connection ---------------------------------------------------------------------------

  std::string StatusJson(const char* state) {
    nlohmann::json j = {{"v", kWireVersion},
                        {"state", state},
                        {"kiosk", kiosk.kiosk_id},
                        {"store", kiosk.store_id},
                        {"time", FormatUtcMs(WallMs())}};
    if (std::string(state) == "online") {
      StatusPayload s;
      if (hooks.status) {
        s = hooks.status();
      } else {
        FillStorageStatus(store->Stats(), WallMs(), &s);
      }
      SyncHealth h;
      {
        std::lock_guard<std::mutex> lock(mu);
        h = health;
      }
      j["software_version"] = s.software_version;
      j["config_version"] = s.config_version;
      j["uptime_s"] = s.uptime_s;
      j["queue_depth"] = s.queue_depth;
      j["oldest_pending_age_s"] = s.oldest_pending_age_s;
      j["last_hub_ack"] = s.last_hub_ack_ms ? nlohmann::json(FormatUtcMs(*s.last_hub_ack_ms))
                                            : nlohmann::json(nullptr);
      j["camera_state"] = s.camera_state;
      j["camera_fps"] = s.camera_fps;
      if (s.camera_person_size) {
        j["camera_person_size"] = {{"source", s.camera_person_size->source},
                                   {"height_top_px", s.camera_person_size->height_top_px},
                                   {"height_bottom_px", s.camera_person_size->height_bottom_px}};
      } else {
        j["camera_person_size"] = nullptr;
      }
      j["db_bytes"] = s.db_bytes;
      j["disk_budget_bytes"] = s.disk_budget_bytes;
      j["drops"] = {{"feedback_lost", s.feedback_lost},
                    {"events_lost", s.events_lost},
                    {"events_pruned", s.events_pruned},
                    {"footfall_compacted", s.footfall_compacted}};
      j["problems"] = s.problems;
      j["sync"] = {{"batches_in_flight", h.batches_in_flight},
                   {"events_sent", h.events_sent},
                   {"events_acked", h.events_acked}};
      j["survey"] = {{"applied_version", h.applied_config_version}, {"error", h.config_push_error}};
    }
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }

  bool Publish(const std::string& topic, const std::string& payload, int qos, bool retained) {
    return Publish(mqtt::make_message(topic, payload, qos, retained));
  }
  bool Publish(const mqtt::message_ptr& msg) {
    try {
      client->publish(msg);
      return true;
    } catch (const mqtt::exception& e) {
      SetError(std::string("publish: ") + e.what());
      connected = false;
      return false;
    }
  }

  bool Connect() {
    try {
      if (client->is_connected()) client->disconnect()->wait_for(std::chrono::seconds(2));
    } catch (const mqtt::exception&) {
    }
    try {
      auto opts = MakeConnectOptions(mqtt.uri, mqtt.keepalive_s, mqtt.username, mqtt.password,
                                     {mqtt.ca_file, mqtt.cert_file, mqtt.key_file});
      opts.set_max_inflight(std::max(1, mqtt.max_inflight_batches) + 8);
      // MQTT v5 Maximum Packet Size: the broker drops anything larger instead of delivering it,
      // so a huge push never reaches Paho's buffers (a 100 MB push cost ~290 MB of RSS there).
      // Pushes up to this size still arrive, and those over kMaxConfigPushBytes are reported.
      opts.set_properties(
          {mqtt::property(mqtt::property::MAXIMUM_PACKET_SIZE, kMaxInboundPacketBytes)});
      opts.set_will(mqtt::will_options(topics.status, StatusJson("offline"), 1, true));
      client->connect(opts)->wait_for(std::chrono::seconds(10));
      if (!client->is_connected()) {
        SetError("connect: no answer from " + mqtt.uri);
        return false;
      }
      client->subscribe(topics.ack, 1)->wait_for(std::chrono::seconds(10));
      if (survey) client->subscribe(topics.config, 1)->wait_for(std::chrono::seconds(10));
    } catch (const mqtt::exception& e) {
      SetError(std::string("connect: ") + e.what());
      return false;
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      lost = false;
      health.connected = true;
      health.last_connect_ms = WallMs();
    }
    connected = true;
    return Publish(topics.status, StatusJson("online"), 1, true);
  }

  // ---- sending ------------------------------------------------------------------------------

  void AddSent(int64_t n) {
    std::lock_guard<std::mutex> lock(mu);
    health.events_sent += n;
    health.batches_in_flight = static_cast<int64_t>(inflight.size());
  }

  // Reads the next batch into `ahead` (read-ahead: done while the window is full, so that an
  // ack is answered by a publish at once). Returns ms to wait for linger, 0 otherwise; `ahead`
  // stays empty when there is nothing (yet) to send.
  int64_t ReadAhead() {
    size_t max_events = static_cast<size_t>(std::max(1, mqtt.batch_max_events));
    size_t max_bytes = static_cast<size_t>(std::max(1024, mqtt.batch_max_bytes));
    if (store->Stats().last_seq <= cursor) {
      linger_since = 0;
      return 0;
    }
    // The rows go straight into the batch (no copy of each event's JSON on the way), in the
    // buffer of the batch before (no regrowing of a batch-sized string per batch).
    BatchBuilder b("batch", kiosk.kiosk_id, kiosk.store_id);
    b.UseBuffer(std::move(batch_buffer));
    struct GiveBack {
      BatchBuilder& b;
      std::string& to;
      ~GiveBack() { to = b.TakeBuffer(); }
    } give_back{b, batch_buffer};
    Inflight f;
    f.remaining.reserve(std::min<size_t>(max_events, 4096));
    size_t bytes = 0;
    auto read = reader->VisitPending(cursor, max_events, max_bytes,
                                     [&](uint64_t seq, std::string_view json) {
                                       b.Add(seq, json);
                                       f.remaining.push_back(seq);
                                       bytes += json.size() + 1;
                                     });
    if (!read.ok()) {
      SetError("outbox: " + read.status().ToString());
      return 100;
    }
    if (*read == 0) {
      linger_since = 0;
      return 0;
    }
    bool full = *read >= max_events || bytes + 2048 >= max_bytes;
    int64_t now = MonoMs();
    if (!full && mqtt.linger_ms > 0) {
      if (linger_since == 0) linger_since = now;
      if (now - linger_since < mqtt.linger_ms) return mqtt.linger_ms - (now - linger_since);
    }
    linger_since = 0;
    f.msg = mqtt::make_message(topics.events, CompressBatch(b.FinishInPlace()), 1, false);
    cursor = b.last();
    ahead_first = b.first();
    ahead = std::move(f);
    return 0;
  }

  // Publishes batches while the window has room, handling the hub's acks between publishes (they
  // free the window: waiting for the loop's next turn would leave it half empty), and reads one
  // batch ahead. Returns ms to wait for linger.
  int64_t FillWindow() {
    size_t window = static_cast<size_t>(std::max(1, mqtt.max_inflight_batches));
    while (connected) {
      DrainInbox();
      if (!ahead) {
        int64_t linger = ReadAhead();
        if (!ahead) return linger;
      }
      if (inflight.size() >= window) return 0;
      Inflight f = std::move(*ahead);
      ahead.reset();
      f.sent_ms = MonoMs();
      bool ok = Publish(f.msg);
      size_t n = f.remaining.size();
      inflight.emplace(ahead_first, std::move(f));
      AddSent(static_cast<int64_t>(n));
      if (!ok) return 0;
    }
    return 0;
  }

  void ResendInflight(bool only_expired) {
    int64_t now = MonoMs();
    for (auto& [first, f] : inflight) {
      if (!connected) return;
      if (only_expired && now - f.sent_ms < int64_t{mqtt.ack_timeout_s} * 1000) continue;
      f.sent_ms = now;
      Publish(f.msg);
      AddSent(static_cast<int64_t>(f.remaining.size()));
    }
  }

  // ---- from the hub -------------------------------------------------------------------------

  void HandleAck(const std::vector<SeqRange>& ranges) {
    for (const SeqRange& r : ranges) {
      // Batches overlapping r: those starting at or before r.last.
      auto end = inflight.upper_bound(r.last);
      for (auto it = inflight.begin(); it != end;) {
        auto& rem = it->second.remaining;
        auto lo = std::lower_bound(rem.begin(), rem.end(), r.first);
        auto hi = std::upper_bound(lo, rem.end(), r.last);
        rem.erase(lo, hi);
        if (rem.empty()) {
          it = inflight.erase(it);
        } else {
          ++it;
        }
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      acks_to_mark.insert(acks_to_mark.end(), ranges.begin(), ranges.end());
      health.batches_in_flight = static_cast<int64_t>(inflight.size());
      health.last_hub_ack_ms = WallMs();
    }
    ack_cv.notify_one();
  }

  void HandleResend(const std::vector<SeqRange>& ranges) {
    size_t max_events = static_cast<size_t>(std::max(1, mqtt.batch_max_events));
    BatchBuilder b("resend", kiosk.kiosk_id, kiosk.store_id);
    for (const SeqRange& want : ranges) {
      if (b.count() >= max_events) break;
      // Look at most max_events seqs of the range per request; the hub asks again for the rest.
      uint64_t last = std::min<uint64_t>(want.last, want.first + max_events - 1);
      auto events = reader->ReadRange(want.first, last, max_events);
      if (!events.ok()) {
        SetError("outbox: " + events.status().ToString());
        return;
      }
      uint64_t next = want.first;
      for (const StoredEvent& e : *events) {
        if (e.seq > next) b.AddMissing({next, e.seq - 1});
        b.Add(e.seq, e.json);
        next = e.seq + 1;
      }
      if (next <= last) b.AddMissing({next, last});
    }
    Publish(topics.events, CompressBatch(b.Finish()), 1, false);
    AddSent(static_cast<int64_t>(b.count()));
  }

  // The applied push's issue time, kept in hooks.config_state_file (written atomically).
  void SaveIssued() {
    if (hooks.config_state_file.empty()) return;
    std::string tmp = hooks.config_state_file + ".tmp";
    bool ok = false;
    if (FILE* f = std::fopen(tmp.c_str(), "w")) {
      ok = std::fprintf(f, "%lld\n", static_cast<long long>(applied_issued_ms)) > 0;
      ok = std::fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
      ok = std::fclose(f) == 0 && ok;
    }
    if (!ok || std::rename(tmp.c_str(), hooks.config_state_file.c_str()) != 0) {
      SetError("config push state: cannot write " + hooks.config_state_file);
    }
  }
  // Reads it back at start; a missing file means no push applied yet.
  Status LoadIssued() {
    if (hooks.config_state_file.empty()) return Status::Ok();
    auto text = ReadConfigFile(hooks.config_state_file, 64);
    if (!text.ok()) {
      return text.status().code() == Status::Code::kNotFound ? Status::Ok() : text.status();
    }
    char* end = nullptr;
    long long v = std::strtoll(text->c_str(), &end, 10);
    if (end == text->c_str() || (*end != '\n' && *end != '\0')) {
      return Status::Corruption(hooks.config_state_file + ": not a number (delete it to reset)");
    }
    applied_issued_ms = v;
    return Status::Ok();
  }

  // Reports a refused push (the current survey stays).
  void RefuseConfig(const std::string& why) {
    {
      std::lock_guard<std::mutex> lock(mu);
      health.config_push_error = why;
    }
    if (connected) Publish(topics.status, StatusJson("online"), 1, true);
  }

  // The TOML document of a push, verified against central's key (docs/sync.md "Downlink").
  // Sets *issued_ms to the signed issue time (unchanged for an accepted unsigned push).
  Result<std::string> VerifiedDocument(const std::string& text, int64_t* issued_ms) {
    if (!LooksLikeConfigEnvelope(text) && mqtt.config_unsigned_ok) return text;
    if (!config_key) {
      if (!config_key_error.empty()) return Status::InvalidArgument(config_key_error);
      return Status::InvalidArgument(
          "no central key configured (mqtt.config_public_key_file): every push is refused "
          "(mqtt.config_unsigned_ok = true accepts unsigned pushes, for development only)");
    }
    auto push =
        VerifyConfigPush(*config_key, text, kiosk.store_id, kiosk.kiosk_id, applied_issued_ms);
    if (!push.ok()) return push.status();
    *issued_ms = push->issued_ms;
    return std::move(push->toml);
  }

  void HandleConfig(const Inbound& in) {
    if (!survey) return;
    if (in.refused_bytes > 0) {
      RefuseConfig("push of " + std::to_string(in.refused_bytes) +
                   " bytes refused unparsed: the limit is " +
                   std::to_string(kMaxConfigPushBytes / 1024) + " KiB");
      return;
    }
    if (in.payload.empty()) return;  // the retained push was cleared
    int64_t issued_ms = applied_issued_ms;
    auto document = VerifiedDocument(in.payload, &issued_ms);
    if (!document.ok()) return RefuseConfig(document.status().message());
    auto def = ParseSurveyDocument(document.value(), "mqtt:" + in.topic);
    if (!def.ok()) return RefuseConfig(def.status().message());
    if (issued_ms > applied_issued_ms) {
      applied_issued_ms = issued_ms;
      SaveIssued();
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      std::string version = def->id + "@" + std::to_string(def->version);
      health.config_push_error.clear();
      if (version == health.applied_config_version) return;
      health.applied_config_version = version;
    }
    survey->Set(def.value());
    if (hooks.survey_applied) hooks.survey_applied(def.value());
    if (connected) Publish(topics.status, StatusJson("online"), 1, true);
  }

  void DrainInbox() {
    std::deque<Inbound> in;
    {
      std::lock_guard<std::mutex> lock(mu);
      in.swap(inbox);
    }
    for (Inbound& m : in) {
      if (m.kind == Inbound::Kind::kConfig) {
        HandleConfig(m);
        continue;
      }
      auto msg = DecodeHubMessage(m.payload);
      if (!msg.ok()) {
        SetError("hub message: " + msg.status().message());
        continue;
      }
      if (msg->kind == HubMessage::Kind::kAck) {
        HandleAck(msg->ranges);
      } else if (connected) {
        HandleResend(msg->ranges);
      }
    }
  }

  // ---- threads ------------------------------------------------------------------------------

  void RunSync() {
    NameThisThread("tp-uplink");
    uint64_t seed = hooks.jitter_seed;
    if (seed == 0) seed = std::random_device{}() ^ std::hash<std::string>{}(kiosk.kiosk_id);
    Backoff backoff(mqtt.backoff_min_ms, mqtt.backoff_max_ms, seed);
    // A fleet powered on together must not connect in the same second: jitter the first try.
    int64_t next_connect = MonoMs() + backoff.NextDelayMs();
    // Nor reconnect in the same second after losing its broker together.
    std::mt19937_64 spread_rng(seed ^ 0x9e3779b97f4a7c15ULL);
    const int64_t spread_ms = int64_t{mqtt.reconnect_spread_s} * 1000;
    int64_t status_every = int64_t{std::max(1, kiosk.status_interval_s)} * 1000;
    int64_t next_status = 0;
    while (!Stopping()) {
      int64_t wait_ms = 20;
      bool was_lost;
      {
        std::lock_guard<std::mutex> lock(mu);
        was_lost = lost;
        lost = false;
      }
      if (was_lost) {
        connected = false;
        next_connect = MonoMs() + std::uniform_int_distribution<int64_t>(0, spread_ms)(spread_rng);
      }
      if (!connected) {
        {
          std::lock_guard<std::mutex> lock(mu);
          health.connected = false;
        }
        int64_t now = MonoMs();
        if (now >= next_connect) {
          if (Connect()) {
            backoff.Reset();
            next_status = now + status_every;
            ResendInflight(/*only_expired=*/false);
          } else {
            next_connect = MonoMs() + backoff.NextDelayMs();
          }
        }
        if (!connected) {
          std::unique_lock<std::mutex> lock(mu);
          int64_t left = std::max<int64_t>(1, std::min<int64_t>(next_connect - MonoMs(), 200));
          cv.wait_for(lock, std::chrono::milliseconds(left), [&] { return stopping; });
          continue;
        }
      }
      DrainInbox();
      ResendInflight(/*only_expired=*/true);
      int64_t linger = FillWindow();
      if (linger > 0) wait_ms = std::min<int64_t>(wait_ms, linger);
      if (MonoMs() >= next_status && connected) {
        Publish(topics.status, StatusJson("online"), 1, true);
        next_status = MonoMs() + status_every;
      }
      std::unique_lock<std::mutex> lock(mu);
      cv.wait_for(lock, std::chrono::milliseconds(wait_ms),
                  [&] { return stopping || lost || !inbox.empty(); });
    }
    if (connected) {
      Publish(topics.status, StatusJson("offline"), 1, true);
      try {
        client->disconnect()->wait_for(std::chrono::seconds(5));
      } catch (const mqtt::exception&) {
      }
      connected = false;
    }
    std::lock_guard<std::mutex> lock(mu);
    health.connected = false;
  }

  void RunAcks() {
    NameThisThread("tp-uplink-acks");
    while (true) {
      std::vector<SeqRange> ranges;
      {
        std::unique_lock<std::mutex> lock(mu);
        ack_cv.wait(lock, [&] { return stopping || !acks_to_mark.empty(); });
        if (acks_to_mark.empty() && stopping) return;
        ranges.swap(acks_to_mark);
      }
      int64_t changed = 0;
      for (const SeqRange& r : MergeRanges(std::move(ranges))) {
        auto n = store->MarkAcknowledged(r.first, r.last);
        if (!n.ok()) {
          // Not marked: the events stay pending and are sent again; the hub dedups.
          SetError("mark acknowledged: " + n.status().ToString());
          continue;
        }
        changed += *n;
      }
      std::lock_guard<std::mutex> lock(mu);
      health.events_acked += changed;
    }
  }
};

Uplink::Uplink(const MqttConfig& mqtt, const KioskConfig& kiosk, EventStore* store,
               SurveySlot* survey, UplinkHooks hooks)
    : impl_(std::make_unique<Impl>()) {
  impl_->mqtt = mqtt;
  impl_->kiosk = kiosk;
  impl_->store = store;
  impl_->survey = survey;
  impl_->hooks = std::move(hooks);
  impl_->health.enabled = mqtt.enabled;
  impl_->health.broker = mqtt.uri;
}

Uplink::~Uplink() { Stop(); }

Status Uplink::Start() {
  Impl* impl = impl_.get();
  if (!impl->mqtt.enabled) return Status::Ok();
  if (impl->sync_thread.joinable()) return Status::Ok();
  if (!IsValidId(impl->kiosk.kiosk_id) || !IsValidId(impl->kiosk.store_id)) {
    return Status::InvalidArgument("kiosk.kiosk_id/store_id: expected [A-Za-z0-9_-], 1..64 chars");
  }
  const std::string& uri = impl->mqtt.uri;
  if (uri.rfind("tcp://", 0) != 0 && uri.rfind("ssl://", 0) != 0 && uri.rfind("mqtt://", 0) != 0 &&
      uri.rfind("mqtts://", 0) != 0) {
    return Status::InvalidArgument("mqtt.uri: '" + uri + "' must start with tcp:// or ssl://");
  }
  if (impl->mqtt.topic_prefix.empty()) {
    return Status::InvalidArgument("mqtt.topic_prefix: must not be empty");
  }
  impl->topics = TopicsFor(impl->mqtt.topic_prefix, impl->kiosk.store_id, impl->kiosk.kiosk_id);
  auto reader = impl->store->NewReader();
  if (!reader.ok()) return reader.status();
  impl->reader = std::move(reader.value());
  std::string client_id =
      impl->mqtt.client_id.empty() ? "kiosk-" + impl->kiosk.kiosk_id : impl->mqtt.client_id;
  try {
    mqtt::create_options create(MQTTVERSION_5);
    create.set_max_buffered_messages(std::max(1, impl->mqtt.max_inflight_batches) * 2 + 32);
    impl->client = std::make_unique<mqtt::async_client>(uri, client_id, create);
  } catch (const mqtt::exception& e) {
    return Status::InvalidArgument("mqtt.uri: " + std::string(e.what()));
  }
  if (Status s = impl->LoadIssued(); !s.ok()) {
    // Unreadable: pushes are compared with nothing older; say so, keep syncing.
    impl->health.last_error = "config push state: " + s.ToString();
  }
  if (impl->survey && !impl->mqtt.config_public_key_file.empty()) {
    auto key = ConfigKey::LoadPublic(impl->mqtt.config_public_key_file);
    if (key.ok()) {
      impl->config_key = std::move(key.value());
    } else {
      // Events still sync; every config push is refused with this reason.
      impl->config_key_error =
          "mqtt.config_public_key_file: " + key.status().message() + "; every push is refused";
      impl->health.config_push_error = impl->config_key_error;
    }
  }
  impl->client->set_message_callback([impl](mqtt::const_message_ptr m) {
    bool config = m->get_topic() == impl->topics.config;
    Inbound in{config ? Inbound::Kind::kConfig : Inbound::Kind::kHub, m->get_topic(), {}};
    // An oversized push is refused without copying it (only Paho's own buffer holds it).
    if (config && m->get_payload_ref().size() > kMaxConfigPushBytes) {
      in.refused_bytes = m->get_payload_ref().size();
    } else {
      in.payload = m->get_payload_str();
    }
    {
      std::lock_guard<std::mutex> lock(impl->mu);
      impl->inbox.push_back(std::move(in));
    }
    impl->Notify();
  });
  impl->client->set_connection_lost_handler([impl](const std::string& cause) {
    {
      std::lock_guard<std::mutex> lock(impl->mu);
      impl->lost = true;
      impl->health.connected = false;
      impl->health.last_error = "connection lost" + (cause.empty() ? "" : ": " + cause);
    }
    impl->connected = false;
    impl->Notify();
  });
  impl->stopping = false;
  impl->sync_thread = std::thread([impl] { impl->RunSync(); });
  impl->ack_thread = std::thread([impl] { impl->RunAcks(); });
  return Status::Ok();
}

void Uplink::Stop() {
  if (!impl_->sync_thread.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  impl_->ack_cv.notify_all();
  impl_->sync_thread.join();
  impl_->ack_thread.join();
}

SyncHealth Uplink::Health() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->health;
}

}  // namespace touchpoint::sync
