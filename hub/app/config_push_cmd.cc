#include "config_push_cmd.h"

#include <chrono>
#include <cstdio>

#include "touchpoint/core/config.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/hub/config_publisher.h"
#include "touchpoint/sync/config_signature.h"
#include "touchpoint/sync/wire.h"

namespace touchpoint::hub {

using sync::ConfigKey;
using sync::ConfigPush;
using sync::IsValidId;
using sync::SignConfigPush;
using sync::TopicsFor;

namespace {

struct ConfigArgs {
  std::string key_file;  // central's private signing key
  std::string store, kiosk, document;
  std::string issued;  // empty: now
  std::string prefix = "touchpoint/v1";
  std::string password_file;
  ConfigPublisherOptions broker;
  CLI::App* sign = nullptr;
  CLI::App* push = nullptr;
};

int Fail(const std::string& what) {
  std::fprintf(stderr, "touchpoint-hub config: %s\n", what.c_str());
  return 1;
}

// Reads and validates the survey document, then signs it for the kiosk.
Result<std::string> SignedEnvelope(const ConfigArgs& a) {
  if (!IsValidId(a.store) || !IsValidId(a.kiosk)) {
    return Status::InvalidArgument("--store/--kiosk: expected [A-Za-z0-9_-], 1..64 chars");
  }
  auto text = ReadConfigFile(a.document, kMaxConfigFileBytes);
  if (!text.ok()) return text.status();
  // The kiosk would refuse an invalid survey; say so here, before anything is signed.
  auto survey = ParseSurveyDocument(text.value(), a.document);
  if (!survey.ok()) return survey.status();
  auto key = ConfigKey::LoadPrivate(a.key_file);
  if (!key.ok()) return key.status();
  ConfigPush push;
  push.store = a.store;
  push.kiosk = a.kiosk;
  push.toml = std::move(text.value());
  if (a.issued.empty()) {
    push.issued_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  } else {
    auto ms = ParseUtcMs(a.issued);
    if (!ms) return Status::InvalidArgument("--issued: '" + a.issued + "' is not a UTC time");
    push.issued_ms = *ms;
  }
  return SignConfigPush(key.value(), push);
}

void AddSignOptions(CLI::App* cmd, const char* key_flag, ConfigArgs* a) {
  cmd->add_option(key_flag, a->key_file, "central's private signing key (PEM, Ed25519 or EC P-256)")
      ->required();
  cmd->add_option("--store", a->store, "the kiosk's store id")->required();
  cmd->add_option("--kiosk", a->kiosk, "the kiosk id")->required();
  cmd->add_option("--issued", a->issued,
                  "issue time, e.g. 2026-11-30T13:40:00.000Z (default: now); a kiosk refuses a "
                  "push issued before the one it uses");
  cmd->add_option("document", a->document, "TOML document with a [survey] table")->required();
}

ConfigArgs g_args;  // filled by CLI11 in main()'s parse, read by RunConfigCommands()

}  // namespace

void AddConfigCommands(CLI::App& app) {
  ConfigArgs* a = &g_args;
  CLI::App* config =
      app.add_subcommand("config", "sign and push survey documents to kiosks (docs/sync.md)");
  config->require_subcommand(1);
  a->sign = config->add_subcommand("sign", "print the signed envelope of a survey document");
  AddSignOptions(a->sign, "--key", a);
  a->push = config->add_subcommand(
      "push", "sign a survey document and publish it retained to the kiosk's config topic");
  // In `push`, --key-file is the TLS client key; the signing key is --sign-key.
  AddSignOptions(a->push, "--sign-key", a);
  a->push->add_option("--broker", a->broker.broker_uri, "broker URI (tcp:// or ssl://)")
      ->capture_default_str();
  a->push->add_option("--prefix", a->prefix, "topic prefix")->capture_default_str();
  a->push->add_option("--client-id", a->broker.client_id, "MQTT client id");
  a->push->add_option("--username", a->broker.username, "broker user name");
  a->push->add_option("--password-file", a->password_file,
                      "file whose first line is the broker password (never on the command line)");
  a->push->add_option("--ca-file", a->broker.ca_file, "TLS: broker CA");
  a->push->add_option("--cert-file", a->broker.cert_file, "TLS: central's client certificate");
  a->push->add_option("--key-file", a->broker.key_file, "TLS: central's client key");
}

std::optional<int> RunConfigCommands() {
  ConfigArgs* a = &g_args;
  if (!a->sign || (!*a->sign && !*a->push)) return std::nullopt;
  auto envelope = SignedEnvelope(*a);
  if (!envelope.ok()) return Fail(envelope.status().message());
  if (*a->sign) {
    std::fwrite(envelope->data(), 1, envelope->size(), stdout);
    std::fputc('\n', stdout);
    return 0;
  }
  if (!a->password_file.empty()) {
    auto pw = ReadConfigFile(a->password_file, 4096);
    if (!pw.ok()) return Fail(pw.status().message());
    a->broker.password = pw->substr(0, pw->find_first_of("\r\n"));
  }
  std::string topic = TopicsFor(a->prefix, a->store, a->kiosk).config;
  if (Status s = PublishRetainedConfig(a->broker, topic, envelope.value()); !s.ok()) {
    return Fail(s.message());
  }
  std::printf("pushed %zu bytes (signed %s) to %s\n", envelope->size(),
              a->push->get_option("--issued")->empty() ? "now" : a->issued.c_str(), topic.c_str());
  return 0;
}

}  // namespace touchpoint::hub
