#include "touchpoint/sync/mqtt_common.h"

namespace touchpoint::sync {

mqtt::connect_options MakeConnectOptions(const std::string& uri, int keepalive_s,
                                         const std::string& username, const std::string& password,
                                         const TlsSettings& tls) {
  mqtt::connect_options opts;
  opts.set_mqtt_version(MQTTVERSION_5);
  opts.set_clean_start(true);
  opts.set_keep_alive_interval(keepalive_s);
  opts.set_connect_timeout(5);
  if (!username.empty()) opts.set_user_name(username);
  if (!password.empty()) opts.set_password(password);
  bool tls_uri = uri.rfind("ssl://", 0) == 0 || uri.rfind("mqtts://", 0) == 0;
  if (tls_uri || !tls.ca_file.empty() || !tls.cert_file.empty()) {
    mqtt::ssl_options ssl;
    if (!tls.ca_file.empty()) ssl.set_trust_store(tls.ca_file);
    if (!tls.cert_file.empty()) ssl.set_key_store(tls.cert_file);
    if (!tls.key_file.empty()) ssl.set_private_key(tls.key_file);
    ssl.set_enable_server_cert_auth(true);
    ssl.set_verify(true);
    opts.set_ssl(ssl);
  }
  return opts;
}

}  // namespace touchpoint::sync
