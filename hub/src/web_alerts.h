// Private: alert rules and the alerts they open (docs/hub-api.md "Alerts"), kept in the hub
// database (`web_alert_rules`, `web_alerts`, schema version 5).
//
// A rule: a metric, a comparison, a threshold, a time window, a minimum n and a scope. Figure
// metrics read the rollup cells of the window (HubStore::View, UTC basis): cells are hours, so
// a window starts at the start of the hour it begins in (a 15-minute window at 10:20 reads the
// 10:00 hour's cell). Evaluate() opens an alert when a target crosses the threshold with at least
// min_n responses and none is open for it, and closes open or acknowledged ones when it no
// longer holds.
//
// Threads: every method may be called from any thread (one mutex, its own connection).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "touchpoint/core/sqlite.h"
#include "touchpoint/hub/hub_store.h"
#include "web_api_error.h"
#include "web_config.h"
#include "web_views.h"

namespace touchpoint::hub::web {

struct AlertRule {
  int64_t id = 0;
  std::string name;
  // unhappy_pct (unhappy sessions / responses x 100), csat_mean, nps, response_rate,
  // kiosk_offline_min (minutes since an offline status; per kiosk, min_n unused),
  // camera_not_counting_min (minutes a kiosk's camera has not counted while its store is open;
  // per kiosk, window_min and min_n unused).
  std::string metric;
  std::string op;  // ">=" or "<="
  double threshold = 0;
  int64_t window_min = 15;
  int64_t min_n = 4;
  // "stores" (each store apart), "store:<id>", "region:<name>" or "chain".
  std::string scope = "stores";
};

// Who may see an alert: its store (may be empty) and region ("" for chain alerts).
using AlertVisible = std::function<bool(const std::string& store, const std::string& region)>;

class Alerts {
 public:
  explicit Alerts(std::unique_ptr<sql::Database> db) : db_(std::move(db)) {}

  ApiResult<Json> Rules();
  // Validates the body's fields (the message names the field).
  ApiResult<Json> AddRule(const Json& body, const WebConfig& config, int64_t now_ms);
  ApiResult<bool> DeleteRule(int64_t id);
  // The three starter rules (unhappy burst, kiosk offline, camera not counting; see
  // docs/hub-api.md "Alerts"), added when the first admin is set up and no rule exists yet.
  ApiResult<bool> AddStarterRules(const WebConfig& config, int64_t now_ms);
  // Newest first, at most 500, only those `visible` says.
  ApiResult<Json> List(const AlertVisible& visible);
  // 404 when there is no such alert or it is not visible; acknowledging twice keeps the first.
  ApiResult<Json> Ack(int64_t id, const std::string& user, int64_t now_ms,
                      const AlertVisible& visible);
  // Evaluates every rule; returns the alerts it opened (JSON as List's).
  ApiResult<std::vector<Json>> Evaluate(HubStore* store, const WebConfig& config,
                                        const std::vector<KioskSummary>& kiosks,
                                        const std::vector<std::string>& known, int64_t now_ms);

 private:
  ApiResult<Json> RowJsonLocked(int64_t id);
  std::mutex mu_;
  std::unique_ptr<sql::Database> db_;
};

}  // namespace touchpoint::hub::web
