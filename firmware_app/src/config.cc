#include "touchpoint/core/config.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "config_sections.h"
#include "touchpoint/core/input_bounds.h"

namespace touchpoint {

namespace {

std::string ContentVersion(std::string_view text) {
  // FNV-1a 64: a short, stable fingerprint of the file, shown as the config version.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return std::string(buf, 12);
}

Result<toml::table> ParseToml(std::string_view text, const std::string& source_name) {
  try {
    return toml::parse(text, source_name);
  } catch (const toml::parse_error& err) {
    const auto& b = err.source().begin;
    return Status::InvalidArgument(source_name + ":" + std::to_string(b.line) + ":" +
                                   std::to_string(b.column) + ": " +
                                   EscapeForMessage(err.description(), 1024));
  }
}

void CrossCheck(const Config& c, config::Problems* p) {
  if (c.camera.enabled && c.camera.source.empty()) {
    p->AddGlobal("camera.source: required when camera.enabled = true");
  }
  if (c.camera.enabled && c.camera.lines.empty()) {
    p->AddGlobal("camera.lines: at least one counting line is needed when the camera is enabled");
  }
  if (c.camera.retry_max_ms < c.camera.retry_min_ms) {
    p->AddGlobal("camera.retry_max_ms: must not be smaller than camera.retry_min_ms");
  }
  if (c.mqtt.enabled && c.mqtt.uri.rfind("ssl://", 0) != 0 &&
      c.mqtt.uri.rfind("mqtts://", 0) != 0 && !c.mqtt.cert_file.empty()) {
    p->AddGlobal("mqtt.cert_file: a client certificate needs an ssl:// or mqtts:// uri");
  }
}

}  // namespace

Result<Config> ParseConfig(std::string_view toml_text, const std::string& source_name) {
  auto parsed = ParseToml(toml_text, source_name);
  if (!parsed.ok()) return parsed.status();
  const toml::table& root = *parsed;
  config::Problems problems(source_name);
  Config c;
  c.source = source_name;
  c.version = ContentVersion(toml_text);
  c.survey = DefaultSurvey();

  config::TableReader top(root, "", &problems);
  if (const toml::table* t = top.Table("kiosk")) {
    config::ReadKiosk(*t, &problems, &c.kiosk);
  } else if (!root.get("kiosk")) {
    problems.AddGlobal("[kiosk]: missing; it needs at least kiosk_id and store_id");
  }
  if (const toml::table* t = top.Table("camera")) config::ReadCamera(*t, &problems, &c.camera);
  if (const toml::table* t = top.Table("footfall")) {
    config::ReadFootfall(*t, &problems, &c.footfall);
  }
  if (const toml::table* t = top.Table("antispam")) {
    config::ReadAntispam(*t, &problems, &c.antispam);
  }
  if (const toml::table* t = top.Table("mqtt")) config::ReadMqtt(*t, &problems, &c.mqtt);
  if (const toml::table* t = top.Table("ui")) config::ReadUi(*t, &problems, &c.ui);
  if (const toml::table* t = top.Table("survey")) {
    config::ReadSurvey(*t, "survey", &problems, &c.survey);
  }
  top.RejectUnknown();
  if (problems.empty()) CrossCheck(c, &problems);
  if (!problems.empty()) return Status::InvalidArgument(problems.Joined());
  return c;
}

Result<std::string> ReadConfigFile(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open the config file");
  // Read at most max_bytes + 1: enough to tell a file that is too large (or endless, such as
  // /dev/zero) from one that fits, without ever holding more.
  std::string text(max_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return Status::IoError(path + ": cannot read the config file");
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > max_bytes) {
    return Status::InvalidArgument(path + ":1:1: the config file is larger than " +
                                   std::to_string(max_bytes / 1024) +
                                   " KiB (the limit); nothing was parsed");
  }
  return text;
}

Result<Config> LoadConfig(const std::string& path) {
  auto text = ReadConfigFile(path, kMaxConfigFileBytes);
  if (!text.ok()) return text.status();
  auto config = ParseConfig(text.value(), path);
  if (!config.ok()) return config;
  Status s = ResolveMqttPassword(&config->mqtt, std::getenv("TOUCHPOINT_MQTT_PASSWORD"), path);
  if (!s.ok()) return s;
  return config;
}

Result<SurveyDefinition> ParseSurveyDocument(std::string_view toml_text,
                                             const std::string& source_name) {
  auto parsed = ParseToml(toml_text, source_name);
  if (!parsed.ok()) return parsed.status();
  const toml::table& root = *parsed;
  config::Problems problems(source_name);
  config::TableReader top(root, "", &problems);
  SurveyDefinition s;
  if (const toml::table* t = top.Table("survey")) {
    config::ReadSurvey(*t, "survey", &problems, &s);
  } else if (!root.get("survey")) {
    problems.AddGlobal("[survey]: missing; a pushed document must contain a [survey] table");
  }
  top.RejectUnknown();
  if (!problems.empty()) return Status::InvalidArgument(problems.Joined());
  return s;
}

std::string ExampleConfigToml() {
  return R"(# Touchpoint kiosk configuration. Every key except kiosk_id and store_id has a default.

[kiosk]
kiosk_id = "kiosk-01"          # unique per device; letters, digits, '-', '_'
store_id = "store-berlin-01"
touchpoint = "entrance"        # where the kiosk stands (journey map axis)
journey_stage = "visit"        # journey stage (journey map axis)
data_dir = "/var/lib/touchpoint"  # database, device PIN hash, exports
disk_budget_mb = 512           # database size before acknowledged events are pruned
status_interval_s = 300        # how often a status event is recorded

[camera]
enabled = false
source = "0"                   # camera index, /dev/videoN, a video file, or rtsp:// / http:// URL
loop = false                   # video files: start over at the end (demo)
process_width = 384            # frames are scaled to this width before processing
detector = "mog2"              # "mog2" (background subtraction) or "hog" (people detector)
interval_s = 60                # footfall aggregation interval
stream_timeout_ms = 10000      # rtsp:// / http:// sources: a stream silent this long is retried
roi = { x = 0.0, y = 0.0, w = 1.0, h = 1.0 }  # normalised region of interest
# person_heights = [[150, 46], [280, 90]]  # a standing person's height (px) with feet at two
                               # rows (px), for perspective; unset = learned from people seen
lines = [
  # p1/p2 in source pixels, or 0..1 with normalized = true; in_side points to the "in" side.
  { name = "door", p1 = [0.5, 0.0], p2 = [0.5, 1.0], normalized = true, in_side = [1, 0] },
]

[footfall]
# Zones for dwell and queue time: a polygon or a rectangle in 0..1 of the frame; a person is in
# a zone while their feet are. At most 16; reported per interval in footfall events.
# zones = [
#   { id = "queue", rect = [0.1, 0.5, 0.3, 0.4] },     # [x, y, w, h]
#   { id = "shelf", polygon = [[0.6, 0.5], [0.9, 0.5], [0.9, 0.9], [0.6, 0.9]] },
# ]
# The area in front of the kiosk's screen (omit when the camera cannot see the kiosk): gives
# each rating the people at the kiosk and enables the camera-checked anti-spam.
# kiosk_zone = { rect = [0.4, 0.6, 0.2, 0.3] }

[antispam]
require_person_at_kiosk = true # with a kiosk_zone: nobody in it during a session = suspect

[mqtt]
enabled = false
uri = "tcp://127.0.0.1:1883"   # ssl://host:8883 for TLS
topic_prefix = "touchpoint/v1"
# ca_file = "/etc/touchpoint/ca.pem"
# cert_file = "/etc/touchpoint/kiosk.pem"
# key_file = "/etc/touchpoint/kiosk.key"
# username = "kiosk-01"
# password_file = "/etc/touchpoint/mqtt-password"  # 0600; or TOUCHPOINT_MQTT_PASSWORD in the
#                                                  # environment (wins); `password` in clear: avoid
# Central signs survey pushes (docs/sync.md "Downlink"); the kiosk applies only pushes signed by
# this key (PEM public key or certificate, Ed25519 or ECDSA P-256). Without it every push is
# refused, unless config_unsigned_ok = true (development only: accepts unsigned pushes).
# config_public_key_file = "/etc/touchpoint/central.pub"
config_unsigned_ok = false

[ui]
enabled = true                 # false: headless (no window)
fullscreen = true
idle_timeout_s = 30            # mid-survey inactivity before the session is abandoned
thank_you_s = 4
renderer = "auto"              # OpenGL with a GPU, else SDL's software renderer (less memory); or "opengl", "software"

[survey]
id = "store-visit"
version = 1
languages = ["en", "de"]
free_text = false              # privacy: free-text questions are refused unless true
title = { en = "Tell us about your visit", de = "Wie war Ihr Besuch?" }
thank_you = { en = "Thank you!", de = "Vielen Dank!" }

[[survey.questions]]
id = "overall"
type = "csat"                  # 5 faces, 1..5
prompt = { en = "How was your visit today?", de = "Wie war Ihr Besuch heute?" }

[[survey.questions]]
id = "reasons"
type = "tags"
optional = true
max_tags = 3
prompt = { en = "What stood out?", de = "Was ist Ihnen aufgefallen?" }
tags = [
  { id = "staff", label = { en = "Friendly staff", de = "Freundliches Personal" } },
  { id = "queue", label = { en = "Waiting time", de = "Wartezeit" } },
  { id = "choice", label = { en = "Product choice", de = "Auswahl" } },
  { id = "price", label = { en = "Prices", de = "Preise" } },
]

[[survey.questions]]
id = "effort"
type = "effort"                # 1..7
prompt = { en = "How easy was it to find what you needed?", de = "Wie leicht fanden Sie, was Sie suchten?" }
low_label = { en = "Very hard", de = "Sehr schwer" }
high_label = { en = "Very easy", de = "Sehr leicht" }

[[survey.questions]]
id = "recommend"
type = "nps"                   # 0..10
prompt = { en = "How likely are you to recommend us?", de = "Wie wahrscheinlich empfehlen Sie uns weiter?" }
low_label = { en = "Not likely", de = "Unwahrscheinlich" }
high_label = { en = "Very likely", de = "Sehr wahrscheinlich" }
)";
}

}  // namespace touchpoint
