// The kiosk's MQTT uplink and downlink (docs/sync.md).
//
// Uplink: reads pending events from the EventStore (the outbox, the source of truth) in seq
// order, publishes them in batches (bounded by count, bytes and linger time) with several
// batches in flight, and marks them acknowledged in the store only when the HUB says it has
// persisted them (ack topic), never on the broker's PUBACK. Unacknowledged batches are re-sent
// after ack_timeout_s and after every reconnect. The hub may ask for holes again; the kiosk
// re-sends what it still has and names what it no longer has.
//
// Status: on every connect a retained status message (birth) is published; the broker
// publishes the retained last will {"state":"offline"} when the kiosk disappears.
//
// Downlink: the retained config topic carries a survey document signed by central
// (config_signature.h). Larger than kMaxConfigPushBytes -> refused without being copied; the
// signature is checked against mqtt.config_public_key_file before the TOML is parsed (no key ->
// every push refused, unless mqtt.config_unsigned_ok); then ParseSurveyDocument; valid ->
// SurveySlot::Set (atomic) and the applied version is reported; refused or invalid -> the
// current survey stays and the reason is reported (SyncHealth, status message).
//
// Threads: Start() starts one sync thread and one acknowledgement thread; Paho runs its own.
// Start/Stop from one (the app's) thread; Health() from any thread. The EventStore and the
// SurveySlot must outlive the Uplink.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "touchpoint/core/config.h"
#include "touchpoint/core/event.h"
#include "touchpoint/core/event_store.h"
#include "touchpoint/core/health.h"
#include "touchpoint/core/status.h"
#include "touchpoint/core/survey.h"

namespace touchpoint::sync {

struct UplinkHooks {
  // The status to publish (retained) at connect and every status interval. Called on the sync
  // thread; must be thread-safe with respect to the app. Optional: without it the uplink
  // publishes what it knows itself (queue depth, ack, versions).
  std::function<StatusPayload()> status;
  // Called on the sync thread after a pushed survey was applied (e.g. to log it). Optional.
  std::function<void(const SurveyDefinition&)> survey_applied;
  // File keeping the issue time of the last applied config push across restarts, so that an
  // older signed push replayed after a restart is still refused. Empty: kept in memory only.
  std::string config_state_file;
  // Seed for the reconnect jitter; 0 = random. Tests use a fixed one.
  uint64_t jitter_seed = 0;
};

class Uplink {
 public:
  // REQUIRES: store and survey outlive the Uplink. survey may be nullptr (no downlink).
  Uplink(const MqttConfig& mqtt, const KioskConfig& kiosk, EventStore* store, SurveySlot* survey,
         UplinkHooks hooks = {});
  ~Uplink();  // Stop()s
  Uplink(const Uplink&) = delete;
  Uplink& operator=(const Uplink&) = delete;

  // Checks the configuration and starts the threads; returns at once (the broker may be down:
  // the uplink keeps retrying with backoff). kInvalidArgument for a bad uri/ids.
  Status Start();
  // Disconnects cleanly (the broker then clears the will; a clean "offline" status is
  // published first) and joins the threads. Idempotent.
  void Stop();

  SyncHealth Health() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace touchpoint::sync
