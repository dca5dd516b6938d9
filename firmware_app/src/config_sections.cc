#include "config_sections.h"

#include <array>
#include <cmath>
#include <vector>

namespace touchpoint::config {

void ReadKiosk(const toml::table& t, Problems* p, KioskConfig* out) {
  TableReader r(t, "kiosk", p);
  r.Identifier("kiosk_id", &out->kiosk_id, /*required=*/true);
  r.Identifier("store_id", &out->store_id, /*required=*/true);
  r.Identifier("touchpoint", &out->touchpoint, false);
  r.Identifier("journey_stage", &out->journey_stage, false);
  r.String("data_dir", &out->data_dir);
  if (out->data_dir.empty()) r.Error("data_dir", "must not be empty");
  r.Int("disk_budget_mb", &out->disk_budget_mb, 1, 1024 * 1024);
  r.Int("status_interval_s", &out->status_interval_s, 5, 86400);
  r.RejectUnknown();
}

namespace {

bool ReadPoint(TableReader& r, const char* key, double* x, double* y) {
  const toml::array* a = r.Array(key);
  if (!a) {
    if (!r.table().get(key))
      r.problems()->Add(r.table().source(), r.KeyPath(key) + ": missing (required)");
    return false;
  }
  if (a->size() != 2 || !a->get(0)->is_number() || !a->get(1)->is_number()) {
    r.Error(key, "expected an array of two numbers, e.g. [0.5, 0.0]");
    return false;
  }
  *x = *a->get(0)->value<double>();
  *y = *a->get(1)->value<double>();
  return true;
}

// camera.person_heights = [[row, height], [row, height]] (source pixels).
void ReadPersonHeights(TableReader& r, std::vector<std::array<double, 2>>* out) {
  const toml::array* a = r.Array("person_heights");
  if (!a) return;
  const char* shape = "expected two [row, height] pairs in pixels, e.g. [[150, 46], [280, 90]]";
  if (a->size() != 2) {
    r.Error("person_heights", shape);
    return;
  }
  std::vector<std::array<double, 2>> pairs;
  for (size_t i = 0; i < a->size(); ++i) {
    const toml::array* pair = a->get(i)->as_array();
    if (!pair || pair->size() != 2 || !pair->get(0)->is_number() || !pair->get(1)->is_number()) {
      r.Error("person_heights", shape);
      return;
    }
    const double row = *pair->get(0)->value<double>(), height = *pair->get(1)->value<double>();
    if (row < 0 || row > 16384 || height <= 0 || height > 16384) {
      r.Error("person_heights", "rows must be 0..16384 and heights 1..16384 pixels");
      return;
    }
    pairs.push_back({row, height});
  }
  if (std::abs(pairs[0][0] - pairs[1][0]) < 1) {
    r.Error("person_heights", "the two rows must differ (perspective needs two distances)");
    return;
  }
  *out = pairs;
}

}  // namespace

void ReadCamera(const toml::table& t, Problems* p, CameraConfig* out) {
  TableReader r(t, "camera", p);
  r.Bool("enabled", &out->enabled);
  r.String("source", &out->source);
  r.Bool("loop", &out->loop);
  r.Real("max_fps", &out->max_fps, 0, 1000);
  r.Bool("realtime", &out->realtime);
  r.Int("process_width", &out->process_width, 64, 4096);
  r.String("detector", &out->detector);
  if (out->detector != "mog2" && out->detector != "hog") {
    r.Error("detector", "\"" + out->detector + "\" is not one of mog2, hog");
  }
  r.Int("interval_s", &out->interval_s, 1, 86400);
  r.Int("retry_min_ms", &out->retry_min_ms, 10, 600000);
  r.Int("retry_max_ms", &out->retry_max_ms, 10, 3600000);
  r.Int("stream_timeout_ms", &out->stream_timeout_ms, 100, 600000);
  r.Real("person_height_top", &out->person_height_top, 0, 1);
  r.Real("person_height_bottom", &out->person_height_bottom, 0, 1);
  r.Real("line_hysteresis", &out->line_hysteresis, 0, 0.5);
  ReadPersonHeights(r, &out->person_heights);
  if (const toml::table* roi = r.Table("roi")) {
    TableReader rr(*roi, "camera.roi", p);
    rr.Real("x", &out->roi.x, 0, 1);
    rr.Real("y", &out->roi.y, 0, 1);
    rr.Real("w", &out->roi.w, 0.01, 1);
    rr.Real("h", &out->roi.h, 0.01, 1);
    if (out->roi.x + out->roi.w > 1.0001 || out->roi.y + out->roi.h > 1.0001) {
      rr.ErrorAt(*roi, "camera.roi: the region must lie inside the frame (x+w <= 1, y+h <= 1)");
    }
    rr.RejectUnknown();
  }
  if (const toml::array* lines = r.Array("lines")) {
    out->lines.clear();
    for (size_t i = 0; i < lines->size(); ++i) {
      const toml::node& n = *lines->get(i);
      std::string path = "camera.lines[" + std::to_string(i) + "]";
      if (!n.is_table()) {
        r.ErrorAt(n, path + ": expected a table like { name = \"door\", p1 = [..], p2 = [..] }");
        continue;
      }
      TableReader lr(*n.as_table(), path, p);
      CountingLine line;
      lr.Identifier("name", &line.name, true);
      lr.Bool("normalized", &line.normalized);
      bool ok = ReadPoint(lr, "p1", &line.x1, &line.y1);
      ok = ReadPoint(lr, "p2", &line.x2, &line.y2) && ok;
      if (ok && line.x1 == line.x2 && line.y1 == line.y2) lr.Error("p2", "must differ from p1");
      if (ok && line.normalized) {
        for (double v : {line.x1, line.y1, line.x2, line.y2}) {
          if (v < 0 || v > 1) {
            lr.Error("p1", "normalized coordinates must be within 0..1");
            break;
          }
        }
      }
      if (lr.table().get("in_side")) {
        double dx = 0, dy = 0;
        if (ReadPoint(lr, "in_side", &dx, &dy)) {
          if (dx == 0 && dy == 0) {
            lr.Error("in_side", "must be a non-zero direction, e.g. [1, 0] for 'in' = +x");
          } else {
            line.in_dx = dx;
            line.in_dy = dy;
          }
        }
      }
      lr.RejectUnknown();
      for (const auto& other : out->lines) {
        if (!line.name.empty() && other.name == line.name) {
          lr.ErrorAt(n, path + ".name: \"" + line.name + "\" is used by another line");
        }
      }
      out->lines.push_back(line);
    }
  }
  r.RejectUnknown();
}

namespace {

constexpr size_t kMaxZonePoints = 32;

// One zone: { id = "queue", rect = [x, y, w, h] } or { id = ..., polygon = [[x, y], ...] },
// normalised 0..1. `needs_id`: false for the kiosk zone (its id is "kiosk").
bool ReadZone(const toml::node& n, const std::string& path, bool needs_id, Problems* p,
              FootfallZone* zone) {
  if (!n.is_table()) {
    p->Add(n.source(), path + ": expected a table like { id = \"queue\", rect = [x, y, w, h] }");
    return false;
  }
  TableReader r(*n.as_table(), path, p);
  if (needs_id) {
    r.Identifier("id", &zone->id, true);
  } else {
    zone->id = "kiosk";
  }
  const toml::array* rect = r.Array("rect");
  const toml::array* polygon = r.Array("polygon");
  bool ok = true;
  if ((rect != nullptr) == (polygon != nullptr)) {
    if (!r.table().get("rect") && !r.table().get("polygon")) {
      r.ErrorAt(n, path + ": needs rect = [x, y, w, h] or polygon = [[x, y], ...] (0..1)");
    } else if (rect && polygon) {
      r.Error("polygon", "give rect or polygon, not both");
    }
    ok = false;
  } else if (rect) {
    double v[4] = {0, 0, 0, 0};
    bool numbers = rect->size() == 4;
    for (size_t i = 0; numbers && i < 4; ++i) {
      numbers = rect->get(i)->is_number();
      if (numbers) v[i] = *rect->get(i)->value<double>();
    }
    if (!numbers) {
      r.Error("rect", "expected [x, y, w, h], four numbers in 0..1");
      ok = false;
    } else if (v[0] < 0 || v[1] < 0 || v[2] <= 0 || v[3] <= 0 || v[0] + v[2] > 1.0001 ||
               v[1] + v[3] > 1.0001) {
      r.Error("rect", "must lie inside the frame: x, y >= 0, w, h > 0, x+w <= 1, y+h <= 1");
      ok = false;
    } else {
      zone->polygon = {
          {v[0], v[1]}, {v[0] + v[2], v[1]}, {v[0] + v[2], v[1] + v[3]}, {v[0], v[1] + v[3]}};
    }
  } else {
    std::vector<std::array<double, 2>> points;
    if (polygon->size() < 3 || polygon->size() > kMaxZonePoints) {
      r.Error("polygon", "needs 3.." + std::to_string(kMaxZonePoints) + " points");
      ok = false;
    }
    for (size_t i = 0; ok && i < polygon->size(); ++i) {
      const toml::node& pn = *polygon->get(i);
      const toml::array* pt = pn.as_array();
      if (!pt || pt->size() != 2 || !pt->get(0)->is_number() || !pt->get(1)->is_number()) {
        r.ErrorAt(
            pn, path + ".polygon[" + std::to_string(i) + "]: expected [x, y], two numbers in 0..1");
        ok = false;
        break;
      }
      const double x = *pt->get(0)->value<double>(), y = *pt->get(1)->value<double>();
      if (x < 0 || x > 1 || y < 0 || y > 1) {
        r.ErrorAt(pn, path + ".polygon[" + std::to_string(i) + "]: must be within 0..1");
        ok = false;
        break;
      }
      points.push_back({x, y});
    }
    if (ok) {
      double area2 = 0;  // shoelace
      for (size_t i = 0; i < points.size(); ++i) {
        const auto& a = points[i];
        const auto& b = points[(i + 1) % points.size()];
        area2 += a[0] * b[1] - b[0] * a[1];
      }
      if (std::abs(area2) < 1e-6) {
        r.Error("polygon", "encloses no area (points on one line?)");
        ok = false;
      } else {
        zone->polygon = std::move(points);
      }
    }
  }
  r.RejectUnknown();
  return ok;
}

}  // namespace

void ReadFootfall(const toml::table& t, Problems* p, FootfallConfig* out) {
  TableReader r(t, "footfall", p);
  if (const toml::array* zones = r.Array("zones")) {
    out->zones.clear();
    if (zones->size() > kMaxFootfallZones) {
      r.Error("zones", std::to_string(zones->size()) + " zones; at most " +
                           std::to_string(kMaxFootfallZones));
    }
    for (size_t i = 0; i < zones->size() && i < kMaxFootfallZones; ++i) {
      const toml::node& n = *zones->get(i);
      const std::string path = "footfall.zones[" + std::to_string(i) + "]";
      FootfallZone z;
      if (!ReadZone(n, path, true, p, &z)) continue;
      bool duplicate = false;
      for (const FootfallZone& other : out->zones) duplicate |= other.id == z.id;
      if (duplicate) {
        p->Add(n.source(), path + ".id: \"" + z.id + "\" is used by another zone");
        continue;
      }
      out->zones.push_back(std::move(z));
    }
  }
  if (const toml::node* k = t.get("kiosk_zone")) {
    r.MarkSeen("kiosk_zone");
    FootfallZone z;
    if (ReadZone(*k, "footfall.kiosk_zone", false, p, &z)) out->kiosk_zone = std::move(z);
  }
  r.RejectUnknown();
}

void ReadAntispam(const toml::table& t, Problems* p, AntispamConfig* out) {
  TableReader r(t, "antispam", p);
  r.Bool("require_person_at_kiosk", &out->require_person_at_kiosk);
  r.RejectUnknown();
}

void ReadMqtt(const toml::table& t, Problems* p, MqttConfig* out) {
  TableReader r(t, "mqtt", p);
  r.Bool("enabled", &out->enabled);
  r.String("uri", &out->uri);
  if (out->uri.rfind("tcp://", 0) != 0 && out->uri.rfind("ssl://", 0) != 0 &&
      out->uri.rfind("mqtt://", 0) != 0 && out->uri.rfind("mqtts://", 0) != 0) {
    r.Error("uri", "\"" + out->uri + "\" must start with tcp://, ssl://, mqtt:// or mqtts://");
  }
  r.String("topic_prefix", &out->topic_prefix);
  if (out->topic_prefix.empty() || out->topic_prefix.find_first_of("#+") != std::string::npos ||
      out->topic_prefix.back() == '/') {
    r.Error("topic_prefix", "must be non-empty, without '#', '+' or a trailing '/'");
  }
  r.String("client_id", &out->client_id);
  r.String("username", &out->username);
  r.String("password", &out->password);
  r.String("password_file", &out->password_file);
  if (!out->password.empty() && !out->password_file.empty()) {
    r.Error("password", "set password_file or password, not both (password_file is preferred)");
  }
  r.String("ca_file", &out->ca_file);
  r.String("cert_file", &out->cert_file);
  r.String("key_file", &out->key_file);
  if (out->cert_file.empty() != out->key_file.empty()) {
    r.Error(out->cert_file.empty() ? "key_file" : "cert_file",
            "cert_file and key_file go together (client certificate and its key)");
  }
  r.String("config_public_key_file", &out->config_public_key_file);
  r.Bool("config_unsigned_ok", &out->config_unsigned_ok);
  r.Int("batch_max_events", &out->batch_max_events, 1, 100000);
  r.Int("batch_max_bytes", &out->batch_max_bytes, 1024, 64 * 1024 * 1024);
  r.Int("linger_ms", &out->linger_ms, 0, 60000);
  r.Int("max_inflight_batches", &out->max_inflight_batches, 1, 1000);
  r.Int("ack_timeout_s", &out->ack_timeout_s, 1, 86400);
  r.Int("keepalive_s", &out->keepalive_s, 5, 3600);
  r.Int("backoff_min_ms", &out->backoff_min_ms, 10, 3600000);
  r.Int("backoff_max_ms", &out->backoff_max_ms, 10, 86400000);
  r.Int("reconnect_spread_s", &out->reconnect_spread_s, 0, 3600);
  if (out->backoff_max_ms < out->backoff_min_ms) {
    r.Error("backoff_max_ms", "must not be smaller than backoff_min_ms");
  }
  r.RejectUnknown();
}

void ReadUi(const toml::table& t, Problems* p, UiConfig* out) {
  TableReader r(t, "ui", p);
  r.Bool("enabled", &out->enabled);
  r.Bool("fullscreen", &out->fullscreen);
  r.Int("width", &out->width, 200, 16384);
  r.Int("height", &out->height, 200, 16384);
  r.Int("idle_timeout_s", &out->idle_timeout_s, 5, 3600);
  r.Int("thank_you_s", &out->thank_you_s, 1, 60);
  r.String("font_file", &out->font_file);
  r.String("renderer", &out->renderer);
  if (out->renderer != "auto" && out->renderer != "opengl" && out->renderer != "software") {
    r.Error("renderer", "\"" + out->renderer + "\" is not one of auto, opengl, software");
  }
  r.Int("suspect_window_s", &out->suspect_window_s, 0, 3600);
  r.Int("long_press_ms", &out->long_press_ms, 300, 60000);
  r.Int("manager_timeout_s", &out->manager_timeout_s, 10, 86400);
  r.Int("dashboard_refresh_s", &out->dashboard_refresh_s, 1, 3600);
  r.StringArray("export_roots", &out->export_roots);
  r.RejectUnknown();
}

}  // namespace touchpoint::config
