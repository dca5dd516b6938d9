// The hub: subscribes to every kiosk's events, validates and stores them idempotently keyed by
// (kiosk, seq), then acknowledges the persisted seq ranges to each kiosk; asks kiosks to resend
// holes in their sequence; keeps malformed or unauthorised input in a rejects table.
//
// Threads: Paho's callback thread only queues messages; Start() starts decode threads (which
// validate, in parallel) and one writer thread (which takes the validated messages in arrival
// order, stores as many as are ready in one durable transaction, then acknowledges them and
// checks gaps). Start/Stop from one thread; Counters() from any.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "touchpoint/core/heartbeat.h"
#include "touchpoint/core/status.h"
#include "touchpoint/hub/hub_store.h"

namespace touchpoint::hub {

struct HubOptions {
  std::string broker_uri = "tcp://127.0.0.1:1883";  // tcp:// or ssl://
  std::string topic_prefix = "touchpoint/v1";
  std::string client_id = "touchpoint-hub";
  std::string shared_group;  // non-empty: subscribe as $share/<group>/... (several hubs)
  std::string username, password;
  std::string ca_file, cert_file, key_file;  // TLS
  std::string db_path = "hub.db";
  // Accept kiosks that are not registered in the store and register them at the store they
  // name (demos). Off: only registered kiosks (`touchpoint-hub kiosks add`) are accepted.
  bool enrol_on_first_sight = false;
  size_t max_message_bytes = 4 * 1024 * 1024;  // larger messages are rejected
  int32_t gap_timeout_ms = 60000;  // a hole older than this is requested again (0: never)
  int32_t keepalive_s = 30;
  int32_t decode_threads = 0;  // threads validating messages; 0: one per core (at most 4)
  // Called on the writer thread after each committed transaction that inserted events (the
  // number inserted; the commit is visible to other connections, maybe not yet durable), e.g.
  // the web server's live notices. Must return quickly.
  std::function<void(int64_t inserted)> on_commit;
};

struct HubCounters {
  bool connected = false;
  int64_t connects = 0;  // successful connects (a reconnect after the hub was kicked adds one)
  int64_t messages = 0;  // messages received (batches and kiosk statuses)
  int64_t events_inserted = 0;
  int64_t duplicates = 0;
  int64_t conflicts = 0;  // another event under a held (kiosk, seq): a reject, never a duplicate
  int64_t rejects = 0;
  int64_t enrolled = 0;        // kiosks registered on first sight
  int64_t tracked_kiosks = 0;  // kiosks the hub keeps sequence state for (registered ones only)
  int64_t acks_sent = 0;
  int64_t resend_requests = 0;
  int64_t known_gaps = 0;  // ranges kiosks said they no longer have
  int64_t statuses = 0;    // kiosk status messages stored
  int64_t write_errors = 0;
  int64_t commits = 0;    // store transactions (each one durable before its acks go out)
  int64_t decode_us = 0;  // time spent validating messages (summed over the decode threads)
  int64_t write_us = 0;   // time spent in store transactions, commit included
  std::string last_error;
};

class Hub {
 public:
  // Opens the store (creating it) and loads which seqs are held.
  static Result<std::unique_ptr<Hub>> Create(HubOptions options);
  ~Hub();  // Stop()s
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Connects (retrying in the background if the broker is down) and starts the writer.
  Status Start();
  void Stop();
  HubCounters Counters() const;
  // True once subscribed on the current connection.
  bool Subscribed() const;
  // Publishes an alert (JSON, docs/hub-api.md "Alerts") on <prefix>/alerts, QoS 1, not
  // retained, for other systems to subscribe to. False when not connected. Any thread.
  bool PublishAlert(const std::string& payload);
  // The writer thread's proof of life for the service watchdog (docs/operations.md).
  const Heartbeat& writer_heartbeat() const;

 private:
  struct Impl;
  explicit Hub(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct ImportReport {
  int64_t lines = 0;
  int64_t inserted = 0;
  int64_t duplicates = 0;
  int64_t conflicts = 0;
  int64_t rejected = 0;
  std::vector<KioskRegistration> enrolled;  // kiosks registered by this import (--enrol)
};

// Merges an export file (JSON lines, one event each) into the store with the same dedup as
// MQTT. Only registered kiosks' events are taken; with `enrol`, an unregistered kiosk is
// registered at the store its first event names. Bad lines are kept as rejects
// ("import:<file>:<line>") and counted; nothing stops. A line longer than kMaxImportLineBytes is
// refused without being parsed.
inline constexpr size_t kMaxImportLineBytes = 256 * 1024;
Result<ImportReport> ImportJsonLines(HubStore* store, const std::string& path, bool enrol,
                                     int64_t now_ms);

}  // namespace touchpoint::hub
