// Kiosk configuration: one TOML file, one struct per section, defaults in-class.
// Loaded and cross-checked once at start (LoadConfig); each component then gets only its own
// section. Errors name the place: "kiosk.toml:12:3: camera.lines[1].p1: expected an array of
// two numbers".
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "touchpoint/core/status.h"
#include "touchpoint/core/survey.h"

namespace touchpoint {

struct KioskConfig {
  std::string kiosk_id;                          // required: [A-Za-z0-9_-], 1..64 chars
  std::string store_id;                          // required: same charset
  std::string touchpoint = "entrance";           // where the kiosk stands (journey map axis)
  std::string journey_stage = "visit";           // journey stage (journey map axis)
  std::string data_dir = "/var/lib/touchpoint";  // database, device secrets, exports
  int64_t disk_budget_mb = 512;                  // database pages in use above this are pruned
  int32_t status_interval_s = 300;               // how often a status event is recorded
};

// A counting line in the camera image. Coordinates are source-frame pixels, or 0..1 of the
// frame's width/height when `normalized`.
struct CountingLine {
  std::string name;
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  bool normalized = false;
  // Which side is "in": a direction vector (in image coordinates) pointing to the in side.
  double in_dx = 1, in_dy = 0;
};

struct RegionOfInterest {
  double x = 0, y = 0, w = 1, h = 1;  // normalised 0..1 of the source frame
};

struct CameraConfig {
  bool enabled = false;
  std::string source;           // camera index ("0"), device ("/dev/video0"), file, or URL
  bool loop = false;            // file sources: start over at the end (demo)
  double max_fps = 0;           // 0 = as fast as the source delivers (files: native rate)
  bool realtime = true;         // file sources: pace to the file's frame rate
  int32_t process_width = 384;  // frames are scaled to this width before processing
  RegionOfInterest roi;
  std::string detector = "mog2";  // "mog2" (background subtraction) or "hog"
  std::vector<CountingLine> lines;
  int32_t interval_s = 60;     // footfall aggregation interval
  int32_t retry_min_ms = 500;  // live source reconnect backoff
  int32_t retry_max_ms = 30000;
  // Network streams: opening, or waiting for the next frame, longer than this is a failure.
  int32_t stream_timeout_ms = 10000;
  // Perspective calibration: a standing person's height as a fraction of the frame height when
  // their feet are at the top (0) / bottom (1) edge of the frame; 0 = unknown (no group split).
  double person_height_top = 0;
  double person_height_bottom = 0;
  // The same measured by an installer: a standing person's height in source-frame pixels with
  // the feet at two image rows, [[row, height], [row, height]]; empty = not given. When given
  // it replaces person_height_top/bottom. With neither, the size is learned from tracks.
  std::vector<std::array<double, 2>> person_heights;
  // Counting-line hysteresis: a track must get this far (fraction of frame width) past a line.
  double line_hysteresis = 0.02;
};

// A zone in the camera image (dwell and queue time, docs/footfall.md "Zones and dwell"): a
// polygon in normalised 0..1 coordinates of the source frame (a rectangle is read as its four
// corners). A person is in the zone while their foot point (bottom centre) is inside it.
struct FootfallZone {
  std::string id;                              // identifier, unique among the zones
  std::vector<std::array<double, 2>> polygon;  // >= 3 points, 0..1
};

inline constexpr size_t kMaxFootfallZones = 16;  // also the wire format's limit

struct FootfallConfig {
  std::vector<FootfallZone> zones;  // reported per interval in footfall events (<= 16)
  // The area in front of the kiosk's own screen; not set (polygon empty) = the camera cannot
  // see the kiosk (no people_at_kiosk context, no camera-checked anti-spam).
  FootfallZone kiosk_zone;
  bool has_kiosk_zone() const { return !kiosk_zone.polygon.empty(); }
};

struct AntispamConfig {
  // With a kiosk zone: a session during which nobody was in it (sampled at the start and at
  // each answer) is flagged suspect. Default: on when footfall.kiosk_zone is set.
  bool require_person_at_kiosk = true;
};

struct MqttConfig {
  bool enabled = false;
  std::string uri = "tcp://127.0.0.1:1883";  // tcp:// or ssl://
  std::string topic_prefix = "touchpoint/v1";
  std::string client_id;  // empty: "kiosk-<kiosk_id>"
  std::string username;
  std::string password;  // discouraged: prefer password_file or the environment
  // A file holding only the password (trailing newline ignored; keep it 0600). Precedence: the
  // environment variable TOUCHPOINT_MQTT_PASSWORD, then password_file, then password.
  std::string password_file;
  std::string password_source;  // set by LoadConfig: "environment", "password_file", "config", ""
  std::string ca_file;          // TLS: broker CA
  std::string cert_file;        // TLS: client certificate
  std::string key_file;         // TLS: client key
  // A backlog drains fastest in large batches (docs/sync.md); a live kiosk's batches are small
  // anyway (linger). 2,000 events are ~0.9 MB of JSON, ~60 KB compressed on the wire (zstd -2).
  int32_t batch_max_events = 2000;
  int32_t batch_max_bytes = 1024 * 1024;
  int32_t linger_ms = 100;            // wait this long for a batch to fill
  int32_t max_inflight_batches = 16;  // below Mosquitto's default max_inflight_messages (20)
  int32_t ack_timeout_s = 30;         // re-send a batch the hub has not acknowledged by then
  int32_t keepalive_s = 30;
  int32_t backoff_min_ms = 1000;  // reconnect: exponential backoff with full jitter
  int32_t backoff_max_ms = 120000;
  // After a lost connection the first reconnect waits uniform(0, this): a fleet that loses its
  // broker at once (a power cut) comes back spread out instead of all in the same second.
  int32_t reconnect_spread_s = 60;
  // Config pushes (docs/sync.md "Downlink"): central's public key (PEM public key or
  // certificate); a push not signed by it is refused. Empty: every push is refused...
  std::string config_public_key_file;
  // ...unless this is true (development only): then unsigned TOML pushes are applied too.
  bool config_unsigned_ok = false;
};

struct UiConfig {
  bool enabled = true;  // false: headless kiosk (no window)
  bool fullscreen = true;
  int32_t width = 1080;  // windowed size
  int32_t height = 1920;
  int32_t idle_timeout_s = 30;  // mid-survey inactivity before feedback_abandoned
  int32_t thank_you_s = 4;
  std::string font_file;  // empty: a Debian font found at start
  // "auto" (OpenGL where a GPU draws it, else software), "opengl" (a GPU, or Mesa's llvmpipe)
  // or "software" (SDL's own renderer: no OpenGL, no LLVM; far less memory without a GPU)
  std::string renderer = "auto";
  int32_t suspect_window_s = 20;    // sessions closer than this are flagged suspect
  int32_t long_press_ms = 3000;     // hold the top-right corner this long for the PIN prompt
  int32_t manager_timeout_s = 120;  // dashboard/PIN idle this long returns to the attract screen
  int32_t dashboard_refresh_s = 5;  // the dashboard re-reads the database at most this often
  std::vector<std::string> export_roots = {"/media", "/run/media", "/mnt"};  // USB mounts
};

struct Config {
  std::string source;  // file the config came from ("<defaults>" if none)
  KioskConfig kiosk;
  CameraConfig camera;
  FootfallConfig footfall;
  AntispamConfig antispam;
  MqttConfig mqtt;
  UiConfig ui;
  SurveyDefinition survey;
  std::string version;  // config version: sha-256 prefix of the file's content
};

// A config file (and a pushed config document) larger than this is refused unparsed.
inline constexpr size_t kMaxConfigFileBytes = 256 * 1024;

// Reads a file of at most max_bytes (reading no more than max_bytes + 1); larger is
// kInvalidArgument "PATH:1:1: ... larger than ...", a missing file kNotFound.
Result<std::string> ReadConfigFile(const std::string& path, size_t max_bytes);

// Loads and cross-checks a config file (at most kMaxConfigFileBytes). Every problem is reported,
// one per line, as "FILE:LINE:COL: message".
Result<Config> LoadConfig(const std::string& path);
// Sets mqtt.password (and password_source) from TOUCHPOINT_MQTT_PASSWORD (`env_password`, null if
// unset), else mqtt.password_file, else keeps the password from the file. Errors name the key and
// the file. LoadConfig calls it; `source` is the config file's name for messages.
Status ResolveMqttPassword(MqttConfig* mqtt, const char* env_password, const std::string& source);
// The same from text (`source_name` is used in messages).
Result<Config> ParseConfig(std::string_view toml_text, const std::string& source_name);

// Parses a pushed survey document (a TOML text with a [survey] table) into a definition, with
// the same validation as the config file.
Result<SurveyDefinition> ParseSurveyDocument(std::string_view toml_text,
                                             const std::string& source_name);

// A documented example config (what `touchpoint-kiosk --print-default-config` prints).
std::string ExampleConfigToml();

}  // namespace touchpoint
