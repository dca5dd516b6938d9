// The store manager's dashboard: today's visitors and responses by hour, scores today and over
// 7 days, response rate, top reasons, health (sync, camera, storage, versions) and export.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "i18n.h"
#include "screens.h"

namespace touchpoint::ui {

namespace {

std::string Fmt(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string Ago(int64_t now_ms, std::optional<int64_t> then_ms) {
  if (!then_ms) return "never";
  int64_t s = std::max<int64_t>(0, (now_ms - *then_ms) / 1000);
  if (s < 90) return std::to_string(s) + " s ago";
  if (s < 90 * 60) return std::to_string(s / 60) + " min ago";
  if (s < 48 * 3600) return std::to_string(s / 3600) + " h ago";
  return std::to_string(s / 86400) + " days ago";
}

std::string Megabytes(int64_t bytes) {
  return Fmt(bytes >= 100 * 1024 * 1024 ? "%.0f MB" : "%.1f MB",
             static_cast<double>(bytes) / (1024.0 * 1024.0));
}

void Panel(const Frame& f, ImVec2 pos, ImVec2 size) {
  FillRect(ImGui::GetWindowDrawList(), pos, ImVec2(pos.x + size.x, pos.y + size.y), color::kPanel,
           f.u);
}

// A KPI tile: label, big value, detail line underneath.
void Tile(const Frame& f, ImVec2 pos, ImVec2 size, const std::string& label,
          const std::string& value, ImU32 value_color, const std::string& detail) {
  Panel(f, pos, size);
  float pad = f.u * 1.5f;
  ImFont* small = f.fonts->small;
  TextAt(small, FitFontSize(small, small->FontSize, label, size.x - 2 * pad),
         ImVec2(pos.x + pad, pos.y + pad * 0.7f), color::kMuted, label);
  float vs = std::min(f.fonts->huge->FontSize * 0.62f, size.y * 0.45f);
  vs = FitFontSize(f.fonts->huge, vs, value, size.x - 2 * pad);
  TextAt(f.fonts->huge, vs, ImVec2(pos.x + pad, pos.y + pad * 0.7f + small->FontSize * 1.1f),
         value_color, value);
  float ds = FitFontSize(small, small->FontSize * 0.85f, detail, size.x - 2 * pad);
  TextAt(small, ds, ImVec2(pos.x + pad, pos.y + size.y - pad * 0.6f - ds), color::kMuted, detail);
}

void Dot(ImVec2 c, float r, ImU32 col) {
  ImGui::GetWindowDrawList()->AddCircleFilled(c, r, col, 16);
}

std::string ReasonLabel(const SurveyDefinition* survey, const std::string& id) {
  if (survey == nullptr) return id;
  for (const Question& q : survey->questions) {
    for (const ReasonTag& t : q.tags) {
      if (t.id == id) return Tr(t.label, survey->default_language(), survey->default_language());
    }
  }
  return id;
}

void ReasonsPanel(const Frame& f, ImVec2 pos, ImVec2 size, const DashboardData& d,
                  const SurveyDefinition* survey) {
  Panel(f, pos, size);
  float pad = f.u * 1.2f;
  ImFont* small = f.fonts->small;
  TextAt(f.fonts->body, f.fonts->body->FontSize * 0.8f, ImVec2(pos.x + pad, pos.y + pad * 0.6f),
         color::kText, "Top reasons, 7 days");
  float y = pos.y + pad * 0.6f + f.fonts->body->FontSize * 0.8f + pad;
  if (d.top_reasons.empty()) {
    TextAt(small, small->FontSize, ImVec2(pos.x + pad, y), color::kMuted, "no reasons given yet");
    return;
  }
  int64_t max_n = d.top_reasons.front().second;
  float row_h = std::min(small->FontSize * 2.0f,
                         (pos.y + size.y - pad - y) / static_cast<float>(d.top_reasons.size()));
  float label_w = size.x * 0.42f;
  for (const auto& [id, n] : d.top_reasons) {
    std::string label = ReasonLabel(survey, id);
    float fs = FitFontSize(small, small->FontSize * 0.95f, label, label_w - pad);
    TextAt(small, fs, ImVec2(pos.x + pad, y + (row_h - fs) * 0.4f), color::kText, label);
    float bx = pos.x + label_w, bw = size.x - label_w - pad * 4.0f;
    float w = bw * static_cast<float>(n) / static_cast<float>(std::max<int64_t>(1, max_n));
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(bx, y + row_h * 0.15f),
                                              ImVec2(bx + std::max(2.0f, w), y + row_h * 0.8f),
                                              color::kAccent, f.u * 0.4f);
    TextAt(small, small->FontSize * 0.85f, ImVec2(bx + w + pad * 0.4f, y + row_h * 0.15f),
           color::kText, std::to_string(n));
    y += row_h;
  }
}

}  // namespace

std::string PersonSizeText(const CameraHealth& c) {
  if (c.person_size == "learning") return "Person size: learning from people seen";
  return "Person size (" + c.person_size + "): " + Fmt("%.0f px", c.person_height_top_px) +
         " tall at the top, " + Fmt("%.0f px", c.person_height_bottom_px) + " at the bottom";
}

namespace {

void HealthPanel(const Frame& f, ImVec2 pos, ImVec2 size, const DashboardView& v) {
  const DashboardData& d = *v.data;
  Panel(f, pos, size);
  float pad = f.u * 1.2f;
  ImFont* small = f.fonts->small;
  TextAt(f.fonts->body, f.fonts->body->FontSize * 0.8f, ImVec2(pos.x + pad, pos.y + pad * 0.6f),
         color::kText, "Health");
  float y = pos.y + pad * 0.6f + f.fonts->body->FontSize * 0.8f + pad * 0.8f;
  float fs = small->FontSize * 0.9f;
  float line_h = fs * 1.45f;
  float text_w = size.x - pad * 3.0f - fs;
  auto line = [&](ImU32 state, const std::string& text) {
    Dot(ImVec2(pos.x + pad + fs * 0.35f, y + fs * 0.55f), fs * 0.32f, state);
    float s = FitFontSize(small, fs, text, text_w);
    TextAt(small, s, ImVec2(pos.x + pad + fs, y), color::kText, text);
    y += line_h;
  };
  // Sync.
  if (!d.has_sync || !d.sync.enabled) {
    line(color::kMuted, "Sync: off (events stay on the kiosk)");
  } else {
    std::string s = std::string("Sync: ") + (d.sync.connected ? "connected to " : "offline, ") +
                    d.sync.broker + " · last hub ack " +
                    Ago(d.computed_at_ms, d.sync.last_hub_ack_ms);
    line(d.sync.connected ? color::kGood : color::kBad, s);
    if (!d.sync.last_error.empty()) line(color::kWarn, "  " + d.sync.last_error);
    if (!d.sync.config_push_error.empty()) {
      line(color::kWarn, "  config push refused: " + d.sync.config_push_error);
    }
  }
  if (d.has_store) {
    std::string s = "Pending events: " + std::to_string(d.store.pending) + " (oldest " +
                    Ago(d.computed_at_ms, d.store.oldest_pending_ms) + ")";
    line(d.store.pending > 1000 ? color::kWarn : color::kGood, s);
  }
  // Camera.
  if (!d.has_camera || !d.camera.enabled) {
    line(color::kMuted, "Camera: off (no footfall counting)");
  } else {
    bool ok = d.camera.state == "ok";
    std::string s = "Camera: " + d.camera.state + " · " + Fmt("%.1f fps", d.camera.fps) +
                    " · last frame " + Ago(d.computed_at_ms, d.camera.last_frame_ms) + " · " +
                    std::to_string(d.camera.coverage_gaps) + " coverage gaps";
    line(ok ? color::kGood : color::kBad, s);
    if (!d.camera.last_error.empty()) line(color::kWarn, "  " + d.camera.last_error);
    line(d.camera.person_size == "learning" ? color::kWarn : color::kGood,
         "  " + PersonSizeText(d.camera));
    // Dwell in the configured zones (docs/metrics.md "Dwell"), today.
    const metrics::Figures& t = d.today;
    if (t.dwell_n > 0) {
      std::string s2 = "Dwell today: " + Fmt("%.0f s mean", t.dwell_mean_s.value_or(0)) +
                       Fmt(" · %.0f s p90", t.dwell_p90_s.value_or(0)) + " · " +
                       std::to_string(t.dwell_n) + " visits";
      int shown = 0;
      for (const auto& [zone, z] : t.dwell_by_zone) {
        if (++shown > 3) {
          s2 += " · ...";
          break;
        }
        s2 += " · " + zone + Fmt(" %.0f s", z.mean_s.value_or(0));
      }
      line(color::kText, s2);
    }
  }
  // Storage.
  if (d.has_store) {
    const StoreStats& st = d.store;
    double frac = st.disk_budget_bytes > 0 ? static_cast<double>(st.used_bytes) /
                                                 static_cast<double>(st.disk_budget_bytes)
                                           : 0;
    bool bad = !st.last_write_error.empty() || frac > 0.9;
    std::string s = "Storage: " + Megabytes(st.used_bytes) + " of " +
                    Megabytes(st.disk_budget_bytes) + Fmt(" (%.0f%%)", frac * 100.0);
    if (st.feedback_lost + st.events_lost > 0) {
      s += " · lost " + std::to_string(st.events_lost) + " events";
    }
    line(bad ? color::kBad : color::kGood, s);
    if (!st.last_write_error.empty()) {
      line(color::kBad, "  Answers cannot be saved right now: " + st.last_write_error);
    }
  } else {
    line(color::kBad, "Storage: no database");
  }
  if (!d.error.empty()) line(color::kBad, "Reading the database failed: " + d.error);
  if (d.ui_health.store_failures > 0) {
    line(color::kBad, std::to_string(d.ui_health.store_failures) +
                          " shopper answers could not be stored: " + d.ui_health.last_store_error);
  }
  line(color::kMuted, "Software " + v.software_version + " · config " + v.config_version);
}

}  // namespace

DashboardAction DrawDashboardScreen(const Frame& f, const DashboardView& v) {
  DashboardAction action;
  BeginScreen(f, "dashboard", color::kBackground);
  float u = f.u;
  float m = u * 2.5f;
  float gap = u * 1.5f;
  float W = f.size.x - 2 * m;

  // ---- header ----
  TextAt(f.fonts->title, f.fonts->title->FontSize * 0.7f, ImVec2(m, m), color::kText,
         "Store dashboard");
  std::string sub = "Kiosk " + v.kiosk_id + " · store " + v.store_id;
  if (v.data) sub += " · updated " + Ago(v.now_ms, v.data->computed_at_ms);
  TextAt(f.fonts->small, f.fonts->small->FontSize * 0.9f,
         ImVec2(m, m + f.fonts->title->FontSize * 0.8f), color::kMuted, sub);
  float y = m + f.fonts->title->FontSize * 0.8f + f.fonts->small->FontSize * 1.5f;

  float btn_h = u * 8.5f;
  float bottom = f.size.y - m - btn_h - gap;
  if (!v.data) {
    TextCentered(f.fonts->body, f.fonts->body->FontSize, ImVec2(f.size.x * 0.5f, f.size.y * 0.4f),
                 color::kMuted, "Loading…");
  } else {
    const DashboardData& d = *v.data;
    // ---- KPI tiles ----
    int cols = f.portrait() ? 3 : 6;
    int rows = 6 / cols;
    float tw = (W - gap * static_cast<float>(cols - 1)) / static_cast<float>(cols);
    float th = u * 15.0f;
    const metrics::Figures &t = d.today, &w = d.week;
    struct T {
      std::string label, value;
      ImU32 col;
      std::string detail;
    };
    std::vector<T> tiles = {
        {"Visitors today", std::to_string(d.today.visitors_in), color::kText,
         std::to_string(d.today.visitors_out) + " out · " + std::to_string(d.week.visitors_in) +
             " in 7 days"},
        {"Responses today", std::to_string(t.responses), color::kText,
         std::to_string(t.abandoned) + " abandoned · " + std::to_string(t.suspect) + " flagged"},
        {"Response rate", t.response_rate ? Fmt("%.1f%%", 100.0 * *t.response_rate) : "–",
         color::kText,
         w.response_rate ? Fmt("7 days: %.1f%%", 100.0 * *w.response_rate) : "7 days: –"},
        {"CSAT today", t.csat_mean ? Fmt("%.2f", *t.csat_mean) : "–",
         t.csat_mean ? ScoreColor(static_cast<int>(std::lround(*t.csat_mean)), 1, 5)
                     : color::kMuted,
         w.csat_mean
             ? Fmt("7 days: %.2f", *w.csat_mean) + Fmt(" · %.0f%% happy", *w.csat_satisfied_pct)
             : "7 days: –"},
        {"NPS today", t.nps ? Fmt("%+.0f", *t.nps) : "–",
         t.nps ? (*t.nps >= 30  ? color::kGood
                  : *t.nps >= 0 ? color::kWarn
                                : color::kBad)
               : color::kMuted,
         w.nps ? Fmt("7 days: %+.0f", *w.nps) + " (" + std::to_string(w.nps_n) + ")" : "7 days: –"},
        {"Effort today", t.effort_mean ? Fmt("%.1f", *t.effort_mean) : "–",
         t.effort_mean ? ScoreColor(static_cast<int>(std::lround(*t.effort_mean)), 1, 7)
                       : color::kMuted,
         w.effort_mean ? Fmt("7 days: %.1f of 7", *w.effort_mean) : "7 days: –"},
    };
    for (int i = 0; i < 6; ++i) {
      ImVec2 p(m + static_cast<float>(i % cols) * (tw + gap),
               y + static_cast<float>(i / cols) * (th + gap));
      Tile(f, p, ImVec2(tw, th), tiles[static_cast<size_t>(i)].label,
           tiles[static_cast<size_t>(i)].value, tiles[static_cast<size_t>(i)].col,
           tiles[static_cast<size_t>(i)].detail);
    }
    y += static_cast<float>(rows) * (th + gap);

    std::vector<std::string> hours;
    for (int h = 0; h < 24; ++h) hours.push_back(std::to_string(h));
    std::vector<double> day_csat, day_resp;
    for (const metrics::Figures& day : d.days) {
      day_resp.push_back(static_cast<double>(day.responses));
      day_csat.push_back(day.csat_satisfied_pct.value_or(0));
    }
    std::vector<BarSeries> visitors = {{d.in_by_hour, IM_COL32(64, 156, 255, 255), "in"},
                                       {d.out_by_hour, IM_COL32(150, 120, 255, 255), "out"}};
    std::vector<BarSeries> responses = {{d.responses_by_hour, color::kAccent, "responses"}};
    std::vector<BarSeries> week = {{day_resp, color::kAccent, "responses"},
                                   {day_csat, color::kGood, "% happy"}};
    float avail = bottom - y;
    if (f.portrait()) {
      float health_h = std::min(u * 34.0f, avail * 0.3f);
      float ch = (avail - health_h - gap * 3) / 3.0f;
      DrawBarChart(f, ImVec2(m, y), ImVec2(W, ch), "Visitors today by hour", visitors, hours);
      y += ch + gap;
      DrawBarChart(f, ImVec2(m, y), ImVec2(W, ch), "Responses today by hour", responses, hours);
      y += ch + gap;
      float half = (W - gap) * 0.5f;
      DrawBarChart(f, ImVec2(m, y), ImVec2(half, ch), "Last 7 days", week, d.day_labels);
      ReasonsPanel(f, ImVec2(m + half + gap, y), ImVec2(half, ch), d, v.survey);
      y += ch + gap;
      HealthPanel(f, ImVec2(m, y), ImVec2(W, bottom - y), v);
    } else {
      float left_w = W * 0.58f, right_w = W - left_w - gap;
      float ch = (avail - gap) * 0.5f;
      DrawBarChart(f, ImVec2(m, y), ImVec2(left_w, ch), "Visitors today by hour", visitors, hours);
      DrawBarChart(f, ImVec2(m, y + ch + gap), ImVec2(left_w, ch), "Responses today by hour",
                   responses, hours);
      float rx = m + left_w + gap;
      // The health panel lists five lines under its title: it gets the larger share.
      float column = avail - 2 * gap;
      float week_h = column * 0.29f, reasons_h = column * 0.29f;
      float health_h = column - week_h - reasons_h;
      DrawBarChart(f, ImVec2(rx, y), ImVec2(right_w, week_h), "Last 7 days", week, d.day_labels);
      ReasonsPanel(f, ImVec2(rx, y + week_h + gap), ImVec2(right_w, reasons_h), d, v.survey);
      HealthPanel(f, ImVec2(rx, y + week_h + reasons_h + 2 * gap), ImVec2(right_w, health_h), v);
    }
  }

  // ---- actions ----
  struct B {
    const char* target;
    const char* label;
    ImU32 fill;
    DashboardAction::Kind kind;
  };
  const B buttons[] = {
      {"export", "Export to USB", color::kPrimary, DashboardAction::kToggleExport},
      {"change_pin", "Change PIN", color::kPanelLight, DashboardAction::kChangePin},
      {"close", "Back to survey", color::kGood, DashboardAction::kClose},
      {"exit_kiosk", "Exit kiosk mode", color::kBad, DashboardAction::kExitKiosk},
      {"camera_setup", "Camera setup", color::kPanelLight, DashboardAction::kCameraSetup},
  };
  const int count = v.camera_setup ? 5 : 4;
  float bw = (W - gap * static_cast<float>(count - 1)) / static_cast<float>(count);
  for (int i = 0; i < count; ++i) {
    ButtonStyle st;
    st.fill = buttons[i].fill;
    st.font = f.fonts->small;
    if (BigButton(f, buttons[i].target, buttons[i].label,
                  ImVec2(m + static_cast<float>(i) * (bw + gap), f.size.y - m - btn_h),
                  ImVec2(bw, btn_h), st)) {
      action.kind = buttons[i].kind;
    }
  }

  // ---- export overlay (the buttons underneath are inert while it is open) ----
  if (v.export_open) {
    action = {};
    BeginOverlay();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    float pw = std::min(W, u * 95.0f);
    float px = f.size.x * 0.5f - pw * 0.5f;
    std::vector<std::string> folders = v.data ? v.data->export_folders : std::vector<std::string>{};
    float row = u * 9.0f;
    float ph = u * 22.0f + static_cast<float>(folders.size()) * (row + gap);
    float py = std::max(m, f.size.y * 0.5f - ph * 0.5f);
    dl->AddRectFilled(ImVec2(0, 0), f.size, IM_COL32(0, 0, 0, 170));
    FillRect(dl, ImVec2(px, py), ImVec2(px + pw, py + ph), color::kPanelLight, u);
    TextAt(f.fonts->body, f.fonts->body->FontSize * 0.85f, ImVec2(px + u * 2, py + u * 2),
           color::kText, "Export events (JSON lines) and a CSV summary to:");
    float ry = py + u * 9.0f;
    for (size_t i = 0; i < folders.size(); ++i) {
      ButtonStyle st;
      st.font = f.fonts->small;
      if (BigButton(f, "export_folder:" + std::to_string(i), folders[i], ImVec2(px + u * 2, ry),
                    ImVec2(pw - u * 4, row), st) &&
          !v.export_state.running) {
        action = {DashboardAction::kExport, folders[i]};
      }
      ry += row + gap;
    }
    if (!v.export_state.message.empty()) {
      ImU32 c = v.export_state.running ? color::kMuted
                : v.export_state.ok    ? color::kGood
                                       : color::kBad;
      float fs = FitFontSize(f.fonts->small, f.fonts->small->FontSize * 0.9f,
                             v.export_state.message, pw - u * 4);
      TextAt(f.fonts->small, fs, ImVec2(px + u * 2, ry), c, v.export_state.message);
    }
    ButtonStyle st;
    st.fill = color::kMuted;
    st.outline_only = true;
    st.font = f.fonts->small;
    if (BigButton(f, "export_close", "Close", ImVec2(px + pw - u * 22, py + ph - u * 9),
                  ImVec2(u * 20, u * 7), st)) {
      action.kind = DashboardAction::kToggleExport;
    }
    EndOverlay();
  }
  if (!v.notice.empty()) {
    TextCentered(f.fonts->small, f.fonts->small->FontSize,
                 ImVec2(f.size.x * 0.5f, f.size.y - m - btn_h - gap - u * 2.5f), color::kAccent,
                 v.notice);
  }
  EndScreen();
  return action;
}

}  // namespace touchpoint::ui
