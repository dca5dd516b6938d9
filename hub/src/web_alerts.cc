#include "web_alerts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "hub_store_schema.h"
#include "touchpoint/sync/wire.h"

namespace touchpoint::hub::web {

namespace {

constexpr int64_t kHourMs = 3600 * 1000;
constexpr const char* kAlertColumns =
    "id, rule_id, scope, store, region, opened_ms, value, message, state, acked_by, acked_ms, "
    "closed_ms";

Json AlertJson(sql::Statement& st) {
  Json j;
  j["id"] = st.ColumnInt(0);
  j["rule"] = st.ColumnInt(1);
  j["scope"] = st.ColumnText(2);
  j["store"] = st.ColumnText(3).empty() ? Json(nullptr) : Json(st.ColumnText(3));
  j["region"] = st.ColumnText(4).empty() ? Json(nullptr) : Json(st.ColumnText(4));
  j["opened_ms"] = st.ColumnInt(5);
  j["value"] = st.ColumnIsNull(6) ? Json(nullptr) : Json(st.ColumnDouble(6));
  j["message"] = st.ColumnText(7);
  j["state"] = st.ColumnText(8);
  j["acked_by"] = st.ColumnIsNull(9) ? Json(nullptr) : Json(st.ColumnText(9));
  j["acked_ms"] = st.ColumnIsNull(10) ? Json(nullptr) : Json(st.ColumnInt(10));
  j["closed_ms"] = st.ColumnIsNull(11) ? Json(nullptr) : Json(st.ColumnInt(11));
  return j;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

ApiError Db(const Status& s) { return ServerError("alerts: " + s.ToString()); }

// The footfall events a camera rule looks back over per kiosk (its latest by seq): a kiosk whose
// camera sent none in its last this many events counts as not counting since it opened.
constexpr int64_t kCameraLookbackEvents = 10000;

bool IsCameraMetric(const std::string& m) { return m == "camera_not_counting_min"; }

// What a camera rule needs of a kiosk: the end of its latest footfall interval (0: none within
// reach) and its latest event's UTC offset (nullopt: no event).
struct CameraFacts {
  int64_t counted_until_ms = 0;
  std::optional<int32_t> offset_min;
};

Result<CameraFacts> CameraFactsOf(sql::Database* db, const KioskSummary& k) {
  CameraFacts out;
  auto key = db->Prepare("SELECT kiosk_key FROM kiosks WHERE kiosk = ?1");
  if (!key.ok()) return key.status();
  key->Bind(1, k.kiosk);
  auto row = key->Step();
  if (!row.ok()) return row.status();
  if (!*row) return out;
  int64_t kiosk_key = key->ColumnInt(0);
  auto last = db->Prepare(
      "SELECT utc_offset_min FROM events WHERE kiosk_key = ?1 ORDER BY seq DESC LIMIT 1");
  if (!last.ok()) return last.status();
  last->Bind(1, kiosk_key);
  row = last->Step();
  if (!row.ok()) return row.status();
  if (*row) out.offset_min = last->ColumnIsNull(0) ? 0 : static_cast<int32_t>(last->ColumnInt(0));
  auto ff = db->Prepare(
      "SELECT time_ms + COALESCE(f_interval_s, 0) * 1000 FROM events WHERE kiosk_key = ?1 AND "
      "seq > ?2 AND type = ?3 ORDER BY seq DESC LIMIT 1");
  if (!ff.ok()) return ff.status();
  ff->Bind(1, kiosk_key)
      .Bind(2, static_cast<int64_t>(k.max_seq) - kCameraLookbackEvents)
      .Bind(3, EventTypeCode(EventType::kFootfall));
  row = ff->Step();
  if (!row.ok()) return row.status();
  if (*row) out.counted_until_ms = ff->ColumnInt(0);
  return out;
}

// The camera_state of a kiosk's latest status ("" without one).
std::string CameraState(const KioskSummary& k) {
  if (!k.status || k.status->json.empty()) return "";
  auto j = nlohmann::json::parse(k.status->json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return "";
  auto it = j.find("camera_state");
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

ApiResult<Json> Alerts::Rules() {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_->Prepare(
      "SELECT id, name, metric, op, threshold, window_min, min_n, scope FROM web_alert_rules "
      "ORDER BY id");
  if (!st.ok()) return Db(st.status());
  Json rules = Json::array();
  Status s = st->ForEachRow([&] {
    rules.push_back({{"id", st->ColumnInt(0)},
                     {"name", st->ColumnText(1)},
                     {"metric", st->ColumnText(2)},
                     {"op", st->ColumnText(3)},
                     {"threshold", st->ColumnDouble(4)},
                     {"window_min", st->ColumnInt(5)},
                     {"min_n", st->ColumnInt(6)},
                     {"scope", st->ColumnText(7)}});
  });
  if (!s.ok()) return Db(s);
  return Json{{"rules", rules}};
}

ApiResult<Json> Alerts::AddRule(const Json& body, const WebConfig& config, int64_t now_ms) {
  AlertRule r;
  auto str = [&](const char* k, std::string* out) -> std::optional<ApiError> {
    auto it = body.find(k);
    if (it == body.end()) return std::nullopt;
    if (!it->is_string()) return BadRequest(std::string(k) + ": expected a string");
    *out = it->get<std::string>();
    return std::nullopt;
  };
  auto num = [&](const char* k, double* out, double lo, double hi) -> std::optional<ApiError> {
    auto it = body.find(k);
    if (it == body.end()) return std::nullopt;
    if (!it->is_number() || it->get<double>() < lo || it->get<double>() > hi) {
      return BadRequest(std::string(k) + ": expected a number from " + Num(lo) + " to " + Num(hi));
    }
    *out = it->get<double>();
    return std::nullopt;
  };
  double window = static_cast<double>(r.window_min), min_n = static_cast<double>(r.min_n);
  for (auto e : {str("name", &r.name), str("metric", &r.metric), str("op", &r.op),
                 str("scope", &r.scope), num("threshold", &r.threshold, -1e9, 1e9),
                 num("window_min", &window, 1, 7 * 24 * 60), num("min_n", &min_n, 0, 1e6)}) {
    if (e) return *e;
  }
  r.window_min = static_cast<int64_t>(window);
  r.min_n = static_cast<int64_t>(min_n);
  if (r.name.empty() || r.name.size() > 200) return BadRequest("name: 1 to 200 characters");
  if (r.metric != "unhappy_pct" && r.metric != "csat_mean" && r.metric != "nps" &&
      r.metric != "response_rate" && r.metric != "kiosk_offline_min" && !IsCameraMetric(r.metric)) {
    return BadRequest(
        "metric: unhappy_pct, csat_mean, nps, response_rate, kiosk_offline_min or "
        "camera_not_counting_min (" +
        r.metric + ")");
  }
  if (r.op != ">=" && r.op != "<=") return BadRequest("op: >= or <= (" + r.op + ")");
  if (!body.contains("threshold")) return BadRequest("threshold: missing");
  bool scope_ok = r.scope == "stores" || r.scope == "chain";
  if (r.scope.rfind("store:", 0) == 0) scope_ok = sync::IsValidId(r.scope.substr(6));
  if (r.scope.rfind("region:", 0) == 0) {
    std::string region = r.scope.substr(7);
    scope_ok = region == kNoRegion || config.regions.count(region) > 0;
  }
  if (!scope_ok) {
    return BadRequest("scope: stores, chain, store:<id> or region:<configured region> (" + r.scope +
                      ")");
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_->Prepare(
      "INSERT INTO web_alert_rules(name, metric, op, threshold, window_min, min_n, scope, "
      "created_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!st.ok()) return Db(st.status());
  st->Bind(1, r.name).Bind(2, r.metric).Bind(3, r.op).BindDouble(4, r.threshold);
  st->Bind(5, r.window_min).Bind(6, r.min_n).Bind(7, r.scope).Bind(8, now_ms);
  if (Status s = st->Run(); !s.ok()) return Db(s);
  return Json{{"id", db_->LastInsertRowId()},
              {"name", r.name},
              {"metric", r.metric},
              {"op", r.op},
              {"threshold", r.threshold},
              {"window_min", r.window_min},
              {"min_n", r.min_n},
              {"scope", r.scope}};
}

ApiResult<bool> Alerts::AddStarterRules(const WebConfig& config, int64_t now_ms) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto n = db_->QueryInt("SELECT COUNT(*) FROM web_alert_rules");
    if (!n.ok()) return Db(n.status());
    if (n->value_or(0) > 0) return false;
  }
  const Json starters[] = {
      {{"name", "Many unhappy shoppers"},
       {"metric", "unhappy_pct"},
       {"op", ">="},
       {"threshold", 50},
       {"window_min", 15},
       {"min_n", 4},
       {"scope", "stores"}},
      {{"name", "Kiosk offline"},
       {"metric", "kiosk_offline_min"},
       {"op", ">="},
       {"threshold", 30},
       {"window_min", 30},
       {"min_n", 0},
       {"scope", "stores"}},
      {{"name", "Camera not counting"},
       {"metric", "camera_not_counting_min"},
       {"op", ">="},
       {"threshold", 15},
       {"window_min", 15},
       {"min_n", 0},
       {"scope", "stores"}},
  };
  for (const Json& rule : starters) {
    auto added = AddRule(rule, config, now_ms);
    if (!added.ok()) return added.error();
  }
  return true;
}

ApiResult<bool> Alerts::DeleteRule(int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_->Prepare("DELETE FROM web_alert_rules WHERE id = ?1");
  if (!st.ok()) return Db(st.status());
  st->Bind(1, id);
  if (Status s = st->Run(); !s.ok()) return Db(s);
  if (db_->Changes() == 0) return NotFoundError("rule: no rule " + std::to_string(id));
  return true;
}

ApiResult<Json> Alerts::List(const AlertVisible& visible) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_->Prepare(std::string("SELECT ") + kAlertColumns +
                         " FROM web_alerts ORDER BY id DESC LIMIT 5000");
  if (!st.ok()) return Db(st.status());
  Json alerts = Json::array();
  Status s = st->ForEachRow([&] {
    if (alerts.size() >= 500 || !visible(st->ColumnText(3), st->ColumnText(4))) return;
    alerts.push_back(AlertJson(*st));
  });
  if (!s.ok()) return Db(s);
  return Json{{"alerts", alerts}};
}

ApiResult<Json> Alerts::RowJsonLocked(int64_t id) {
  auto st = db_->Prepare(std::string("SELECT ") + kAlertColumns + " FROM web_alerts WHERE id = ?1");
  if (!st.ok()) return Db(st.status());
  st->Bind(1, id);
  auto row = st->Step();
  if (!row.ok()) return Db(row.status());
  if (!*row) return NotFoundError("alert: no alert " + std::to_string(id));
  return AlertJson(*st);
}

ApiResult<Json> Alerts::Ack(int64_t id, const std::string& user, int64_t now_ms,
                            const AlertVisible& visible) {
  std::lock_guard<std::mutex> lock(mu_);
  auto row = RowJsonLocked(id);
  if (!row.ok()) return row.error();
  std::string store = (*row)["store"].is_string() ? (*row)["store"].get<std::string>() : "";
  std::string region = (*row)["region"].is_string() ? (*row)["region"].get<std::string>() : "";
  if (!visible(store, region)) return NotFoundError("alert: no alert " + std::to_string(id));
  auto st = db_->Prepare(
      "UPDATE web_alerts SET state = 'acked', acked_by = ?2, acked_ms = ?3 "
      "WHERE id = ?1 AND state = 'open'");
  if (!st.ok()) return Db(st.status());
  st->Bind(1, id).Bind(2, user).Bind(3, now_ms);
  if (Status s = st->Run(); !s.ok()) return Db(s);
  return RowJsonLocked(id);
}

ApiResult<std::vector<Json>> Alerts::Evaluate(HubStore* store, const WebConfig& config,
                                              const std::vector<KioskSummary>& kiosks,
                                              const std::vector<std::string>& known,
                                              int64_t now_ms) {
  std::vector<AlertRule> rules;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto st = db_->Prepare(
        "SELECT id, name, metric, op, threshold, window_min, min_n, scope FROM web_alert_rules");
    if (!st.ok()) return Db(st.status());
    Status s = st->ForEachRow([&] {
      rules.push_back({st->ColumnInt(0), st->ColumnText(1), st->ColumnText(2), st->ColumnText(3),
                       st->ColumnDouble(4), st->ColumnInt(5), st->ColumnInt(6), st->ColumnText(7)});
    });
    if (!s.ok()) return Db(s);
  }
  // What holds now, per (rule, scope): value, message, store, region.
  struct Hit {
    int64_t rule;
    std::string scope, store, region, message;
    double value;
  };
  std::vector<Hit> hits;
  for (const AlertRule& r : rules) {
    auto holds = [&](double v) { return r.op == ">=" ? v >= r.threshold : v <= r.threshold; };
    auto in_scope = [&](const std::string& s) {
      if (r.scope == "stores" || r.scope == "chain") return true;
      if (r.scope.rfind("store:", 0) == 0) return s == r.scope.substr(6);
      return config.RegionOf(s) == r.scope.substr(7);
    };
    if (r.metric == "kiosk_offline_min") {
      for (const KioskSummary& k : kiosks) {
        if (!k.status || k.status->state != "offline" || !in_scope(k.store)) continue;
        double minutes = static_cast<double>(now_ms - k.status->received_ms) / 60000.0;
        if (!holds(minutes)) continue;
        hits.push_back({r.id, "kiosk:" + k.kiosk, k.store, config.RegionOf(k.store),
                        "kiosk " + k.kiosk + " (" + k.store + ") offline for " +
                            Num(std::floor(minutes)) + " min (" + r.name + ")",
                        minutes});
      }
      continue;
    }
    if (IsCameraMetric(r.metric)) {
      // Per kiosk with a camera, while its store is open: minutes since the later of the end of
      // its latest footfall interval and the start of the open period.
      for (const KioskSummary& k : kiosks) {
        if (!in_scope(k.store) || !config.HasHours(k.store)) continue;
        if (k.status && k.status->state == "offline") continue;  // kiosk_offline_min's case
        std::string camera = CameraState(k);
        if (camera == "off") continue;  // the kiosk has no camera
        Result<CameraFacts> facts = CameraFacts{};
        {
          std::lock_guard<std::mutex> lock(mu_);
          facts = CameraFactsOf(db_.get(), k);
        }
        if (!facts.ok()) return Db(facts.status());
        if (!facts->offset_min) continue;
        if (facts->counted_until_ms == 0 && camera.empty()) continue;  // no sign of a camera
        int64_t offset_ms = int64_t{*facts->offset_min} * 60000;
        auto open_local = config.OpenSince(k.store, now_ms + offset_ms);
        if (!open_local) continue;
        int64_t since = std::max(facts->counted_until_ms, *open_local - offset_ms);
        double minutes = static_cast<double>(std::max<int64_t>(now_ms - since, 0)) / 60000.0;
        if (!holds(minutes)) continue;
        std::string state = camera.empty() || camera == "ok" ? "" : ", camera " + camera;
        hits.push_back({r.id, "kiosk:" + k.kiosk, k.store, config.RegionOf(k.store),
                        "kiosk " + k.kiosk + " (" + k.store + ") camera not counting for " +
                            std::to_string(static_cast<int64_t>(minutes)) +
                            " min during opening hours" + state + " (" + r.name + ")",
                        minutes});
      }
      continue;
    }
    // Figure metrics: one target per store, the region, the store or the chain.
    struct Target {
      std::string scope, store, region;
      std::vector<std::string> stores;  // empty: every store
    };
    std::vector<Target> targets;
    if (r.scope == "stores") {
      for (const std::string& s : known)
        targets.push_back({"store:" + s, s, config.RegionOf(s), {s}});
    } else if (r.scope.rfind("store:", 0) == 0) {
      std::string s = r.scope.substr(6);
      targets.push_back({r.scope, s, config.RegionOf(s), {s}});
    } else if (r.scope.rfind("region:", 0) == 0) {
      std::vector<std::string> ss;
      for (const std::string& s : known) {
        if (in_scope(s)) ss.push_back(s);
      }
      if (ss.empty()) continue;
      targets.push_back({r.scope, "", r.scope.substr(7), ss});
    } else {
      targets.push_back({"chain", "", "", {}});
    }
    for (const Target& t : targets) {
      ViewFilter f;
      f.basis = ViewFilter::Basis::kUtc;
      f.from_ms = (now_ms - r.window_min * 60000) / kHourMs * kHourMs;
      f.to_ms = now_ms + 1;
      f.stores = t.stores;
      auto rows = store->View(f, ViewBy::kTotal);
      if (!rows.ok()) return ServerError("alerts: " + rows.status().ToString());
      if (rows->empty()) continue;
      metrics::Figures fig = metrics::Compute((*rows)[0].sums, false);
      if (fig.responses < r.min_n) continue;
      std::optional<double> v;
      if (r.metric == "unhappy_pct" && fig.responses > 0) {
        v = 100.0 * static_cast<double>(fig.scored.unhappy) / static_cast<double>(fig.responses);
      }
      if (r.metric == "csat_mean") v = fig.csat_mean;
      if (r.metric == "nps") v = fig.nps;
      if (r.metric == "response_rate") v = fig.response_rate;
      if (!v || !holds(*v)) continue;
      std::string where =
          t.store.empty() ? (t.region.empty() ? "chain" : "region " + t.region) : t.store;
      hits.push_back({r.id, t.scope, t.store, t.region,
                      where + ": " + r.metric + " " + Num(*v) + " " + r.op + " " +
                          Num(r.threshold) + " with " + std::to_string(fig.responses) +
                          " responses in the last " + std::to_string(r.window_min) + " min (" +
                          r.name + ")",
                      *v});
    }
  }
  // Open what is new, close what no longer holds.
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Json> opened;
  std::set<std::pair<int64_t, std::string>> holding;
  for (const Hit& h : hits) holding.insert({h.rule, h.scope});
  if (hits.empty()) {
    // Nothing holds: only open alerts may need closing; without any, take no write lock.
    auto n = db_->QueryInt("SELECT COUNT(*) FROM web_alerts WHERE state != 'closed'");
    if (!n.ok()) return Db(n.status());
    if (n->value_or(0) == 0) return opened;
  }
  // Read what is open inside the write transaction: evaluators in two processes on one file
  // (serve beside run --http) serialise here and never open the same alert twice.
  if (Status s = db_->Exec("BEGIN IMMEDIATE"); !s.ok()) return Db(s);
  std::map<std::pair<int64_t, std::string>, int64_t> open;  // (rule, scope) -> alert id
  std::vector<int64_t> opened_ids;
  auto work = [&]() -> Status {
    auto st = db_->Prepare("SELECT id, rule_id, scope FROM web_alerts WHERE state != 'closed'");
    if (!st.ok()) return st.status();
    Status rows = st->ForEachRow([&] {
      open[{st->ColumnInt(1), st->ColumnText(2)}] = st->ColumnInt(0);
    });
    if (!rows.ok()) return rows;
    for (const auto& [key, id] : open) {
      if (holding.count(key)) continue;
      auto up =
          db_->Prepare("UPDATE web_alerts SET state = 'closed', closed_ms = ?2 WHERE id = ?1");
      if (!up.ok()) return up.status();
      up->Bind(1, id).Bind(2, now_ms);
      if (Status s = up->Run(); !s.ok()) return s;
    }
    for (const Hit& h : hits) {
      if (open.count({h.rule, h.scope})) continue;
      auto in = db_->Prepare(
          "INSERT INTO web_alerts(rule_id, scope, store, region, opened_ms, value, message, "
          "state) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, 'open')");
      if (!in.ok()) return in.status();
      in->Bind(1, h.rule).Bind(2, h.scope).Bind(3, h.store).Bind(4, h.region).Bind(5, now_ms);
      in->BindDouble(6, h.value).Bind(7, h.message);
      if (Status s = in->Run(); !s.ok()) return s;
      opened_ids.push_back(db_->LastInsertRowId());
    }
    return Status::Ok();
  };
  Status s = work();
  if (s.ok()) s = db_->Exec("COMMIT");
  if (!s.ok()) {
    db_->RollbackQuietly();
    return Db(s);
  }
  for (int64_t id : opened_ids) {
    auto j = RowJsonLocked(id);
    if (j.ok()) opened.push_back(std::move(*j));
  }
  return opened;
}

}  // namespace touchpoint::hub::web
