// Small helpers shared by the kiosk uplink and the hub around Paho MQTT C++.
#pragma once

#include <mqtt/async_client.h>

#include <cstdint>
#include <random>
#include <string>

#include "touchpoint/core/thread_name.h"

namespace touchpoint::sync {

using ::touchpoint::NameThisThread;

struct TlsSettings {
  std::string ca_file, cert_file, key_file;
};

// Connect options for MQTT v5 with clean start, keepalive, credentials and (for ssl:// URIs or
// any TLS file) TLS with the CA and the client certificate/key.
mqtt::connect_options MakeConnectOptions(const std::string& uri, int keepalive_s,
                                         const std::string& username, const std::string& password,
                                         const TlsSettings& tls);

// Exponential backoff with full jitter: the n-th retry waits uniform(0, min(cap, base * 2^n)).
class Backoff {
 public:
  Backoff(int64_t base_ms, int64_t cap_ms, uint64_t seed)
      : base_ms_(base_ms > 0 ? base_ms : 1),
        cap_ms_(cap_ms > base_ms ? cap_ms : base_ms),
        rng_(seed) {}
  int64_t NextDelayMs() {
    int64_t ceiling = base_ms_;
    for (int i = 0; i < attempt_ && ceiling < cap_ms_; ++i) ceiling *= 2;
    if (ceiling > cap_ms_) ceiling = cap_ms_;
    ++attempt_;
    return std::uniform_int_distribution<int64_t>(0, ceiling)(rng_);
  }
  void Reset() { attempt_ = 0; }
  int attempt() const { return attempt_; }

 private:
  int64_t base_ms_, cap_ms_;
  int attempt_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace touchpoint::sync
