#include "touchpoint/hub/config_publisher.h"

#include <unistd.h>

#include <atomic>
#include <chrono>

#include "touchpoint/sync/mqtt_common.h"

namespace touchpoint::hub {

using sync::MakeConnectOptions;

Status PublishRetainedConfig(const ConfigPublisherOptions& opts, const std::string& topic,
                             const std::string& payload) {
  // A fresh id per call: reconnecting under the id of a session just closed in this process
  // made Paho's connect take ~2 s.
  static std::atomic<int> calls{0};
  std::string client_id = opts.client_id.empty() ? "central-push-" + std::to_string(getpid()) +
                                                       "-" + std::to_string(++calls)
                                                 : opts.client_id;
  auto timeout = std::chrono::seconds(opts.timeout_s > 0 ? opts.timeout_s : 10);
  try {
    mqtt::async_client client(opts.broker_uri, client_id, mqtt::create_options(MQTTVERSION_5));
    auto conn = MakeConnectOptions(opts.broker_uri, 30, opts.username, opts.password,
                                   {opts.ca_file, opts.cert_file, opts.key_file});
    if (!client.connect(conn)->wait_for(timeout) || !client.is_connected()) {
      return Status::Unavailable(opts.broker_uri + ": no connection within " +
                                 std::to_string(timeout.count()) + " s");
    }
    auto token = client.publish(mqtt::make_message(topic, payload, 1, true));
    bool acked = token->wait_for(timeout);
    try {
      client.disconnect()->wait_for(std::chrono::seconds(2));
    } catch (const mqtt::exception&) {
    }
    if (!acked) {
      return Status::Unavailable(opts.broker_uri + ": the broker did not acknowledge the push");
    }
    int rc = token->get_reason_code();
    if (rc >= 0x80) {
      return Status::Unavailable(opts.broker_uri + ": the broker refused the push (reason code " +
                                 std::to_string(rc) + ", not authorised for " + topic + "?)");
    }
  } catch (const mqtt::exception& e) {
    return Status::Unavailable(opts.broker_uri + ": " + e.what());
  }
  return Status::Ok();
}

}  // namespace touchpoint::hub
