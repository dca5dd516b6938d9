// Central's side of config pushes: publishes a signed envelope (config_signature.h) retained,
// QoS 1, to one kiosk's config topic. Used by `touchpoint-hub config push`.
#pragma once

#include <string>

#include "touchpoint/core/status.h"

namespace touchpoint::hub {

struct ConfigPublisherOptions {
  std::string broker_uri = "tcp://127.0.0.1:1883";  // tcp:// or ssl://
  std::string client_id;                            // empty: "central-push-<pid>-<n>"
  std::string username, password;
  std::string ca_file, cert_file, key_file;  // TLS (central's certificate and key)
  int timeout_s = 10;                        // connect and PUBACK each
};

// Connects, publishes `payload` retained with QoS 1 on `topic`, waits for the broker's PUBACK
// and disconnects. kUnavailable if the broker cannot be reached or does not acknowledge in time.
Status PublishRetainedConfig(const ConfigPublisherOptions& opts, const std::string& topic,
                             const std::string& payload);

}  // namespace touchpoint::hub
